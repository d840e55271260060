"""InceptionV3 features (2048-d pool) and logits for FID, KID, IS and precision/recall.

The network is ``keras.applications.InceptionV3`` (Szegedy et al. 2016) with Keras's ImageNet
weights. Metric values therefore follow the usual definitions but are *not* numerically comparable
to numbers published with the TTUR/pytorch-fid 2015 Inception graph (other weights, 1008 classes,
other resizing); compare ganzoo models with each other.

Offline: the weights come from ``keras.utils.get_file`` (``$KERAS_HOME/models`` or
``~/.keras/models``). When the file is neither cached nor downloadable, constructing
``InceptionFeatures`` raises ``MetricUnavailableError`` at once, before building the network.
"""

import hashlib
import os
import socket

import numpy as np

from ganzoo.metrics.errors import MetricUnavailableError
from ganzoo.metrics.stats import FeatureStats

_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
#: logits head included? -> (file name, md5), as in keras.applications.inception_v3
IMAGENET_WEIGHTS = {
    True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
           "9a0d58056eeedaa3f26cb7ebd46da564"),
    False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "bcbd6486424b2319ff4ef7d526e38f63"),
}
INPUT_SIZE = 299
FEATURE_DIM = 2048
NUM_CLASSES = 1000


def _keras_home():
    """Keras's cache root, resolved like ``keras.utils.get_file`` does."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    home = os.path.expanduser("~")
    return os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")


def _md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def imagenet_weights_path(logits=True, download=True, timeout=30.0, cache_dir=None):
    """Path of the verified Keras ImageNet InceptionV3 weights file (with or without the logits
    head), from the Keras cache (``cache_dir`` or ``$KERAS_HOME`` or ``~/.keras``, subfolder
    ``models/``), else downloaded there (``download=True``; socket timeout ``timeout`` s).
    Raises ``MetricUnavailableError`` when neither works.
    """
    fname, md5 = IMAGENET_WEIGHTS[bool(logits)]
    base = os.path.expanduser(cache_dir) if cache_dir is not None else _keras_home()
    target = os.path.join(base, "models", fname)
    candidates = [target]
    if cache_dir is None and not os.access(base, os.W_OK):  # get_file's fallback location
        candidates.append(os.path.join("/tmp", ".keras", "models", fname))
    problem = "not found"
    for path in candidates:
        if os.path.isfile(path):
            if _md5(path) == md5:
                return path
            problem = f"{path} exists but its md5 is not {md5} (incomplete or corrupted)"
    if download:
        import keras

        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(timeout)
        try:
            return keras.utils.get_file(fname, _BASE_URL + fname, cache_subdir="models",
                                        file_hash=md5, cache_dir=base)
        except Exception as e:  # URL errors, timeouts, checksum mismatch
            problem += f"; download failed: {type(e).__name__}: {e}"
            cause = e
        finally:
            socket.setdefaulttimeout(previous)
    else:
        problem += "; download=False"
        cause = None
    raise MetricUnavailableError(
        f"Inception metrics cannot run offline without the Keras InceptionV3 ImageNet weights "
        f"file {fname} ({problem}). On a machine with internet, download {_BASE_URL + fname} "
        f"(md5 {md5}) and copy it to {target} (or set KERAS_HOME), or pass "
        f"weights='/path/to/{fname}'. weights=None builds random weights (for tests only)."
    ) from cause


class InceptionFeatures:
    """InceptionV3 pool features (2048-d) and, optionally, ImageNet logits of images.

    Images: ``(n, H, W, C)`` floats in [-1, 1] (ganzoo's sample range), C = 1 (repeated to RGB)
    or 3; they are bilinearly resized (``keras.ops.image.resize``, no antialiasing: ganzoo's
    images are smaller than 299 so this only upsamples) to 299×299 and fed as they are: [-1, 1]
    is InceptionV3's own preprocessing range (``inception_v3.preprocess_input`` maps [0, 255]
    there). Channels-last only.

    One network gives both outputs: ``InceptionV3(include_top=True, classifier_activation=None)``
    read at its ``avg_pool`` layer (the 2048-d features ``include_top=False, pooling="avg"`` would
    give) and at ``predictions`` (1000 logits; ``probs`` applies the softmax). ``logits=False``
    builds the smaller ``include_top=False, pooling="avg"`` network and needs only the "notop"
    weights file.

    ``weights``: ``"imagenet"`` (Keras cache or download, see ``imagenet_weights_path``; raises
    ``MetricUnavailableError`` at once when unavailable), a path to a weights file matching
    ``logits``, or ``None`` (random weights: only for testing the code path). Images go through
    the network eagerly in batches of ``batch_size`` (a last, smaller batch is padded to that size),
    with the weights frozen. Building takes ~1 min under JAX, whatever the weights (Keras first
    initializes every variable randomly, and JAX compiles one initializer per weight shape).
    """

    def __init__(self, weights="imagenet", logits=True, batch_size=50, download=True,
                 timeout=30.0, cache_dir=None):
        import keras

        if int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        if keras.config.image_data_format() != "channels_last":
            raise ValueError("InceptionFeatures needs keras.config.image_data_format() == "
                             f"'channels_last'; got {keras.config.image_data_format()!r}")
        self.batch_size = int(batch_size)
        self.logits = bool(logits)
        if weights == "imagenet":
            path = imagenet_weights_path(self.logits, download, timeout, cache_dir)
        elif weights is None:
            path = None
        elif isinstance(weights, (str, os.PathLike)):
            path = os.fspath(weights)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"InceptionV3 weights file not found: {path}")
        else:
            raise ValueError(f"weights must be 'imagenet', None or a file path; got {weights!r}")
        self.weights = weights

        net = keras.applications.InceptionV3(
            include_top=self.logits, weights=None, pooling=None if self.logits else "avg",
            input_shape=(INPUT_SIZE, INPUT_SIZE, 3), classifier_activation=None,
        )
        if path is not None:
            net.load_weights(path)
        if self.logits:
            outputs = [net.get_layer("avg_pool").output, net.get_layer("predictions").output]
            net = keras.Model(net.inputs, outputs, name="inception_v3_pool_logits")
        net.trainable = False  # also: no autograd graph under torch
        self.model = net

    def preprocess(self, images):
        """``(n, H, W, C)`` in [-1, 1] -> a ``(n, 299, 299, 3)`` float32 backend tensor."""
        import keras

        x = np.asarray(images)
        if x.ndim != 4 or x.shape[-1] not in (1, 3):
            raise ValueError("images must have shape (n, H, W, C) with C = 1 or 3 "
                             f"(channels last); got {x.shape}")
        if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
            raise ValueError(f"images must hold real numbers; got dtype {x.dtype}")
        x = x.astype(np.float32, copy=False)
        if x.size and (not np.isfinite(x).all() or x.min() < -1.01 or x.max() > 1.01):
            raise ValueError(
                f"images must be finite floats in [-1, 1]; got range [{x.min()}, {x.max()}] "
                "(for uint8 pixels use x / 127.5 - 1)")
        x = keras.ops.convert_to_tensor(np.clip(x, -1.0, 1.0))
        if x.shape[-1] == 1:
            x = keras.ops.repeat(x, 3, axis=-1)
        if tuple(x.shape[1:3]) != (INPUT_SIZE, INPUT_SIZE):
            x = keras.ops.image.resize(x, (INPUT_SIZE, INPUT_SIZE), interpolation="bilinear",
                                       antialias=False, data_format="channels_last")
        return x

    def features_and_logits(self, images):
        """``(features (n, 2048) float32, logits (n, 1000) float32 or None)`` of ``images``."""
        import keras

        images = np.asarray(images)
        feats, logits = [], []
        for i in range(0, len(images), self.batch_size):
            batch = images[i : i + self.batch_size]
            n = len(batch)
            if n < self.batch_size < len(images):
                # pad the last batch: one input shape per call (JAX compiles each op per shape)
                batch = np.concatenate([batch, np.repeat(batch[-1:], self.batch_size - n, 0)])
            out = self.model(self.preprocess(batch), training=False)
            if self.logits:
                feats.append(keras.ops.convert_to_numpy(out[0])[:n])
                logits.append(keras.ops.convert_to_numpy(out[1])[:n])
            else:
                feats.append(keras.ops.convert_to_numpy(out)[:n])
        if not feats:  # no images: still validate the shape
            self.preprocess(images)
            feats = [np.zeros((0, FEATURE_DIM), np.float32)]
            logits = [np.zeros((0, NUM_CLASSES), np.float32)]
        f = np.concatenate(feats).astype(np.float32, copy=False)
        return f, (np.concatenate(logits).astype(np.float32, copy=False) if self.logits else None)

    def __call__(self, images):
        """Pool features ``(n, 2048)`` float32."""
        return self.features_and_logits(images)[0]

    features = __call__

    def probs(self, images):
        """Softmax of the ImageNet logits ``(n, 1000)`` float64 (for ``inception_score``)."""
        return softmax(self._require_logits(self.features_and_logits(images)[1]))

    def _require_logits(self, logits):
        if logits is None:
            raise ValueError("this InceptionFeatures was built with logits=False: no class "
                             "probabilities (build it with logits=True for the Inception Score)")
        return logits

    def feature_stats(self, batches, max_keep=50_000, seed=0, return_probs=False):
        """Stream images into a ``FeatureStats``: ``batches`` is an array ``(n, H, W, C)`` or an
        iterable of such batches (e.g. a ``tf.data.Dataset``; ``(images, labels)`` pairs use the
        images). With ``return_probs=True`` returns ``(stats, probs (n, 1000) float64)``.
        """
        if return_probs and not self.logits:
            self._require_logits(None)
        if isinstance(batches, np.ndarray):
            batches = (batches[i : i + self.batch_size]
                       for i in range(0, len(batches), self.batch_size))
        stats, probs = FeatureStats(dim=FEATURE_DIM, max_keep=max_keep, seed=seed), []
        for batch in batches:
            if isinstance(batch, (tuple, list)):
                batch = batch[0]
            f, logits = self.features_and_logits(np.asarray(batch))
            stats.update(f)
            if return_probs:
                probs.append(softmax(logits))
        if return_probs:
            return stats, (np.concatenate(probs) if probs else np.zeros((0, NUM_CLASSES)))
        return stats


def softmax(logits):
    """Row-wise softmax in float64."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
