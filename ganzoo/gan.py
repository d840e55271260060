"""The GAN ``keras.Model``: a generator, a discriminator, two optimizers and ONE training step.

``GAN.fit(dataset)`` trains through :meth:`GAN.train_step`. The step is written once, in
``keras.ops``; the only backend-specific piece (taking gradients) goes through
:mod:`ganzoo.backend`.

Update rule. Each step draws ``z``, runs ``G(z)`` and ``D`` on the real and the fake batch once, and
takes D's gradient of ``d_loss`` and G's gradient of ``g_loss`` from that single forward pass; both
optimizers then step ("simultaneous" updates, as in the TensorFlow DCGAN tutorial). The DCGAN
authors' code alternates (D steps, then G is scored by the *updated* D); the simultaneous form skips
one D forward/backward on the fake batch per step, which is ~15-25 % of a step on a CPU, and trains
MNIST equally well (see the model card of ``dcgan-mnist``). D sees the real and the fake batch in
separate calls, so batch-norm statistics never mix real and fake samples (as in the authors' code).

The update rule is a registered object (:mod:`ganzoo.updates`: ``simultaneous``, ``alternating``
with ``n_critic``, ``unrolled`` with ``k``) that the step body calls; it never branches on a rule's
name. ``n_critic > 1`` (WGAN-GP) splits each real batch into ``n_critic`` chunks: one D step per
chunk (each with fresh ``z``), then one G step; the data pipeline's batch is then ``n_critic`` times
the per-step batch.

Techniques (:mod:`ganzoo.techniques`) plug into the step at fixed points -- D's inputs, D's
targets, penalties added to D's loss, G's loss, state updates after the step -- so any combination
composes without a new class. Their loss hooks receive a :class:`~ganzoo.updates.StepContext`.

Samples: :meth:`GAN.sample` draws latents with NumPy (``np.random.default_rng(seed)``), so the
same seed gives the same ``z`` -- and the same images -- under every backend.

Class conditions. A generator built with ``num_classes=K`` makes a *conditional* GAN: it trains on
``(images, labels)`` batches (``ganzoo.data.load(name, labels=True)``, ``fit(x, y)``), the step
draws a class for every generated image (a technique's
:meth:`~ganzoo.techniques.Technique.choose_fake_labels` hook -- the real batch's labels for
``cgan`` -- else uniformly, from the model's seed generator), G and an input-conditioned D see
those classes, and the step context carries the real and the generated batch's labels
(``ctx.labels`` / ``ctx.fake_labels``) to the techniques (``acgan``'s class losses). An
unconditional GAN accepts ``(images, labels)`` batches too: the labels reach ``ctx.labels`` and
nothing else. ``sample(n, seed, labels=...)`` picks the classes.
"""

import math

import keras
import numpy as np
from keras import ops

from ganzoo import backend, distribution, losses, updates, validation
from ganzoo import techniques as techniques_lib
from ganzoo.updates import StepContext  # noqa: F401  (re-exported: the techniques' ctx)

UPDATES = tuple(updates.UPDATE_RULES)  # the registered rule names (built-in rules)
DEFAULT_LR = 2e-4
DEFAULT_BETA_1 = 0.5


def default_optimizer(learning_rate=DEFAULT_LR, beta_1=DEFAULT_BETA_1, beta_2=0.999, **kwargs):
    """Adam(2e-4, beta_1=0.5): the DCGAN paper's optimizer settings. Other keyword arguments
    (``epsilon``, ``global_clipnorm``, ...) go to ``keras.optimizers.Adam``."""
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                                 **kwargs)


@keras.saving.register_keras_serializable(package="ganzoo")
class GAN(keras.Model):
    """A generator/discriminator pair, two optimizers, a loss and any techniques.

    Args:
        generator: a ``keras.Model`` mapping ``(batch, latent_dim)`` to images in [-1, 1]; it must
            have a ``latent_dim`` attribute. Several generators are one
            :class:`~ganzoo.models.Generators` (MAD-GAN): one player, one optimizer.
        discriminator: a ``keras.Model`` mapping images to one logit per image, shape (batch, 1)
            (k + 1 logits for the ``madgan`` loss: its ``outputs``).
        loss: name of the loss family in :mod:`ganzoo.losses` (``"nonsat"``, ``"minimax"``,
            ``"lsgan"``, ``"hinge"``, ``"wasserstein"``).
        update: the update rule: ``"simultaneous"`` (one forward pass gives both players'
            gradients), ``"alternating"`` (D steps first; G is then scored by the updated D, same
            ``z``, as in the DCGAN authors' code), ``"unrolled"`` (G against D unrolled ``k = 5``
            steps ahead), a ``{"name": ..., **params}`` dict (``{"name": "unrolled", "k": 2}``)
            or an :class:`~ganzoo.updates.UpdateRule`. See :mod:`ganzoo.updates`.
        seed: seed of the step's latent sampler (a ``keras.random.SeedGenerator`` owned by the
            model, so its state is saved and resumed with the weights).
        techniques: technique names, ``{"name": ..., **params}`` dicts or
            :class:`~ganzoo.techniques.Technique` instances; checked against the players.
        n_critic: D steps per G step (``update="alternating"`` only); each real batch is split
            into ``n_critic`` chunks.

    Call ``compile()`` (DCGAN's Adam defaults) before ``fit``; :func:`ganzoo.load` returns a model
    that is already compiled.
    """

    def __init__(self, generator, discriminator, loss="nonsat", update="simultaneous", seed=None,
                 techniques=None, n_critic=1, **kwargs):
        super().__init__(**kwargs)
        self.update_rule = updates.get_update(update, n_critic=n_critic)
        self.update = self.update_rule.key
        self.n_critic = self.update_rule.n_critic
        if not hasattr(generator, "latent_dim"):
            raise TypeError("generator must have a `latent_dim` attribute")
        self.generator = generator
        self.discriminator = discriminator
        self.loss_name = loss
        self.d_loss_fn, self.g_loss_fn = losses.get(loss)
        losses.check_outputs(loss, getattr(discriminator, "outputs", 1))  # (MAD-GAN: k + 1)
        self.latent_dim = int(generator.latent_dim)
        self.image_shape = tuple(generator.image_shape)
        self.num_classes = _player_classes(generator, discriminator)
        self.seed = None if seed is None else validation.nonnegative_int(seed, "seed")
        # a keras SeedGenerator whose draws also differ between data-parallel replicas
        self.seed_generator = distribution.StepSeedGenerator(seed, name="latent_seed")
        self.g_optimizer = None
        self.d_optimizer = None
        self.techniques = techniques_lib.resolve(techniques)
        for technique in self.techniques:
            technique.check(self)
        self.update_rule.check(self)
        self._trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("loss", "d_loss", "g_loss", "d_real", "d_fake", "penalty")
        }

    # ----------------------------------------------------------------- building and compiling
    def build(self, input_shape=None):
        self.generator.build()
        self.discriminator.build()
        for technique in self.techniques:
            technique.attach(self)
        self.built = True

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Set both players' optimizers (default: Adam(2e-4, beta_1=0.5) each).

        Other keyword arguments (``jit_compile``, ``steps_per_execution``, ...) go to
        ``keras.Model.compile``.
        """
        if "optimizer" in kwargs or "loss" in kwargs:
            raise TypeError(
                "GAN.compile takes g_optimizer= and d_optimizer= (the loss is chosen when the GAN "
                "is built); got optimizer=/loss="
            )
        super().compile(**kwargs)
        self.build()  # create G's and D's variables now, outside any traced step
        self.g_optimizer = keras.optimizers.get(g_optimizer) if g_optimizer else default_optimizer()
        self.d_optimizer = keras.optimizers.get(d_optimizer) if d_optimizer else default_optimizer()
        if distribution.computes_in_float16(self.generator, self.discriminator):  # mixed_float16
            self.g_optimizer = distribution.loss_scaled(self.g_optimizer)
            self.d_optimizer = distribution.loss_scaled(self.d_optimizer)
        # Create both optimizers' variables now and expose them together as `self.optimizer`:
        # Keras's JAX trainer threads exactly `self.optimizer.variables` through its jitted step.
        self.build_optimizers()
        self.optimizer = _OptimizerPair(self.g_optimizer, self.d_optimizer)
        self.update_rule.check_compiled(self)

    def get_compile_config(self):
        if self.g_optimizer is None:
            return None
        return {  # (without mixed float16's loss scaling: compile() adds it where it is needed)
            "g_optimizer": keras.optimizers.serialize(distribution.unscaled(self.g_optimizer)),
            "d_optimizer": keras.optimizers.serialize(distribution.unscaled(self.d_optimizer)),
        }

    def compile_from_config(self, config):
        """Re-create both optimizers (fresh state) from :meth:`get_compile_config`'s output."""
        self.compile(
            g_optimizer=keras.optimizers.deserialize(config["g_optimizer"]),
            d_optimizer=keras.optimizers.deserialize(config["d_optimizer"]),
        )

    def fit(self, x=None, *args, shuffle=None, callbacks=None, check_finite=True, **kwargs):
        """``keras.Model.fit``; a ``tf.data`` input is used in its own order (it shuffles itself).

        A conditional GAN (:attr:`needs_labels`) needs ``(images, labels)``: a dataset of pairs
        or ``fit(x, y)`` with int class labels in ``[0, num_classes)`` (checked here).

        Before training, the data are checked (:func:`ganzoo.guards.check_training_data`: not
        empty, finite, images in [-1, 1] -- for a dataset, its first batch). With
        ``check_finite=True`` (default) a step whose losses are not finite stops training at once
        with :class:`ganzoo.guards.NonFiniteError` naming the step and the loss.
        """
        from ganzoo import guards

        if shuffle is None:
            shuffle = not hasattr(x, "element_spec")
        if self.n_critic > 1 and kwargs.get("batch_size") is not None:
            self._check_critic_batch(kwargs["batch_size"])
        self._check_split_batch(x, kwargs.get("batch_size"))
        guards.check_training_data(self, x)
        distribution.check_batch(self, x, kwargs.get("batch_size"))
        x = backend.prepare_dataset(self, x)  # (n_critic chunks under tf.distribute)
        if self.needs_labels:
            self._check_labeled(x, args[0] if args else kwargs.get("y"))
        callbacks = list(callbacks or [])
        if check_finite:
            callbacks.insert(0, guards.NonFiniteGuard())  # first: nothing saves a bad step
        return super().fit(x, *args, shuffle=shuffle, callbacks=callbacks, **kwargs)

    def _check_split_batch(self, x, batch_size):
        """Refuse, before training, batches that the techniques' ``generator_calls`` /
        ``discriminator_calls`` (PacGAN's m, MAD-GAN's k) cannot split evenly: ``fit``'s batch
        size, an array's last batch and a dataset's fixed batch size."""
        calls = math.lcm(self._calls("generator_calls"), self._calls("discriminator_calls"))
        if calls == 1:
            return
        unit, sizes = calls * self.n_critic, [batch_size]
        spec = getattr(x, "element_spec", None)
        first = spec[0] if isinstance(spec, (tuple, list)) else spec
        if getattr(first, "shape", None) is not None and len(first.shape):
            sizes.append(first.shape[0])
        elif spec is None and hasattr(x, "shape") and len(x.shape):
            sizes.append(int(x.shape[0]) % (batch_size or 32) or None)  # the last batch
        for size in sizes:
            if size is not None and int(size) % unit:
                raise ValueError(
                    f"Each training batch goes through G or D in {calls} equal parts (PacGAN's "
                    f"packing / MAD-GAN's generators)" + (f", in each of n_critic={self.n_critic} "
                    "chunks" if self.n_critic > 1 else "") + f": its size must be a multiple of "
                    f"{unit}; got a batch of {int(size)}. Choose the batch size (and the number "
                    "of samples, or drop the last partial batch) accordingly.")

    def _check_critic_batch(self, batch):
        if batch % self.n_critic:
            raise ValueError(
                f"With n_critic={self.n_critic} each real batch is split into {self.n_critic} D "
                f"steps, so its size must be a multiple of {self.n_critic}; got {batch}. Load the "
                f"data with batch_size = {self.n_critic} x the per-step batch."
            )

    def build_optimizers(self):
        """Create both optimizers' variables now (needed before loading a saved training state)."""
        self.build()
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self):
        return list(self._trackers.values())

    # ------------------------------------------------------------------------- class labels
    @property
    def conditional(self):
        """Whether G is conditioned on a class (its ``num_classes`` is set)."""
        return self.num_classes is not None

    @property
    def needs_labels(self):
        """Whether training needs the data's class labels: a conditional G, or a technique that
        reads them (``Technique.needs_labels``)."""
        return self.conditional or any(t.needs_labels for t in self.techniques)

    def _labels_needed_error(self, got):
        what = (f"conditional (num_classes={self.num_classes})" if self.conditional else
                "trained with techniques that read class labels")
        return ValueError(
            f"This GAN is {what}: it trains on (images, labels) batches -- "
            "ganzoo.data.load(name, labels=True), or fit(x, y) with int class labels; got " + got)

    def _check_labeled(self, x, y):
        """Refuse, before training, data without labels or with labels out of range."""
        if hasattr(x, "element_spec"):
            spec = x.element_spec
            if not (isinstance(spec, (tuple, list)) and len(spec) >= 2):
                raise self._labels_needed_error("a dataset of images only")
            return
        if y is None:
            if isinstance(x, np.ndarray) or keras.backend.is_tensor(x):
                raise self._labels_needed_error("images only (y=None)")
            return  # a generator / PyDataset: checked when the step reads a batch
        if self.conditional:
            self.check_labels(np.asarray(y), len(y), what="y")

    def check_labels(self, labels, n, what="labels"):
        """``labels`` as an int64 array of ``n`` class indices in ``[0, num_classes)``: an int
        (every sample that class) or ``n`` ints. A clear ``ValueError`` otherwise."""
        if not self.conditional:
            raise ValueError(
                f"{what}= is for a conditional GAN; this GAN's generator is unconditional "
                "(num_classes=None). Build it with num_classes= (ganzoo.create(..., "
                "techniques=['cgan'] or ['acgan'])) to choose classes.")
        k = self.num_classes
        if isinstance(labels, (int, np.integer)) and not isinstance(labels, (bool, np.bool_)):
            labels = np.full((n,), int(labels), np.int64)
        array = np.asarray(labels)
        if array.dtype.kind not in "iu" or array.dtype == np.bool_:
            raise ValueError(f"{what} must be an int class index or {n} int class indices in "
                             f"[0, {k}); got {labels!r}" if array.size <= 10 else
                             f"{what} must be int class indices in [0, {k}); got dtype "
                             f"{array.dtype}")
        if array.ndim == 2 and array.shape[1] == 1:
            array = array[:, 0]
        if array.shape != (n,):
            raise ValueError(f"{what} must be an int or {n} int class indices (shape ({n},)); "
                             f"got shape {array.shape}")
        bad = (array < 0) | (array >= k)
        if bad.any():
            raise ValueError(f"{what} must be class indices in [0, {k}) (num_classes={k}); got "
                             f"{int(array[bad][0])}")
        return array.astype(np.int64)

    # ----------------------------------------------------------------------------- training
    def _real_batch(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        expected = self.image_shape
        shape = tuple(real.shape[1:])
        if shape != expected:
            raise ValueError(
                f"The GAN expects real images of shape (batch, {', '.join(map(str, expected))}) "
                f"scaled to [-1, 1]; got a batch of shape {tuple(real.shape)}. "
                "ganzoo.data.load() yields batches in this form."
            )
        dtype = keras.backend.standardize_dtype(real.dtype)
        if not dtype.startswith(("float", "bfloat")):
            raise ValueError(
                f"The GAN expects float images in [-1, 1]; got dtype {dtype}. "
                "Scale with x / 127.5 - 1 (ganzoo.data.load does this)."
            )
        # the variables' dtype (float32 under mixed precision, where D casts its input):
        # gradient penalties take their input gradients in float32
        return ops.cast(real, self.variable_dtype)

    def train_step(self, *args):
        """Keras's hook. Under TF it receives ``data``; under JAX ``(state, data)``: the backend
        module adapts, and the body below (:meth:`step`) is the same for all backends."""
        return backend.train_step(self, *args)

    def _batch_labels(self, data):
        """The batch's class labels (``(images, labels)`` data), or ``None``. A GAN that needs
        them gets int32 of shape (batch,); an unconditional one gets them as they are."""
        labels = data[1] if isinstance(data, (tuple, list)) and len(data) > 1 else None
        if not self.needs_labels:
            return labels
        if labels is None:
            raise self._labels_needed_error("a batch of images only")
        dtype = keras.backend.standardize_dtype(labels.dtype)
        if not dtype.startswith(("int", "uint")):
            raise ValueError(f"class labels must be int class indices; got dtype {dtype}")
        if len(labels.shape) == 2 and labels.shape[1] == 1:
            labels = ops.reshape(labels, (-1,))
        if len(labels.shape) != 1:
            raise ValueError("class labels must be int class indices of shape (batch,); got "
                             f"shape {tuple(labels.shape)}")
        return ops.cast(labels, "int32")

    def step(self, data):
        """The one training-step body: stateful ``keras.ops`` code, backend-independent."""
        real = self._real_batch(data)
        labels = self._batch_labels(data)
        values = self.update_rule.step(self, real, labels)
        for technique in self.techniques:
            technique.update_state(self)
        score = losses.score(self.loss_name)  # D(x) in [0, 1] for nonsat / minimax, else raw
        # "loss" (d_loss + g_loss) is no objective: it is there so that Keras's own callbacks
        # (TerminateOnNaN, ...) see a non-finite step like ganzoo's guard does.
        values["loss"] = values["d_loss"] + values["g_loss"]
        values["d_real"] = ops.mean(score(values.pop("real_logits")))
        values["d_fake"] = ops.mean(score(values.pop("fake_logits")))
        for name, value in values.items():
            self._trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def discriminate(self, x, training=True, labels=None):
        """D on ``x`` as the step sees it: ``(D's input after the techniques' input transforms,
        logits, features)``. ``labels``: the classes of ``x``, given to a D conditioned on its
        input (cGAN) and ignored by any other D."""
        for technique in self.techniques:
            x = technique.d_input(self, x)
        takes_labels = getattr(self.discriminator, "takes_labels", False)
        calls = self._calls("discriminator_calls") if training else 1
        outputs = [self.discriminator(part, training=training, return_features=True,
                                      **({"labels": part_labels} if takes_labels else {}))
                   for part, part_labels in _parts(x, labels, calls)]
        logits = _joined([logits for logits, _ in outputs])
        features = _joined([features for _, features in outputs])
        # the losses in float32 when D computes in 16 bits (mixed precision)
        return x, distribution.to_float32(logits), distribution.to_float32(features)

    def draw(self, sampler, shape, **kwargs):
        """A random tensor ``sampler(shape, seed=self.seed_generator, **kwargs)`` for the step
        (``sampler``: ``keras.random.normal``, ``uniform``, ``randint``...), ``shape[0]`` being
        the batch. Data-parallel over R replicas (``tf.distribute``), it is the draw of the global
        batch sliced to this replica's rows: the same numbers as one device, and different ones on
        each replica (see :mod:`ganzoo.distribution`)."""
        return distribution.replica_draw(sampler, shape, self.seed_generator, **kwargs)

    def _latents(self, batch):
        return self.draw(keras.random.normal, (batch, self.latent_dim))

    def _fake_labels(self, labels, batch):
        """The classes of a generated batch of ``batch`` images (``labels``: the real batch's):
        ``None`` for an unconditional G; else the first technique's
        :meth:`~ganzoo.techniques.Technique.choose_fake_labels` choice, or uniform over the
        classes (drawn after ``z`` from the model's seed generator)."""
        if not self.conditional:
            return None
        for technique in self.techniques:
            chosen = technique.choose_fake_labels(self, labels, batch)
            if chosen is not None:
                return chosen
        return self.draw(keras.random.randint, (batch,), minval=0, maxval=self.num_classes,
                         dtype="int32")

    def _fake(self, z, labels=None, training=True):
        """G's images for ``z`` (and, for a conditional G, the classes ``labels``); in training,
        in as many equal calls as the techniques' ``generator_calls`` (PacGAN)."""
        calls = self._calls("generator_calls") if training else 1
        return _joined([
            self.generator(part, labels=part_labels, training=training) if self.conditional
            else self.generator(part, training=training)
            for part, part_labels in _parts(z, labels, calls)])

    def _calls(self, attribute):
        """The largest ``generator_calls`` / ``discriminator_calls`` of the techniques (1)."""
        return max([getattr(t, attribute, 1) for t in self.techniques], default=1)

    def _d_forward(self, real, fake, labels=None, fake_labels=None):
        """D on the real and the generated batch: a full :class:`~ganzoo.updates.StepContext`."""
        return StepContext.forward(self, real, fake, labels, fake_labels)

    def _d_loss(self, ctx):
        """D's loss with the techniques' targets, and the sum of their penalties."""
        shape = ops.shape(ctx.real_logits)
        real_target = ops.ones(shape, ctx.real_logits.dtype)
        fake_target = ops.zeros(ops.shape(ctx.fake_logits), ctx.fake_logits.dtype)
        for technique in self.techniques:
            real_target, fake_target = technique.d_targets(self, real_target, fake_target)
        loss = self.d_loss_fn(ctx.real_logits, ctx.fake_logits, real_target, fake_target)
        penalty = ops.zeros((), loss.dtype)
        for technique in self.techniques:
            term = technique.d_penalty(self, ctx)
            if term is not None:
                penalty = penalty + term
        return loss + penalty, penalty

    def _g_loss(self, ctx):
        loss = self.g_loss_fn(ctx.fake_logits)
        for technique in self.techniques:
            loss = technique.g_loss(self, loss, ctx)
        return loss

    def test_step(self, data):
        raise NotImplementedError("GAN.evaluate is not defined; use ganzoo metrics instead")

    # ---------------------------------------------------------------------------- sampling
    def call(self, z, labels=None, training=False):
        return self._fake(z, labels, training=training)

    @property
    def sampler(self):
        """The generator that :meth:`generate` / :meth:`sample` use: G, or the moving average of
        G's weights when the ``ema`` technique is present."""
        for technique in self.techniques:
            hook = getattr(technique, "sampling_generator", None)
            if hook is not None:
                self.build()
                return hook(self)
        return self.generator

    def latents(self, n, seed=None):
        """``n`` latent vectors from N(0, I), float32, drawn with NumPy so every backend agrees.

        ``seed``: an int (or None), or a ``np.random.Generator`` that is drawn from and continued
        (``np.random.default_rng`` returns it as is), so that drawing in chunks from one generator
        gives exactly the latents of one call (how ``ganzoo sample`` streams a large .npy)."""
        n = validation.nonnegative_int(n, "n")
        rng = np.random.default_rng(seed)
        return rng.standard_normal((n, self.latent_dim), dtype=np.float32)

    def generate(self, z, labels=None, batch_size=256):
        """Images for the latent vectors ``z`` (array of shape (n, latent_dim)).

        Returns a NumPy float32 array of shape (n, H, W, C) with values in [-1, 1]
        (``training=False``: batch norm uses its moving statistics, so an image depends only on
        its own ``z``). ``labels``: the classes for a conditional GAN (required there: an int for
        every image, or n ints); refused for an unconditional one.
        """
        batch_size = validation.positive_int(batch_size, "batch_size")
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"z must have shape (n, {self.latent_dim}); got {tuple(z.shape)}"
            )
        if labels is not None or self.conditional:
            if labels is None:
                raise ValueError(
                    f"This GAN is conditional (num_classes={self.num_classes}): give generate() "
                    "labels= (an int, or one int class per latent); gan.sample(n, seed) draws "
                    "them from its seed")
            labels = self.check_labels(labels, len(z)).astype(np.int32)
        G = self.sampler
        out = [
            ops.convert_to_numpy(
                G(z[i : i + batch_size], training=False) if labels is None else
                G(z[i : i + batch_size], labels=labels[i : i + batch_size], training=False))
            for i in range(0, len(z), batch_size)
        ]
        if not out:
            return np.zeros((0,) + self.image_shape, np.float32)
        return np.concatenate(out).astype(np.float32)

    def sample(self, n, seed=None, batch_size=256, labels=None):
        """``n`` images: NumPy float32, shape (n, H, W, C), values in [-1, 1].

        The same ``seed`` gives the same images (the latents are drawn by
        ``np.random.default_rng(seed)``); ``seed=None`` draws fresh ones. Use
        :func:`ganzoo.utils.images.to_uint8` for 0-255 pixels.

        ``labels`` (conditional GANs only; an error otherwise): an int (every image of that
        class) or ``n`` ints. Without it a conditional GAN draws the classes uniformly from the
        same generator, after the latents (``rng.integers(num_classes, size=n)``): the latents
        stay ``latents(n, seed)`` and the same seed gives the same classes and images.
        """
        n = validation.nonnegative_int(n, "n")
        if labels is not None and not self.conditional:
            self.check_labels(labels, n)  # the unconditional GAN's error
        rng = np.random.default_rng(seed)
        z = self.latents(n, rng)
        if self.conditional and labels is None:
            labels = rng.integers(0, self.num_classes, size=n)
        return self.generate(z, labels=labels, batch_size=batch_size)

    def sample_labels(self, n, seed):
        """The classes ``sample(n, seed)`` draws for a conditional GAN (None for an unconditional
        one), for code that streams the same samples in chunks (``ganzoo eval``, ``ganzoo
        sample -o x.npy``): the latents come first from the seed's generator, then the classes."""
        if not self.conditional:
            return None
        rng = np.random.default_rng(seed)
        self.latents(n, rng)  # advance past the latents, as sample() draws them first
        return rng.integers(0, self.num_classes, size=n)

    # ----------------------------------------------------------------------- serialization
    def get_config(self):
        # (a mixed-precision policy is how a run computes, not part of the GAN: float32 here)
        return distribution.portable_config({
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "loss": self.loss_name,
            "update": self.update_rule.spec(),
            "seed": self.seed,
            "techniques": [keras.saving.serialize_keras_object(t) for t in self.techniques],
            "n_critic": self.n_critic,
        })

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        config["techniques"] = [keras.saving.deserialize_keras_object(t)
                                for t in config.get("techniques") or ()]
        return cls(**config)

    # The step's latent sampler is part of the training state: keep its state in save_weights (Keras
    # saves layers' weights only), so a resumed run draws the same latents as an uninterrupted one.
    _SEED_KEY = "latent_seed_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_KEY] = self.seed_generator.state

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_KEY])
        super().load_own_variables({k: store[k] for k in keys if k != self._SEED_KEY})

    def save_pretrained(self, directory, **card):
        """Write this GAN as a checkpoint directory: :func:`ganzoo.checkpoint.save` (``card``: its
        name, dataset, description, training record, metrics, ...)."""
        # The checkpoint layer sits above the model and imports no model module (it finds the
        # GAN class by its registered Keras name), so there is no cycle to dodge: this module
        # simply does not load the checkpoint layer until a GAN is saved.
        from ganzoo import checkpoint

        return checkpoint.save(self, directory, **card)


def _parts(x, labels, calls):
    """``[(part of x, part of labels)]``: ``x`` (and ``labels``, if any) in ``calls`` equal
    consecutive parts along the batch."""
    if calls == 1:
        return [(x, labels)]
    if x.shape[0] is not None and x.shape[0] % calls:
        raise ValueError(f"A training batch goes through a player in {calls} equal parts (the "
                         f"techniques' generator_calls / discriminator_calls: PacGAN's packing, "
                         f"MAD-GAN's generators); its size must be a multiple of {calls}; got "
                         f"{x.shape[0]}")
    parts = ops.split(x, calls, axis=0)
    label_parts = [None] * calls if labels is None else ops.split(labels, calls, axis=0)
    return list(zip(parts, label_parts))


def _joined(tensors):
    return tensors[0] if len(tensors) == 1 else ops.concatenate(tensors, axis=0)


def _player_classes(generator, discriminator):
    """The GAN's number of classes (G's ``num_classes``, or ``None``); G and D must agree."""
    g_classes = getattr(generator, "num_classes", None)
    d_classes = getattr(discriminator, "num_classes", None)
    if d_classes is not None and g_classes != d_classes:
        raise ValueError(
            f"The discriminator is built for {d_classes} classes but the generator for "
            f"{g_classes}: a class-conditional GAN needs num_classes={d_classes} on both players "
            "(ganzoo.create sets both for the 'cgan' and 'acgan' techniques)")
    return g_classes


class _OptimizerPair:
    """Both players' optimizers seen as one by Keras's trainers (``variables`` = G's + D's).

    Not a ``keras.optimizers.Optimizer``: the step applies gradients through the two real
    optimizers, which are also what ``save_weights`` stores (as ``g_optimizer`` / ``d_optimizer``).
    """

    built = True  # both optimizers are built by GAN.compile, each on its own player's variables

    def __init__(self, g_optimizer, d_optimizer):
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer

    def build(self, variables=None):
        """Keras's trainer may ask; the pair's optimizers are already built."""

    @property
    def variables(self):
        return list(self.g_optimizer.variables) + list(self.d_optimizer.variables)

    def __repr__(self):
        return f"<OptimizerPair g={self.g_optimizer.name} d={self.d_optimizer.name}>"
