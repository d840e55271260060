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
"""

import keras
from keras import layers

_INIT = {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.02}}
_GAMMA_INIT = {"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.02}}


def _check_image_shape(image_shape):
    shape = tuple(int(s) for s in image_shape)
    if len(shape) != 3 or shape[0] != shape[1] or shape[0] not in (28, 32, 64) or shape[2] < 1:
        raise ValueError(
            "DCGAN supports square images of side 28, 32 or 64 with channels last, e.g. "
            f"(28, 28, 1) or (32, 32, 3); got image_shape={image_shape!r}"
        )
    return shape


def _num_upsamplings(side):
    return {28: 2, 32: 3, 64: 4}[side]


def _bn(name):
    return layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, gamma_initializer=_GAMMA_INIT, name=name
    )


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGANGenerator(keras.Model):
    """z (batch, latent_dim) -> images (batch, H, W, C) in [-1, 1] (tanh)."""

    def __init__(self, latent_dim=100, image_shape=(28, 28, 1), width=64, kernel_size=4, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim = int(latent_dim)
        self.image_shape = _check_image_shape(image_shape)
        self.width = int(width)
        self.kernel_size = int(kernel_size)
        if self.latent_dim < 1 or self.width < 1:
            raise ValueError(f"latent_dim and width must be >= 1; got {latent_dim}, {width}")
        if self.kernel_size % 2:
            raise ValueError(
                f"kernel_size must be divisible by the stride 2 (DCGAN rule); got {kernel_size}"
            )
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
        self.project_bn = _bn("project_bn")
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
            self.blocks.append((conv, _bn(f"up{i}_bn")))
        self.to_image = layers.Conv2DTranspose(
            channels, self.kernel_size, strides=2, padding="same", kernel_initializer=_INIT,
            name="to_image",
        )

    def build(self, input_shape=None):
        if not self.built:
            self.built = True  # before tracing call() so that __call__ does not build again
            self.call(keras.ops.zeros((1, self.latent_dim)))

    def call(self, z, training=False):
        x = keras.ops.relu(self.project_bn(self.project(z), training=training))
        x = self.reshape(x)
        for conv, bn in self.blocks:
            x = keras.ops.relu(bn(conv(x), training=training))
        return keras.ops.tanh(self.to_image(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.image_shape

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "image_shape": list(self.image_shape),
            "width": self.width,
            "kernel_size": self.kernel_size,
        }


@keras.saving.register_keras_serializable(package="ganzoo")
class DCGANDiscriminator(keras.Model):
    """images (batch, H, W, C) in [-1, 1] -> one real/fake logit per image, shape (batch, 1)."""

    def __init__(self, image_shape=(28, 28, 1), width=64, kernel_size=4, **kwargs):
        super().__init__(**kwargs)
        self.image_shape = _check_image_shape(image_shape)
        self.width = int(width)
        self.kernel_size = int(kernel_size)
        if self.width < 1:
            raise ValueError(f"width must be >= 1; got {width}")
        if self.kernel_size % 2:
            raise ValueError(
                f"kernel_size must be divisible by the stride 2 (DCGAN rule); got {kernel_size}"
            )
        n_down = _num_upsamplings(self.image_shape[0])
        self.blocks = []
        for i in range(n_down):
            conv = layers.Conv2D(
                self.width * 2**i,
                self.kernel_size,
                strides=2,
                padding="same",
                use_bias=i == 0,  # BN follows every conv but the first (D's input layer).
                kernel_initializer=_INIT,
                name=f"down{i}",
            )
            self.blocks.append((conv, None if i == 0 else _bn(f"down{i}_bn")))
        self.flatten = layers.Flatten()
        self.to_logit = layers.Dense(1, kernel_initializer=_INIT, name="to_logit")

    def build(self, input_shape=None):
        if not self.built:
            self.built = True  # before tracing call() so that __call__ does not build again
            self.call(keras.ops.zeros((1,) + self.image_shape))

    def features(self, x, training=False):
        """The flattened last feature map (the input of the logit layer)."""
        for conv, bn in self.blocks:
            x = conv(x)
            if bn is not None:
                x = bn(x, training=training)
            x = keras.ops.leaky_relu(x, negative_slope=0.2)
        return self.flatten(x)

    def call(self, x, training=False):
        return self.to_logit(self.features(x, training=training))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {
            **super().get_config(),
            "image_shape": list(self.image_shape),
            "width": self.width,
            "kernel_size": self.kernel_size,
        }
