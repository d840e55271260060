"""A small domain classifier (MNIST / Fashion-MNIST) whose features and softmax feed evaluation.

Its penultimate embedding (:meth:`DomainClassifier.features`, ``feature_dim`` = 128 by default) is
the feature space of FID/KID/precision-recall for these datasets; its softmax
(:meth:`DomainClassifier.predict_proba`) gives class coverage and Inception-Score-style scores.

Architecture, chosen for accuracy per CPU-minute on 2 cores (TensorFlow CPU): two VGG-style blocks
``conv3x3 -> BN -> ReLU`` x2 + 2x2 max-pool (32 then 64 channels; 28 -> 14 -> 7), one more 2x2
max-pool (7 -> 4, ``same`` padding) to keep the dense layer small, flatten (4*4*64 = 1024), dense
``feature_dim`` -> BN -> ReLU (the features), dropout, dense ``num_classes`` logits. About 200 k
parameters (< 1 MB of float32 weights).

Inputs are the GAN's images: float, channels last, values in [-1, 1].
"""

import warnings

import keras
import numpy as np
from keras import layers, ops

from ganzoo import validation


def _bn(name):
    return layers.BatchNormalization(momentum=0.99, epsilon=1e-3, name=name)


def check_images(images, image_shape, name="images"):
    """``images`` as a float32 array (n, H, W, C) in [-1, 1], or a ValueError saying what is wrong.

    Accepts any float array-like; (n, H, W) is accepted for single-channel shapes.
    """
    try:
        x = np.asarray(images)
    except Exception as e:  # ragged lists etc.
        dims = ", ".join(map(str, image_shape))
        raise ValueError(
            f"{name} must be an array of shape (n, {dims}); cannot convert: {e}"
        ) from None
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.floating)):
        integer = np.issubdtype(x.dtype, np.integer)
        hint = " Scale uint8 pixels with x / 127.5 - 1." if integer else ""
        raise ValueError(
            f"{name} must be floating point with values in [-1, 1]; got dtype {x.dtype}.{hint}"
        )
    shape = tuple(image_shape)
    if x.ndim == 3 and shape[-1] == 1 and x.shape[1:] == shape[:2]:
        x = x[..., None]
    if x.ndim != 4 or x.shape[1:] != shape:
        dims = ", ".join(map(str, shape))
        raise ValueError(f"{name} must have shape (n, {dims}) (channels last); got {x.shape}")
    x = x.astype(np.float32, copy=False)
    if x.size:
        if not np.isfinite(x).all():
            raise ValueError(f"{name} contains NaN or infinite values")
        lo, hi = float(x.min()), float(x.max())
        if lo < -1.0 - 1e-3 or hi > 1.0 + 1e-3:
            raise ValueError(f"{name} must have values in [-1, 1] (the GAN's image range); got "
                             f"[{lo:.4g}, {hi:.4g}]. Scale 0..255 pixels with x / 127.5 - 1, "
                             "[0, 1] images with 2 * x - 1.")
        if lo >= 0.0 and x.shape[0] >= 2:
            warnings.warn(f"{name} has no negative values (range [{lo:.3g}, {hi:.3g}]): images in "
                          "[0, 1]? The classifier expects [-1, 1] (2 * x - 1).", stacklevel=3)
    return x


@keras.saving.register_keras_serializable(package="ganzoo")
class DomainClassifier(keras.Model):
    """images (batch, H, W, C) in [-1, 1] -> class logits (batch, num_classes).

    ``features(x)`` gives the penultimate embedding (batch, feature_dim); ``predict_features`` and
    ``predict_proba`` are the NumPy helpers the metrics use (input checked, batched, inference
    mode).
    """

    def __init__(self, image_shape=(28, 28, 1), num_classes=10, widths=(32, 64), feature_dim=128,
                 dropout=0.3, **kwargs):
        super().__init__(**kwargs)
        shape_error = ValueError("image_shape must be (H, W, C) with H, W >= 8, channels last, "
                                 f"e.g. (28, 28, 1); got {image_shape!r}")
        if not isinstance(image_shape, (tuple, list)):
            raise shape_error
        try:
            shape = tuple(validation.positive_int(s, "image_shape") for s in image_shape)
        except ValueError:
            raise shape_error from None
        if len(shape) != 3 or shape[0] < 8 or shape[1] < 8:
            raise shape_error
        self.image_shape = shape
        self.num_classes = validation.integer(num_classes, "num_classes", minimum=2)
        if not isinstance(widths, (tuple, list)) or not widths:
            raise ValueError(f"widths must be a non-empty list of channel counts; got {widths!r}")
        self.widths = tuple(validation.positive_int(w, f"widths[{i}]")
                            for i, w in enumerate(widths))
        self.feature_dim = validation.positive_int(feature_dim, "feature_dim")
        self.dropout_rate = validation.probability(dropout, "dropout", open_right=True)
        self.blocks = []
        for i, w in enumerate(self.widths):
            convs = []
            for j in range(2):
                conv = layers.Conv2D(w, 3, padding="same", use_bias=False, name=f"conv{i}_{j}")
                convs.append((conv, _bn(f"conv{i}_{j}_bn")))
            self.blocks.append(convs)
        self.pool = layers.MaxPooling2D(2, padding="same", name="pool")
        self.flatten = layers.Flatten(name="flatten")
        self.embed = layers.Dense(self.feature_dim, use_bias=False, name="embed")
        self.embed_bn = _bn("embed_bn")
        self.drop = layers.Dropout(self.dropout_rate, name="dropout")
        self.logits = layers.Dense(self.num_classes, name="logits")

    def build(self, input_shape=None):
        if not self.built:
            self.built = True  # before tracing call() so that __call__ does not build again
            self.call(ops.zeros((1,) + self.image_shape))

    def features(self, x, training=False):
        """The penultimate embedding (batch, feature_dim): ReLU of the batch-normalized dense
        layer."""
        for convs in self.blocks:
            for conv, bn in convs:
                x = ops.relu(bn(conv(x), training=training))
            x = self.pool(x)
        x = self.pool(x)  # once more: 7x7 -> 4x4 for 28x28 inputs, a small dense layer
        return ops.relu(self.embed_bn(self.embed(self.flatten(x)), training=training))

    def call(self, x, training=False):
        return self.logits(self.drop(self.features(x, training=training), training=training))

    def batch_norm_layers(self):
        return [bn for convs in self.blocks for _, bn in convs] + [self.embed_bn]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": list(self.image_shape),
            "num_classes": self.num_classes,
            "widths": list(self.widths),
            "feature_dim": self.feature_dim,
            "dropout": self.dropout_rate,
        }

    # -- NumPy helpers -------------------------------------------------------------------------

    def _inference(self, what):
        """``x -> features`` or ``x -> logits`` in inference mode. Under JAX one jitted function
        of (variable values, x), cached per model (eager JAX runs op by op, ~3x slower); other
        backends call the model eagerly (as fast as ``model.predict`` on CPU)."""
        fn = self.features if what == "features" else self.call
        if keras.config.backend() != "jax":
            return lambda x: fn(x, training=False)
        cache = self.__dict__.setdefault("_ganzoo_jit", {})
        if what not in cache:
            import jax

            variables = list(self.variables)

            def pure(values, x):
                with keras.StatelessScope(state_mapping=list(zip(variables, values))):
                    return fn(x, training=False)

            jitted = jax.jit(pure)
            cache[what] = lambda x: jitted([v.value for v in variables], x)
        return cache[what]

    def _batched(self, what, images, batch_size, width):
        integer = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
        if not integer or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        x = check_images(images, self.image_shape)
        self.build()
        fn = self._inference(what)
        out = [keras.ops.convert_to_numpy(fn(x[i : i + batch_size]))
               for i in range(0, len(x), int(batch_size))]
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, width), np.float32)

    def predict_features(self, images, batch_size=500):
        """float32 (n, feature_dim) penultimate features of ``images`` (n, H, W, C) in [-1, 1]."""
        return self._batched("features", images, batch_size, self.feature_dim)

    def predict_logits(self, images, batch_size=500):
        """float32 (n, num_classes) logits."""
        return self._batched("logits", images, batch_size, self.num_classes)

    def predict_proba(self, images, batch_size=500):
        """float32 (n, num_classes) softmax class probabilities (rows sum to 1)."""
        logits = self.predict_logits(images, batch_size).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
