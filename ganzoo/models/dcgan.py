"""DCGAN generator and discriminator (Radford, Metz & Chintala 2016).

The architecture guidelines of the paper (sec. 3), as applied here:

* no pooling: strided convolutions in D, fractionally-strided (transposed) convolutions in G;
* batch normalization in both nets, except G's output layer and D's input layer;
* no fully connected hidden layers: G projects ``z`` with one matmul and reshapes; D flattens the
  last feature map into one logit;
* ReLU in G with ``tanh`` at the output; LeakyReLU(0.2) in D;
* weights initialised from N(0, 0.02) (BN's gamma from N(1, 0.02), as in the authors' and
  PyTorch's reference code); kernel size 4 with stride 2, so the kernel is divisible by the stride
  (no checkerboard from uneven overlap, Odena et al. 2016).

Batch-norm momentum 0.9 / epsilon 1e-5 follow the PyTorch reference implementation (Keras's
defaults, 0.99 / 1e-3, make the moving statistics lag far behind a fast-changing generator, so
``training=False`` samples would differ from what training saw).

Supported image shapes: 28x28 (start 7x7, two upsamplings), 32x32 and 64x64 (start 4x4), any channel
count. ``width`` is the channel count of G's last hidden layer and D's first; it doubles towards G's
input / D's output, as in the paper's figure 1.

Options used by techniques (:mod:`ganzoo.techniques`), declared in
:mod:`ganzoo.models.options` and stated by each class's ``supported_options``:

* ``DCGANGenerator(norm="vbn")``: virtual batch normalization (Salimans et al. 2016) in place of
  batch norm. A reference batch of ``reference_batch_size`` latents ``z_ref`` is drawn once (from
  ``reference_seed``) when the generator is built and kept as a non-trainable weight, so it is saved
  with the checkpoint. Every call runs ``z_ref`` through the network beside ``z`` (in one batch: the
  convolutions are per-example) and each VBN layer normalizes with the reference statistics, so an
  image depends only on its own ``z`` -- in training and in sampling alike.
* ``DCGANDiscriminator(norm=None)``: no batch norm (a WGAN-GP critic).
* ``DCGANDiscriminator(norm="spectral")``: no batch norm; every weight layer of D -- each
  convolution, the logit layer, the minibatch-discrimination tensor ``T`` and the AC-GAN
  classifier head when D has them -- is :class:`~ganzoo.layers.SpectralNorm`-wrapped (SNGAN,
  Miyato et al. 2018), with biases.
* ``DCGANDiscriminator(minibatch_discrimination={"num_kernels": B, "kernel_dim": C})``: a
  :class:`~ganzoo.layers.MinibatchDiscrimination` layer between the flattened features and the logit.
* ``D(x, return_features=True)`` returns ``(logits, features)``; the features are the flattened last
  feature map (feature matching's layer), taken before minibatch discrimination.
* ``num_classes=K`` (both nets; default ``None``: unconditional, the weights of earlier
  checkpoints): a class condition. G takes ``G(z, labels=...)`` (int class indices, shape
  (batch,)) and sees the one-hot class concatenated to ``z``; D with ``condition="input"`` (the
  conditional GAN, Mirza & Osindero 2014) takes ``D(x, labels=...)`` and sees the one-hot class as
  K extra constant input channels (as in the keras.io "Conditional GAN" example; the paper's MLPs
  first map ``z``/``x`` and the class through separate hidden layers, then join them). D with
  ``condition="auxiliary"`` (AC-GAN, Odena et al. 2017) is not conditioned on its input: it has an
  auxiliary classifier head, ``D.classify(features)`` -> (batch, K) class logits, a ``Dense`` on
  the same features as the real/fake logit.
* ``DCGANGenerator(dropout=p, noise_std=σ)`` (ganhacks #17; noise injection): every hidden layer's
  output (after its ReLU) goes through inverted dropout of rate ``p`` and then gets N(0, σ²) noise,
  in training *and* in sampling; the randomness is a hash of each sample's latent vector
  (:class:`~ganzoo.layers.latent_noise.LatentNoise`), so ``sample(n, seed)`` stays deterministic.
  Both 0 (default): no such layers -- the weights and samples of earlier checkpoints.
* ``DCGANDiscriminator(packing=m)`` (PacGAN, Lin et al. 2018): D judges m samples at once, packed
  along the channels: its input has ``m * C`` channels (the ``pacgan`` technique packs D's inputs).
* ``DCGANDiscriminator(outputs=n)``: ``n`` logits per image instead of one (MAD-GAN's D has k + 1:
  which of the k generators, or real).
"""

import keras
from keras import layers, ops

from ganzoo import validation
from ganzoo.layers import MinibatchDiscrimination, SpectralNorm, VirtualBatchNormalization
from ganzoo.layers.latent_noise import latent_keys, noise_layers
from ganzoo.models import options

_INIT = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.02}}
_GAMMA_INIT = {"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.02}}


def _check_image_shape(image_shape):
    error = ValueError(
        "DCGAN supports square images of side 28, 32 or 64 with channels last, e.g. "
        f"(28, 28, 1) or (32, 32, 3); got image_shape={image_shape!r}"
    )
    if not isinstance(image_shape, (tuple, list)):
        raise error
    try:
        shape = tuple(validation.positive_int(s, "image_shape") for s in image_shape)
    except ValueError:
        raise error from None
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] not in (28, 32, 64):
        raise error
    return shape


def _check_kernel_size(kernel_size):
    kernel_size = validation.positive_int(kernel_size, "kernel_size")
    if kernel_size % 2:
        raise ValueError(
            f"kernel_size must be divisible by the stride 2 (DCGAN rule); got {kernel_size}"
        )
    return kernel_size


def _num_upsamplings(side):
    return {28: 2, 32: 3, 64: 4}[side]


def _bn(name):
    return layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, gamma_initializer=_GAMMA_INIT, name=name
    )


def minibatch_spec(value):
    """``None`` / ``False`` (no layer), ``True`` (the layer's defaults) or a dict of its arguments
    -> ``None`` or a dict."""
    if value is None or value is False:
        return None
    if value is True:
        return {}
    if not isinstance(value, dict):
        raise ValueError("minibatch_discrimination must be None, True or a dict of the "
                         "MinibatchDiscrimination layer's arguments (num_kernels, kernel_dim); "
                         f"got {value!r}")
    validation.check_kwargs(value, ("num_kernels", "kernel_dim"), "minibatch_discrimination",
                            kind="argument")
    return dict(value)


def minibatch_layer(spec, spectral=False):
    """The MinibatchDiscrimination layer for a :func:`minibatch_spec` (``None``: no layer);
    ``spectral``: its tensor ``T`` spectrally normalized (a D with ``norm="spectral"``)."""
    if spec is None:
        return None
    layer = MinibatchDiscrimination(name="minibatch_discrimination", **spec)
    return SpectralNorm(layer, name=f"{layer.name}_sn") if spectral else layer


CONDITIONS = options.option("discriminator", "condition").values


def num_classes_option(value):
    """``None`` (unconditional) or the number of classes, an integer >= 2."""
    if value is None:
        return None
    return validation.integer(value, "num_classes (None, or the number of classes)", minimum=2)


def condition_input(x, labels, num_classes, who):
    """``x`` with the one-hot of ``labels`` (int class indices, shape (batch,) or (batch, 1))
    appended on the last axis -- broadcast over every other axis, so an image gets ``num_classes``
    constant channels. ``num_classes=None``: ``x`` unchanged; labels are then refused."""
    if num_classes is None:
        if labels is not None:
            raise ValueError(f"{who} takes no labels (num_classes=None: unconditional)")
        return x
    if labels is None:
        raise ValueError(f"{who} is conditioned on the class (num_classes={num_classes}): call it "
                         "with labels= (int class indices, shape (batch,))")
    onehot = ops.one_hot(ops.reshape(labels, (-1,)), num_classes, dtype=x.dtype)
    onehot = ops.reshape(onehot, (-1,) + (1,) * (len(x.shape) - 2) + (num_classes,))
    return ops.concatenate([x, onehot * ops.ones_like(x[..., :1])], axis=-1)


class DiscriminatorHead:
    """The part every ganzoo discriminator shares: the class condition of the input (cGAN,
    ``condition="input"``) -> ``features(x)`` (defined by the family) -> optional minibatch
    discrimination (``self.minibatch``) -> one logit (``self.to_logit``); an auxiliary classifier
    on the features (AC-GAN, ``condition="auxiliary"``) through :meth:`classify`.
    ``D(x, return_features=True)`` gives ``(logits, features)`` for feature matching.

    With ``norm="spectral"`` every weight layer of D is :class:`~ganzoo.layers.SpectralNorm`-
    wrapped through :meth:`_normalized` -- the family's own layers, the minibatch-discrimination
    tensor and the auxiliary classifier alike; the family sets ``self.norm`` first."""

    # (no class-level defaults: under torch a class attribute would hide the sub-layer that
    # torch.nn.Module keeps in ``_modules``)
    def _init_outputs(self, packing, outputs):
        """Set ``packing`` (m samples per input, along the last axis: PacGAN) and ``outputs``
        (logits per input: MAD-GAN's k + 1); every family's ``__init__`` calls it before
        creating its logit layer."""
        self.packing = validation.positive_int(packing, f"{type(self).__name__} packing")
        self.outputs = validation.positive_int(outputs, f"{type(self).__name__} outputs")

    @property
    def packed_shape(self):
        """The shape of one input of D: ``image_shape`` with its last axis ``packing`` times
        longer."""
        return self.image_shape[:-1] + (self.image_shape[-1] * self.packing,)

    def _init_condition(self, num_classes, condition):
        """Set ``num_classes`` / ``condition`` and create the auxiliary head; every family's
        ``__init__`` calls it."""
        self.num_classes = num_classes_option(num_classes)
        self.condition = options.choice(self, "condition", condition)
        if self.num_classes is not None and getattr(self, "packing", 1) > 1:
            raise ValueError(f"{type(self).__name__}: packing={self.packing} cannot be combined "
                             f"with a class condition (num_classes={self.num_classes}): a pack "
                             "of m samples has m classes")
        auxiliary = self.num_classes is not None and self.condition == "auxiliary"
        self.classifier = self._normalized(layers.Dense(
            self.num_classes, kernel_initializer=self._head_init(),
            name="classifier")) if auxiliary else None

    def _head_init(self):
        return _INIT

    def _normalized(self, layer):
        """``layer``, spectrally normalized when D has ``norm="spectral"``
        (:class:`~ganzoo.layers.SpectralNorm`, one power iteration per training call, as in
        SNGAN); else ``layer`` itself."""
        return SpectralNorm(layer, name=f"{layer.name}_sn") if self.norm == "spectral" else layer

    def _minibatch_layer(self):
        return minibatch_layer(self.minibatch_discrimination, spectral=self.norm == "spectral")

    @property
    def takes_labels(self):
        """Whether ``D(x, labels=...)`` needs the class of each input (the cGAN's D)."""
        return self.num_classes is not None and self.condition == "input"

    def call(self, x, labels=None, training=False, return_features=False):
        if self.classifier is not None and labels is not None:
            raise ValueError(f"{type(self).__name__}(condition='auxiliary') takes no labels: it "
                             "predicts the class (D.classify(features))")
        x = condition_input(x, labels, self.num_classes if self.takes_labels else None,
                            type(self).__name__)
        features = self.features(x, training=training)
        h = features if self.minibatch is None else self.minibatch(features)
        logits = self.to_logit(h)
        return (logits, features) if return_features else logits

    def classify(self, features, training=False):
        """The auxiliary classifier's class logits (batch, num_classes) from D's features
        (``D(x, return_features=True)[1]``); AC-GAN's D only. ``training=True`` in a training
        step, as D's own call (a spectrally normalized head advances its ``u``)."""
        if self.classifier is None:
            raise ValueError(f"{type(self).__name__} has no auxiliary classifier: build it with "
                             "num_classes=K, condition='auxiliary'")
        return self.classifier(features, training=training)

    def _trace(self):
        """Create every weight: one call on a zero input (and the classifier on its features)."""
        labels = ops.zeros((1,), "int32") if self.takes_labels else None
        _, features = self.call(ops.zeros((1,) + self.packed_shape), labels=labels,
                                return_features=True)
        if self.classifier is not None:
            self.classifier(features)

    def _condition_config(self):
        return {"num_classes": self.num_classes, "condition": self.condition,
                "packing": self.packing, "outputs": self.outputs}

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.outputs)


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGANGenerator(keras.Model):
    """z (batch, latent_dim) -> images (batch, H, W, C) in [-1, 1] (tanh).

    ``num_classes=K``: ``G(z, labels=...)``, the one-hot class concatenated to ``z``. With
    ``norm="vbn"`` the reference batch's classes are ``0, 1, ..., K-1, 0, 1, ...`` (balanced).
    ``dropout`` / ``noise_std``: dropout and Gaussian noise on every hidden layer, in training
    and sampling (see the module docstring)."""

    supported_options = options.supports(
        "generator", norm=("batch", "vbn"), reference_batch_size=True, dropout=True,
        noise_std=True, num_classes=True)

    def __init__(self, latent_dim=100, image_shape=(28, 28, 1), width=64, kernel_size=4,
                 norm="batch", reference_batch_size=64, reference_seed=0, num_classes=None,
                 dropout=0.0, noise_std=0.0, **kwargs):
        super().__init__(**kwargs)
        self.dropout = validation.probability(dropout, "DCGANGenerator dropout", open_right=True)
        self.noise_std = validation.nonnegative_float(noise_std, "DCGANGenerator noise_std")
        self.num_classes = num_classes_option(num_classes)
        self.norm = options.choice(self, "norm", norm)
        self.reference_batch_size = validation.positive_int(reference_batch_size,
                                                            "reference_batch_size")
        self.reference_seed = validation.nonnegative_int(reference_seed, "reference_seed")
        self.latent_dim = validation.positive_int(latent_dim, "latent_dim")
        self.image_shape = _check_image_shape(image_shape)
        self.width = validation.positive_int(width, "width")
        self.kernel_size = _check_kernel_size(kernel_size)
        side, _, channels = self.image_shape
        n_up = _num_upsamplings(side)
        self.start_side = side // 2**n_up
        self.start_channels = self.width * 2 ** (n_up - 1)
        self.project = layers.Dense(
            self.start_side**2 * self.start_channels,
            use_bias=False,
            kernel_initializer=_INIT,
            name="project",
        )
        self.project_bn = self._norm_layer("project_bn")
        self.reshape = layers.Reshape((self.start_side, self.start_side, self.start_channels))
        self.blocks = []
        for i in range(n_up - 1):
            conv = layers.Conv2DTranspose(
                self.start_channels // 2 ** (i + 1),
                self.kernel_size,
                strides=2,
                padding="same",
                use_bias=False,
                kernel_initializer=_INIT,
                name=f"up{i}",
            )
            self.blocks.append((conv, self._norm_layer(f"up{i}_bn")))
        self.to_image = layers.Conv2DTranspose(
            channels, self.kernel_size, strides=2, padding="same", kernel_initializer=_INIT,
            name="to_image",
        )
        # one per hidden layer (the projection and each up block), none when both options are 0
        self.noise = noise_layers(self.dropout, self.noise_std, 1 + len(self.blocks))

    def _norm_layer(self, name):
        if self.norm == "vbn":
            return VirtualBatchNormalization(epsilon=1e-5, name=name.replace("_bn", "_vbn"))
        return _bn(name)

    def build(self, input_shape=None):
        if not self.built:
            if self.norm == "vbn":
                self.z_ref = self.add_weight(
                    shape=(self.reference_batch_size, self.latent_dim), name="z_ref",
                    initializer=keras.initializers.RandomNormal(seed=self.reference_seed),
                    trainable=False,
                )
            self.built = True  # before tracing call() so that __call__ does not build again
            labels = None if self.num_classes is None else ops.zeros((1,), "int32")
            self.call(keras.ops.zeros((1, self.latent_dim)), labels=labels)

    @property
    def takes_labels(self):
        """Whether ``G(z, labels=...)`` needs a class per latent (``num_classes`` is set)."""
        return self.num_classes is not None

    def _normalize(self, norm, x, training):
        if self.norm == "batch":
            return norm(x, training=training)
        # [x; reference] went through the layers below as one batch; split, normalize, rejoin.
        n = ops.shape(x)[0] - self.reference_batch_size
        out, ref = norm(x[:n], x[n:])
        return ops.concatenate([out, ref], axis=0)

    def call(self, z, labels=None, training=False):
        z = condition_input(z, labels, self.num_classes, type(self).__name__)
        if self.norm == "vbn":
            z_ref = ops.cast(self.z_ref, z.dtype)
            if self.num_classes is not None:
                z_ref = condition_input(z_ref, ops.arange(self.reference_batch_size)
                                        % self.num_classes, self.num_classes, "reference batch")
            z = ops.concatenate([z, z_ref], axis=0)
        keys = latent_keys(z) if self.noise else None
        x = ops.relu(self._normalize(self.project_bn, self.project(z), training))
        x = self.reshape(x)
        if self.noise:
            x = self.noise[0](x, keys)
        for i, (conv, norm) in enumerate(self.blocks):
            x = ops.relu(self._normalize(norm, conv(x), training))
            if self.noise:
                x = self.noise[i + 1](x, keys)
        x = ops.tanh(self.to_image(x))
        if self.norm == "vbn":
            x = x[: ops.shape(x)[0] - self.reference_batch_size]
        return x

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.image_shape

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "image_shape": list(self.image_shape),
            "width": self.width,
            "kernel_size": self.kernel_size,
            "norm": self.norm,
            "reference_batch_size": self.reference_batch_size,
            "reference_seed": self.reference_seed,
            "num_classes": self.num_classes,
            "dropout": self.dropout,
            "noise_std": self.noise_std,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGANDiscriminator(DiscriminatorHead, keras.Model):
    """images (batch, H, W, C) in [-1, 1] -> one real/fake logit per image, shape (batch, 1).

    ``num_classes=K``: with ``condition="input"`` (default) ``D(x, labels=...)`` sees the one-hot
    class as K extra input channels (cGAN); with ``condition="auxiliary"`` D has an auxiliary
    classifier head, :meth:`classify` (AC-GAN). ``packing=m``: inputs of m images packed along
    the channels (PacGAN); ``outputs=n``: n logits per input (MAD-GAN)."""

    supported_options = options.supports(
        "discriminator", norm=("batch", None, "spectral"), minibatch_discrimination=True,
        packing=True, outputs=True, num_classes=True, condition=("input", "auxiliary"))

    def __init__(self, image_shape=(28, 28, 1), width=64, kernel_size=4, norm="batch",
                 minibatch_discrimination=None, num_classes=None, condition="input", packing=1,
                 outputs=1, **kwargs):
        super().__init__(**kwargs)
        self._init_outputs(packing, outputs)
        self.norm = options.choice(self, "norm", norm)
        self.minibatch_discrimination = minibatch_spec(minibatch_discrimination)
        self.image_shape = _check_image_shape(image_shape)
        self.width = validation.positive_int(width, "width")
        self.kernel_size = _check_kernel_size(kernel_size)
        n_down = _num_upsamplings(self.image_shape[0])
        self.blocks = []
        for i in range(n_down):
            conv = layers.Conv2D(
                self.width * 2**i,
                self.kernel_size,
                strides=2,
                padding="same",
                # BN follows every conv but the first (D's input layer).
                use_bias=i == 0 or self.norm != "batch",
                kernel_initializer=_INIT,
                name=f"down{i}",
            )
            conv = self._normalized(conv)
            bn = _bn(f"down{i}_bn") if i > 0 and self.norm == "batch" else None
            self.blocks.append((conv, bn))
        self.flatten = layers.Flatten()
        self.minibatch = self._minibatch_layer()
        self.to_logit = self._normalized(
            layers.Dense(self.outputs, kernel_initializer=_INIT, name="to_logit"))
        self._init_condition(num_classes, condition)

    def build(self, input_shape=None):
        if not self.built:
            self.built = True  # before tracing call() so that __call__ does not build again
            self._trace()

    def features(self, x, training=False):
        """The flattened last feature map (the input of the logit layer)."""
        for conv, bn in self.blocks:
            x = conv(x)
            if bn is not None:
                x = bn(x, training=training)
            x = keras.ops.leaky_relu(x, negative_slope=0.2)
        return self.flatten(x)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": list(self.image_shape),
            "width": self.width,
            "kernel_size": self.kernel_size,
            "norm": self.norm,
            "minibatch_discrimination": self.minibatch_discrimination,
            **self._condition_config(),
        }
