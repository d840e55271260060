"""Salimans et al. 2016, *Improved Techniques for Training GANs*: feature matching, historical
averaging, and the techniques that change an architecture (minibatch discrimination in D, virtual
batch normalization in G; the layers are in :mod:`ganzoo.layers`)."""

from keras import ops

from ganzoo import validation
from ganzoo.techniques.base import Technique, register_technique

SALIMANS = ("Salimans et al., Improved Techniques for Training GANs, NeurIPS 2016, "
            "arXiv:1606.03498")


def feature_matching_loss(real_features, fake_features):
    """``mean_k (E_real f_k - E_fake f_k)²``: the mean of squared differences of the batch-mean
    features, as in the authors' MNIST code (``train_mnist_feature_matching.py``:
    ``T.mean(T.square(mom_gen - mom_real))``; their CIFAR code uses the mean absolute difference)."""
    diff = ops.mean(real_features, axis=0) - ops.mean(fake_features, axis=0)
    return ops.mean(ops.square(diff))


def historical_penalty(values, averages, weight):
    """``weight * Σ_i ||θ_i - avg_i||²`` with the averages held constant in the gradient."""
    total = 0.0
    for value, average in zip(values, averages):
        total = total + ops.sum(ops.square(value - ops.stop_gradient(average)))
    return weight * total


def running_average(average, value, count):
    """The running mean after the ``count``-th value: ``avg + (θ - avg) / count``."""
    return average + (value - average) / ops.cast(count, average.dtype)


@register_technique
class FeatureMatching(Technique):
    """Feature matching (sec. 3.1): G minimizes :func:`feature_matching_loss` between D's features
    of the real and the generated batch -- D's flattened last feature map, the input of its logit
    layer (for DCGAN and MLP discriminators) -- instead of the non-saturating loss. D is trained as
    usual."""

    key = "feature_matching"
    order = 45
    paper = SALIMANS

    def g_loss(self, gan, loss, ctx):
        real_features = ctx.ensure_real().real_features
        return feature_matching_loss(ops.stop_gradient(real_features), ctx.fake_features)


@register_technique
class HistoricalAveraging(Technique):
    """Historical averaging (sec. 3.3): each player's loss gets ``weight * ||θ - (1/t) Σ_i θ_i||²``.
    The averages are weights of this layer (saved and resumed by ``ganzoo train``; a loaded
    checkpoint restarts them from its weights), updated after every step as
    ``avg += (θ - avg) / t``; they start at the initial weights. The paper gives no weight;
    ours (0.01, with the squared norm summed over all parameters) is our choice. Not the test-time
    exponential moving average of G's weights, which is a different technique."""

    key = "historical_averaging"
    order = 60
    paper = SALIMANS

    def __init__(self, weight=0.01, **kwargs):
        super().__init__(**kwargs)
        self.weight = validation.nonnegative_float(weight, f"{self.key}: weight")
        self.g_avg, self.d_avg = [], []

    def attach(self, gan):
        if self.g_avg or self.d_avg:
            return
        self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros",
                                     trainable=False, name="count")
        for prefix, player, store in (("g", gan.generator, self.g_avg),
                                      ("d", gan.discriminator, self.d_avg)):
            for i, v in enumerate(player.trainable_variables):
                store.append(self.add_weight(shape=v.shape, initializer="zeros",
                                             trainable=False, name=f"{prefix}_avg_{i}"))
        self.reset_state(gan)

    def reset_state(self, gan):
        self.count.assign(0)
        for player, store in ((gan.generator, self.g_avg), (gan.discriminator, self.d_avg)):
            for v, avg in zip(player.trainable_variables, store):
                avg.assign(ops.copy(v.value))  # a copy: JAX must not see one buffer twice

    def d_penalty(self, gan, ctx):
        return historical_penalty(gan.discriminator.trainable_variables, self.d_avg, self.weight)

    def g_loss(self, gan, loss, ctx):
        return loss + historical_penalty(gan.generator.trainable_variables, self.g_avg, self.weight)

    def update_state(self, gan):
        count = self.count + 1
        self.count.assign(count)
        for player, store in ((gan.generator, self.g_avg), (gan.discriminator, self.d_avg)):
            for v, avg in zip(player.trainable_variables, store):
                avg.assign(running_average(avg, v, count))

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}


@register_technique
class MinibatchDiscriminationTechnique(Technique):
    """Minibatch discrimination (sec. 3.2): a :class:`~ganzoo.layers.MinibatchDiscrimination`
    layer before D's logit (B=100 kernels of dimension C=5 by default). Real and generated batches
    go through D in separate calls, so the statistic never mixes them."""

    key = "minibatch_discrimination"
    order = 0
    paper = SALIMANS

    def __init__(self, num_kernels=100, kernel_dim=5, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = validation.positive_int(num_kernels, f"{self.key}: num_kernels")
        self.kernel_dim = validation.positive_int(kernel_dim, f"{self.key}: kernel_dim")

    @property
    def discriminator_kwargs(self):
        return {"minibatch_discrimination": {"num_kernels": self.num_kernels,
                                             "kernel_dim": self.kernel_dim}}

    def get_config(self):
        return {**super().get_config(), "num_kernels": self.num_kernels,
                "kernel_dim": self.kernel_dim}


@register_technique
class VirtualBatchNormalizationTechnique(Technique):
    """Virtual batch normalization in G (sec. 3.4), with a reference batch of
    ``reference_batch_size`` latents drawn once and saved with G (see
    :class:`~ganzoo.models.DCGANGenerator`)."""

    key = "virtual_batch_normalization"
    order = 0
    paper = SALIMANS

    def __init__(self, reference_batch_size=64, **kwargs):
        super().__init__(**kwargs)
        self.reference_batch_size = validation.positive_int(
            reference_batch_size, f"{self.key}: reference_batch_size")

    @property
    def generator_kwargs(self):
        return {"norm": "vbn", "reference_batch_size": self.reference_batch_size}

    def get_config(self):
        return {**super().get_config(), "reference_batch_size": self.reference_batch_size}
