"""Several generators seen as one: the player of MAD-GAN (Ghosh et al. 2018).

:class:`Generators` holds ``count`` = k generators of one architecture (each with its own initial
weights) and is itself a generator, so the GAN engine -- the step, the one gradient call, the
optimizer, ``save_weights`` / the checkpoint, the EMA technique -- sees "one G" whose variables
are the k generators' together. Its latent vector is ``(z, s)``: ``z`` (the members'
``latent_dim`` values) goes to a generator, ``s`` (one more N(0, 1) value) says which one when
sampling:

* ``G(z, training=True)`` (a training step): the batch of N latents is split into k equal
  contiguous parts and part ``i`` goes to generator ``i`` -- every generator makes B = N / k
  samples per step, in its own call (its own batch-norm statistics), as in the MAD-GAN authors'
  code; ``s`` is not used. The ``madgan`` loss (:func:`ganzoo.losses.d_madgan`) reads the
  generator of each generated sample from its position in the same way. N must be a multiple of k.
* ``G(z, training=False)`` (sampling: :meth:`ganzoo.GAN.sample` / ``generate``): each latent goes
  to the generator its ``s`` picks, ``i = #{j : s >= Φ⁻¹(j / k)}`` with ``Φ`` the standard normal
  CDF -- uniform over the k generators and independent of ``z``, so the samples are the
  equal-weight mixture of the generators, and an image depends only on its own latent vector
  (NumPy's, the same on every backend): ``sample(n, seed)`` is deterministic, and the choice of
  generator does not depend on how the latents are batched. Every generator runs on the whole batch and the chosen output is kept (k times a
  single generator's cost). :meth:`select` sets ``s`` to pick a given generator.
"""

import statistics

import keras
import numpy as np
from keras import ops

from ganzoo import validation


@keras.saving.register_keras_serializable(package="ganzoo")
class Generators(keras.Model):
    """k generators of ``generator``'s architecture (its config; each built afresh, with its own
    initial weights), as one generator (see the module docstring).

    Args:
        generator: a ganzoo generator (or its serialized form), unconditional: only its
            architecture is used.
        count: the number of generators k (>= 1).
    """

    def __init__(self, generator, count=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(generator, dict):
            generator = keras.saving.deserialize_keras_object(generator)
        if not hasattr(generator, "latent_dim") or not hasattr(generator, "image_shape"):
            raise TypeError(f"Generators needs a ganzoo generator (with latent_dim and "
                            f"image_shape); got {type(generator).__name__}")
        if getattr(generator, "num_classes", None) is not None:
            raise ValueError("Generators (MAD-GAN) takes unconditional generators; got one with "
                             f"num_classes={generator.num_classes}")
        self.count = validation.integer(count, "Generators count (the number of generators)",
                                        minimum=1)
        config = generator.get_config()
        self.generators = [type(generator).from_config({**config, "name": f"generator_{i}"})
                           for i in range(self.count)]
        self.latent_dim = int(generator.latent_dim) + 1
        self.image_shape = tuple(generator.image_shape)
        self.num_classes = None
        # s >= thresholds[j - 1]  <=>  Φ(s) >= j / k  (float32 constants: exact comparisons)
        normal = statistics.NormalDist()
        self.thresholds = [float(np.float32(normal.inv_cdf(j / self.count)))
                           for j in range(1, self.count)]

    @property
    def takes_labels(self):
        return False

    @property
    def member(self):
        """The first generator: the architecture all k share, whose options (``dropout``,
        ``norm``, ...) are this player's (:func:`ganzoo.models.options.architecture`)."""
        return self.generators[0]

    def build(self, input_shape=None):
        if not self.built:
            for generator in self.generators:
                generator.build()
            self.built = True

    def choice(self, z):
        """The generator each latent vector picks when sampling: int32 of shape (batch,)."""
        s = ops.cast(z[:, -1], "float32")
        index = ops.zeros(ops.shape(s), "int32")
        for threshold in self.thresholds:
            index = index + ops.cast(s >= threshold, "int32")
        return index

    def select(self, z, index):
        """``z`` (NumPy, (n, latent_dim)) with ``s`` set so that sampling uses generator
        ``index`` for every row (``s = Φ⁻¹((index + ½) / k)``)."""
        index = validation.integer(index, "generator index", minimum=0, maximum=self.count - 1)
        z = np.array(z, dtype=np.float32, copy=True)
        z[:, -1] = statistics.NormalDist().inv_cdf((index + 0.5) / self.count)
        return z

    def call(self, z, training=False):
        x = z[:, : self.latent_dim - 1]
        if training:
            if x.shape[0] is not None and x.shape[0] % self.count:
                raise ValueError(
                    f"A training batch of {self.count} generators (MAD-GAN) is split into "
                    f"{self.count} equal parts, one per generator; its size must be a multiple "
                    f"of {self.count}; got {x.shape[0]}")
            parts = ops.split(x, self.count, axis=0)
            return ops.concatenate([g(p, training=True) for g, p in zip(self.generators, parts)],
                                   axis=0)
        index = self.choice(z)
        out = None
        for i, generator in enumerate(self.generators):
            images = generator(x, training=False)
            if out is None:
                out = images
                continue
            chosen = ops.reshape(ops.equal(index, i), (-1,) + (1,) * len(self.image_shape))
            out = ops.where(chosen, images, out)
        return out

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self.image_shape

    def get_config(self):
        return {**super().get_config(),
                "generator": keras.saving.serialize_keras_object(self.generators[0]),
                "count": self.count}
