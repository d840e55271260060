"""Guards that keep training honest: refuse bad data before a step runs, stop at the first
non-finite step, and never write non-finite weights.

* :func:`check_training_data` -- what ``GAN.fit`` is given: not empty, finite, and for images in
  [-1, 1] (a dataset is checked on its first batch; later batches are covered by the loss guard:
  a NaN image makes the step's losses NaN).
* :class:`NonFiniteGuard` -- a Keras callback, first in ``GAN.fit``'s list, that raises
  :class:`NonFiniteError` at the first batch whose logged losses are not finite, before any other
  callback (``ganzoo train``'s state saver) can save that step.
* :func:`check_finite_weights` -- before a checkpoint or a training state is written.
"""

import math

import keras
import numpy as np

# The step's logs that are losses (the others are D's mean scores).
LOSS_KEYS = ("loss", "d_loss", "g_loss", "penalty")
_RANGE_TOLERANCE = 1e-3


def steps_per_call(model):
    """The steps one compiled call of ``fit`` runs (keras's ``steps_per_execution``)."""
    return int(getattr(model, "steps_per_execution", 1) or 1)


def call_span(end, spe, cap=None, nouns=("step", "steps")):
    """The steps (1-based) of a compiled call of ``spe`` steps whose last is ``end``, capped at
    ``cap`` (the epoch's steps, when known): "step 5", or "one of steps 4-6" -- losses are checked
    once per call, so a divergence is somewhere in it."""
    first = max(end - spe + 1, 1)
    last = min(end, int(cap)) if cap else end
    return f"{nouns[0]} {last}" if first >= last else f"one of {nouns[1]} {first}-{last}"


class NonFiniteError(FloatingPointError):
    """A loss or a weight became NaN or infinite; nothing was saved from that step on."""


class NonFiniteGuard(keras.callbacks.Callback):
    """Stop ``fit`` at the first batch whose losses are not finite (see the module docstring)."""

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: float(v) for k, v in (logs or {}).items()
               if k in LOSS_KEYS and not math.isfinite(float(v))}
        if bad:
            what = ", ".join(f"{k}={v}" for k, v in sorted(bad.items()))
            raise NonFiniteError(
                f"training diverged at epoch {self.epoch + 1}, {self._where(batch)}: {what} "
                "(epoch means so far). Stopped before anything was saved from this step; lower "
                "the learning rate, or check the data for NaN."
            )

    def _where(self, batch):
        """The batches the failing call ran. Keras calls back once per compiled call with the index
        of its last step (``steps_per_execution`` steps a call), and reports a call cut short by the
        end of the data as if it were whole, so the last index is capped at the epoch's steps."""
        return call_span(batch + 1, steps_per_call(self.model),
                         (self.params or {}).get("steps"), ("batch", "batches"))


def check_finite_weights(variables, what="the model"):
    """Raise :class:`NonFiniteError` naming the first variable of ``variables`` holding NaN/inf."""
    for v in variables:
        value = keras.ops.convert_to_numpy(v)
        if not np.all(np.isfinite(value)):
            n = int(np.size(value) - np.isfinite(value).sum())
            raise NonFiniteError(
                f"{what} has non-finite weights: {getattr(v, 'path', v.name)} holds {n} NaN/inf "
                f"value(s) of {np.size(value)}; refusing to save them"
            )


def _first_batch(x):
    """The first element of a ``tf.data.Dataset``, or ``None`` when it is empty."""
    for element in x.take(1):
        return element
    return None


def _images_of(element):
    if isinstance(element, dict):
        raise ValueError("GAN.fit expects batches of images (or (images, labels)); got a dict")
    return element[0] if isinstance(element, (tuple, list)) else element


def check_training_data(gan, x):
    """Raise ``ValueError`` if ``x`` (arrays or a ``tf.data.Dataset``) cannot train ``gan``.

    Checked: not ``None``, not empty, finite, and for images (rank-4 batches) values in [-1, 1].
    A dataset is checked on its first batch; Python generators and ``PyDataset``s are not
    checked (reading them here would consume them).
    """
    if x is None:
        raise ValueError("GAN.fit needs training data: real images scaled to [-1, 1] "
                         "(e.g. ganzoo.data.load('mnist'))")
    if hasattr(x, "element_spec"):
        element = _first_batch(x)
        if element is None:
            raise ValueError("the training dataset is empty: it yields no batch (check its "
                             "size against batch_size with drop_remainder, take(), skip())")
        where = "the first batch of the training dataset"
    elif isinstance(x, (np.ndarray, tuple, list)) or hasattr(x, "__array__"):
        element = x
        where = "the training data"
    else:
        return
    real = np.asarray(keras.ops.convert_to_numpy(_images_of(element)))
    if real.size == 0 or real.shape[0] == 0:
        raise ValueError(f"{where} is empty (shape {real.shape})")
    if not np.issubdtype(real.dtype, np.floating):
        return  # GAN._real_batch explains the expected dtype
    finite = np.isfinite(real)
    if not finite.all():
        raise ValueError(f"{where} holds {int(real.size - finite.sum())} NaN/inf value(s) of "
                         f"{real.size}: clean the data before training")
    if len(gan.image_shape) == 3:
        lo, hi = float(real.min()), float(real.max())
        if lo < -1 - _RANGE_TOLERANCE or hi > 1 + _RANGE_TOLERANCE:
            hint = (" They look like 0..255 pixels: scale with x / 127.5 - 1."
                    if hi > 2 and lo >= 0 else "")
            raise ValueError(f"{where} has values in [{lo:.4g}, {hi:.4g}]; the GAN expects "
                             f"images scaled to [-1, 1] (G ends in tanh).{hint}")
