"""Scale out: data-parallel training on the frameworks' own engines, and mixed precision.

Data parallelism. ganzoo runs on the engine each framework ships -- ``tf.distribute`` under
TensorFlow (``MirroredStrategy``; the multi-worker and TPU strategies go through the same calls),
``keras.distribution`` under JAX (``DataParallel``) -- and adds no engine of its own. A GAN built
in the engine's scope trains with plain ``fit``::

    with ganzoo.distribution.scope(distribution=2):        # or your own strategy / Distribution
        gan = ganzoo.create("dcgan", dataset="mnist")
        gan.fit(ganzoo.data.load("mnist", batch_size=128))  # 128 = the GLOBAL batch

``ganzoo train NAME --devices N`` does the same (``training.train(..., distribution=N)``). The
batch size is the global batch, split evenly over the replicas (it must be a multiple of N), and
a step on N replicas is the step of ONE device on the global batch -- same losses, same
gradients, same batch-norm statistics, same random draws, up to float rounding -- so
hyper-parameters keep their meaning, and a run may resume on another number of devices:

- under JAX the step is one program over the global batch, sharded by XLA: nothing to do;
- under TF each replica runs the step on its share; :mod:`ganzoo.backend` divides the losses by
  the number of replicas before the optimizers sum the replicas' gradients, synchronizes batch
  norm (global statistics), and averages the unrolled look-ahead's gradients; the step's draws
  (``z``, generated classes, WGAN-GP's and DRAGAN's interpolation) are the global batch's, each
  replica taking its slice (:meth:`ganzoo.gan.GAN.draw`), so replicas draw different noise and the
  seed state advances exactly as on one device (exact resume); a draw made directly with
  ``gan.seed_generator`` is folded with the replica index (:class:`StepSeedGenerator`), so it
  differs between replicas too (but is not the one device's). With ``n_critic > 1`` each global
  ``tf.data`` batch is reordered so that every critic chunk is the global chunk's share.
  Technique state (EMA, historical averages, schedules, the seed) is updated identically in
  every replica, from identical weights.
- torch: refused (Keras has no data-parallel engine there).

Exact only up to the batch coupling of a few techniques under TF: feature matching's and
DRAGAN's batch statistics and minibatch discrimination see the replica's share of the batch.

Mixed precision. ``precision="mixed_bfloat16"`` or ``"mixed_float16"`` (``ganzoo train
--precision``, ``scope(precision=...)``, or Keras's own ``keras.mixed_precision.set_global_policy``
before the GAN is built): layers compute in 16 bits and keep float32 variables ("master
weights"); the GAN casts D's logits and features to float32 for the losses, feeds D float32 real
images so that gradient penalties take their input gradients in float32, and under
``mixed_float16`` wraps both players' optimizers in a ``keras.optimizers.LossScaleOptimizer``
(dynamic loss scaling; a step with non-finite gradients is skipped and the scale halved). A
checkpoint records no precision: it loads in float32 (see :func:`portable_config`).
"""

import contextlib

import keras
from keras import ops

from ganzoo import backend, validation

PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

# An odd 32-bit constant (the golden ratio's): replica r's draws use seed (s + r * FOLD, counter).
FOLD = 0x9E3779B9


def check_precision(precision):
    """``precision`` if it is one of :data:`PRECISIONS` (``None``: ``"float32"``)."""
    return validation.choice("float32" if precision is None else precision, "precision",
                             PRECISIONS)


@contextlib.contextmanager
def precision(policy):
    """Build models under the Keras dtype policy ``policy`` (one of :data:`PRECISIONS`); the
    previous global policy is restored on exit. A layer keeps the policy it was built with, so a
    GAN built inside trains in that precision after the block."""
    policy = check_precision(policy)
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield policy
    finally:
        keras.mixed_precision.set_global_policy(previous)


_policy = precision  # (scope's argument of the same name hides the function there)


def data_parallel(devices):
    """The backend's data-parallel engine over ``devices`` local devices: a
    ``tf.distribute.MirroredStrategy`` (TF), a ``keras.distribution.DataParallel`` (JAX). More
    than one device under torch is a ``ValueError``. ``None`` for one device."""
    devices = validation.positive_int(devices, "devices")
    return backend.data_parallel(devices) if devices > 1 else None


def engine(distribution):
    """The data-parallel engine ``distribution`` names: ``None`` (one device), a number of local
    devices (:func:`data_parallel`), or an engine given as is (a ``tf.distribute.Strategy``, a
    ``keras.distribution.Distribution``)."""
    if distribution is None:
        return None
    if isinstance(distribution, int) and not isinstance(distribution, bool):
        return data_parallel(distribution)
    if not hasattr(distribution, "scope"):
        raise ValueError("distribution must be a number of devices, a tf.distribute.Strategy or "
                         f"a keras.distribution.Distribution; got {distribution!r}")
    return distribution


def engine_replicas(engine):
    """How many replicas ``engine`` splits a global batch over (1 for ``None``)."""
    if engine is None:
        return 1
    if hasattr(engine, "num_replicas_in_sync"):  # tf.distribute
        return int(engine.num_replicas_in_sync)
    mesh, name = getattr(engine, "device_mesh", None), getattr(engine, "batch_dim_name", None)
    if mesh is not None and name in mesh.axis_names:  # keras.distribution
        return int(mesh.shape[list(mesh.axis_names).index(name)])
    return 1


@contextlib.contextmanager
def scope(distribution=None, precision=None):
    """Build (and ``fit``) a GAN on ``distribution`` -- a number of local devices (see
    :func:`data_parallel`), or an engine of your own (``tf.distribute.MultiWorkerMirroredStrategy``,
    ``TPUStrategy``, a ``keras.distribution.Distribution``) -- under the dtype policy
    ``precision``. Yields the engine (``None`` for one device)."""
    found = engine(distribution)
    with contextlib.ExitStack() as stack:
        if precision is not None:
            stack.enter_context(_policy(precision))
        if found is not None:
            stack.enter_context(found.scope())
        yield found


def cli_devices(argv=None):
    """``N`` when this process is ``ganzoo train ... --devices N`` (``None`` otherwise)."""
    import sys

    from ganzoo import _quiet

    if argv is None:
        if not _quiet._is_cli():
            return None
        argv = sys.argv[1:]
    argv = argv[:argv.index("--")] if "--" in argv else list(argv)
    if "train" not in argv:
        return None
    for i, arg in enumerate(argv):
        value = (argv[i + 1] if arg == "--devices" and i + 1 < len(argv) else
                 arg.split("=", 1)[1] if arg.startswith("--devices=") else None)
        if value is not None:
            return int(value) if value.isdigit() else None
    return None


def prepare_cli_devices():
    """``ganzoo train --devices N`` on a machine without an accelerator: make the CPU N devices
    before the framework starts (importing ganzoo starts it, so ``ganzoo/__init__`` calls this
    first, like the start-up notices' flag). For trying data parallelism, not for speed."""
    devices = cli_devices()
    if devices and devices > 1:
        backend.split_cpu(devices)


# ------------------------------------------------------------------------- random draws
class StepSeedGenerator(keras.random.SeedGenerator):
    """The GAN's step seed generator: a ``keras.random.SeedGenerator`` whose seeds, in a replica
    of a data-parallel TF step, are folded with the replica index (``(s + r * FOLD, counter)``),
    so that replicas never draw the same noise; elsewhere (one device, JAX) exactly Keras's. The
    state advances the same on every replica, so it stays mirrored and resumes exactly.
    :func:`replica_draw` draws unfolded (the global batch) inside :meth:`unfolded`."""

    def __init__(self, seed=None, name=None, **kwargs):
        super().__init__(seed=seed, name=name, **kwargs)
        self._unfolded = 0

    @contextlib.contextmanager
    def unfolded(self):
        self._unfolded += 1
        try:
            yield self
        finally:
            self._unfolded -= 1

    def next(self, ordered=True):
        seed = super().next(ordered)
        index, count = backend.replica()
        if count == 1 or self._unfolded:
            return seed
        fold = ops.cast(index, seed.dtype) * ops.convert_to_tensor([FOLD, 0], seed.dtype)
        return seed + fold


def replica_draw(sampler, shape, seed_generator, **kwargs):
    """``sampler(shape, seed=seed_generator, **kwargs)`` (``keras.random.normal``, ...), where
    ``shape[0]`` is this replica's batch: on R > 1 replicas, the draw of the global batch
    (``R * shape[0]`` rows, the seed unfolded) and this replica's rows of it -- what one device
    draws for the global batch."""
    index, count = backend.replica()
    if count == 1:
        return sampler(shape, seed=seed_generator, **kwargs)
    shape = list(shape)
    with seed_generator.unfolded():
        draw = sampler([shape[0] * count] + shape[1:], seed=seed_generator, **kwargs)
    return ops.slice(draw, [index * shape[0]] + [0] * (len(shape) - 1), shape)


# ------------------------------------------------------------------------------ checks
def check_batch(model, x, batch_size=None):
    """Refuse, before training, a batch that the replicas cannot share evenly: ``fit``'s
    ``batch_size``, a dataset's fixed batch size and the last batch of an array must be
    multiples of replicas x ``n_critic`` (each critic chunk is split over the replicas). Returns
    the replica count. (A dataset whose batch size is not fixed is not checked: drop its last
    partial batch.)"""
    count = backend.replicas(model)
    if count == 1:
        return count
    sizes = [batch_size]
    spec = getattr(x, "element_spec", None)
    if spec is not None:
        first = spec[0] if isinstance(spec, (tuple, list)) else spec
        shape = getattr(first, "shape", None)
        if shape is not None and len(shape) and shape[0] is not None:
            sizes.append(int(shape[0]))
    elif hasattr(x, "shape") and len(x.shape):  # arrays: fit's batches, and the last one
        sizes.append(int(x.shape[0]) % (batch_size or 32) or None)
    unit = count * model.n_critic
    for size in sizes:
        if size is not None and size % unit:
            what = f"{count} replicas" + (f" x n_critic={model.n_critic}" if model.n_critic > 1
                                          else "")
            raise ValueError(
                f"a global batch of {size} cannot be split evenly over {what}: use a batch size "
                f"that is a multiple of {unit} (and drop the last partial batch: "
                "ganzoo.data.load does)")
    return count


# ----------------------------------------------------------------------- mixed precision
def computes_in_float16(*models):
    """Whether any of ``models`` computes in float16 (needs loss scaling)."""
    return any(keras.backend.standardize_dtype(m.compute_dtype) == "float16" for m in models)


def loss_scaled(optimizer):
    """``optimizer`` wrapped in a ``keras.optimizers.LossScaleOptimizer`` (unless it is one)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def unscaled(optimizer):
    """The optimizer inside a ``LossScaleOptimizer`` (``optimizer`` itself otherwise)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.inner_optimizer
    return optimizer


def to_float32(x):
    """``x`` in float32 (a 16-bit activation before a loss); ``x`` itself when it already is."""
    if x is None or keras.backend.standardize_dtype(x.dtype) == "float32":
        return x
    return ops.cast(x, "float32")


def portable_config(config):
    """``config`` (a serialized object) without how a run computed: every mixed-precision dtype
    policy replaced by float32's, and batch norm's ``synchronized`` (switched on by data-parallel
    TF training) off. The weights are float32 either way, so a GAN trained under
    ``mixed_bfloat16`` on N devices loads (and samples) on one device in float32 like any other,
    under any backend -- and in mixed precision inside :func:`precision`."""
    if isinstance(config, dict):
        out = {}
        for key, value in config.items():
            if key == "dtype" and _is_mixed_policy(value):
                value = keras.saving.serialize_keras_object(keras.DTypePolicy("float32"))
            elif key == "synchronized" and value is True:
                value = False
            out[key] = portable_config(value)
        return out
    if isinstance(config, list):
        return [portable_config(v) for v in config]
    return config


def _is_mixed_policy(value):
    if isinstance(value, str):
        return value.startswith("mixed_")
    if isinstance(value, dict):
        name = (value.get("config") or {}).get("name")
        return isinstance(name, str) and name.startswith("mixed_")
    return False
