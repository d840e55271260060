"""Update rules: how one training step turns a real batch into G's and D's optimizer steps.

A rule is a small registered object, chosen by name like a technique
(``GAN(update="alternating", n_critic=5)``, a technique's ``engine = {"update": ...}``, or
``GAN(update={"name": "unrolled", "k": 5})``). The GAN's step body reads the batch, calls
``rule.step(gan, real, labels)`` and then the techniques' state updates; a rule uses the GAN's own
pieces (:meth:`GAN.discriminate`, ``gan._latents`` / ``_fake_labels`` / ``_fake`` / ``_d_forward`` /
``_d_loss`` / ``_g_loss``) and takes gradients only through :mod:`ganzoo.backend`, so every rule
runs under TF, JAX and torch. ``labels`` is the real batch's class labels (or ``None``); every rule
puts them, and the generated batch's classes (``gan._fake_labels``: ``None`` for an unconditional
G), in the step context, and feeds them to a conditional G and D.

``simultaneous``
    One forward pass gives both players' gradients; both optimizers step.
``alternating`` (``n_critic``)
    Each real batch is split into ``n_critic`` chunks: one D step per chunk (fresh ``z``, G's
    output held fixed), then G is scored by the updated D -- on the last chunk's ``z`` when
    ``n_critic = 1`` (the DCGAN authors' code), on fresh ``z`` otherwise (the WGAN-GP authors').
``unrolled`` (``k``)
    Metz et al. 2017: G's loss is computed against D unrolled ``k`` optimizer steps ahead, and G's
    gradient flows through those steps (second order). See :class:`Unrolled`.

The step context (:class:`StepContext`) is what the techniques' loss hooks receive. Every rule
calls :func:`before_d_step` (the techniques' ``before_d_step`` hooks, e.g. WGAN's weight clipping)
before each of D's optimizer steps, ahead of the forward pass that step's gradient comes from.
"""

import dataclasses
import difflib
import inspect
from typing import Any

import keras
from keras import ops

from ganzoo import backend, validation

UPDATE_RULES = {}


def register_update(cls):
    """Class decorator: make an :class:`UpdateRule` subclass reachable by its ``key``."""
    if not cls.key:
        raise ValueError(f"update rule {cls.__name__} has no key")
    if cls.key in UPDATE_RULES:
        raise ValueError(f"update rule {cls.key!r} is already registered")
    UPDATE_RULES[cls.key] = cls
    return cls


# ------------------------------------------------------------------------------ context
@dataclasses.dataclass(eq=False)
class StepContext:
    """The tensors of one D evaluation, as the techniques' hooks see them.

    ``real`` / ``fake``: the batches before the techniques' ``d_input`` transforms;
    ``real_in`` / ``fake_in``: what D saw; ``*_logits``: D's logits, ``*_features``: D's feature
    layer. In G's step of the alternating and unrolled rules only the fake side is computed:
    :meth:`ensure_real` fills the real side (through :meth:`GAN.discriminate`, with the weights
    that are current where it is called) the first time a technique needs it. ``labels`` is the
    real batch's class labels when the data has them (int32, shape (batch,) for a conditional
    GAN), else ``None``; ``fake_labels`` the classes the generated batch was drawn for (``None``
    for an unconditional G). A conditional D sees each batch with its own labels.
    """

    gan: Any = dataclasses.field(repr=False)
    real: Any
    fake: Any
    real_in: Any = None
    fake_in: Any = None
    real_logits: Any = None
    fake_logits: Any = None
    real_features: Any = None
    fake_features: Any = None
    labels: Any = None
    fake_labels: Any = None

    @classmethod
    def forward(cls, gan, real, fake, labels=None, fake_labels=None):
        """D on both batches (real first, then fake, in separate calls)."""
        ctx = cls(gan, real, fake, labels=labels, fake_labels=fake_labels)
        ctx.ensure_real()
        ctx.fake_in, ctx.fake_logits, ctx.fake_features = gan.discriminate(
            fake, labels=fake_labels)
        return ctx

    @classmethod
    def fake_only(cls, gan, real, fake, labels=None, fake_labels=None):
        """D on the fake batch only (G's step); the real side is left to :meth:`ensure_real`."""
        ctx = cls(gan, real, fake, labels=labels, fake_labels=fake_labels)
        ctx.fake_in, ctx.fake_logits, ctx.fake_features = gan.discriminate(
            fake, labels=fake_labels)
        return ctx

    def ensure_real(self):
        """Compute ``real_in`` / ``real_logits`` / ``real_features`` if they are missing; return
        ``self``."""
        if self.real_logits is None:
            self.real_in, self.real_logits, self.real_features = self.gan.discriminate(
                self.real, labels=self.labels)
        return self


# --------------------------------------------------------------------------------- rules
class UpdateRule:
    """Base class. A rule's parameters are its constructor's arguments (``get_config``)."""

    key = None
    takes_n_critic = False  # whether the GAN's n_critic (> 1) applies to this rule
    n_critic = 1  # chunks each real batch is split into (D steps per G step)
    paper = ""

    def step(self, gan, real, labels=None):
        """One training step on the real batch ``real`` (with its class ``labels``, or
        ``None``). Returns a dict with ``d_loss``, ``g_loss``, ``penalty``, ``real_logits`` and
        ``fake_logits`` (for the metrics)."""
        raise NotImplementedError

    def check(self, gan):
        """Raise ``ValueError`` if this rule cannot work with ``gan`` (called when it is built)."""

    def check_compiled(self, gan):
        """Raise ``ValueError`` if this rule cannot work with ``gan``'s optimizers (called by
        ``GAN.compile``)."""

    def get_config(self):
        return {}

    def spec(self):
        """The rule as saved in a GAN's config: its name, or ``{"name": ..., **params}`` when a
        parameter differs from its default (``n_critic`` is saved by the GAN itself)."""
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters
                    .values() if p.default is not inspect.Parameter.empty}
        params = {k: v for k, v in self.get_config().items()
                  if k != "n_critic" and defaults.get(k, object()) != v}
        return {"name": self.key, **params} if params else self.key

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def update_parameters(cls):
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def get_update(spec, n_critic=1):
    """An :class:`UpdateRule` from a name, a ``{"name": ..., **params}`` dict or an instance.

    ``n_critic`` is the GAN's argument: it goes to the rules that take it (``alternating``); a
    value > 1 for any other rule is an error, as is a value that contradicts the spec's own."""
    n_critic = validation.positive_int(n_critic, "n_critic")
    if isinstance(spec, UpdateRule):
        rule = spec
        name = rule.key
    else:
        if isinstance(spec, str):
            name, params = spec, {}
        elif isinstance(spec, dict) and isinstance(spec.get("name"), str):
            params = dict(spec)
            name = params.pop("name")
        else:
            raise ValueError(
                f"update must be one of {tuple(UPDATE_RULES)}, a dict {{'name': ..., **params}} or "
                f"an UpdateRule; got {spec!r}"
            )
        try:
            cls = UPDATE_RULES[name]
        except KeyError:
            close = difflib.get_close_matches(str(name), list(UPDATE_RULES), n=3, cutoff=0.4)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ValueError(f"update must be one of {tuple(UPDATE_RULES)}; got {name!r}.{hint}"
                             ) from None
        validation.check_kwargs(params, update_parameters(cls), f"update rule {name!r}",
                                kind="parameter")
        if cls.takes_n_critic and n_critic > 1:
            given = params.get("n_critic", n_critic)
            if given != n_critic:
                raise ValueError(f"update rule {name!r}: n_critic={given!r} in the spec but "
                                 f"n_critic={n_critic!r} given to the GAN")
            params["n_critic"] = n_critic
        rule = cls(**params)
    if n_critic > 1 and not (rule.takes_n_critic and rule.n_critic == n_critic):
        raise ValueError(
            f"n_critic must be >= 1, and > 1 only with update='alternating'; got "
            f"n_critic={n_critic}, update={name!r}"
        )
    return rule


def before_d_step(gan):
    """Run the techniques' ``before_d_step`` hooks: every rule calls this before each of D's
    optimizer steps, ahead of the forward pass that step's gradient comes from."""
    for technique in gan.techniques:
        technique.before_d_step(gan)


def _metrics(d_loss, g_loss, penalty, real_logits, fake_logits):
    return {"d_loss": d_loss, "g_loss": g_loss, "penalty": penalty,
            "real_logits": real_logits, "fake_logits": fake_logits}


@register_update
class Simultaneous(UpdateRule):
    """One forward pass (``z``, ``G(z)``, D on the real and the fake batch) gives D's gradient of
    ``d_loss`` and G's gradient of ``g_loss``; both optimizers then step (as in the TensorFlow
    DCGAN tutorial)."""

    key = "simultaneous"

    def step(self, gan, real, labels=None):
        G = gan.generator
        z = gan._latents(ops.shape(real)[0])
        fake_labels = gan._fake_labels(labels, ops.shape(real)[0])
        d_vars, g_vars = gan.discriminator.trainable_variables, G.trainable_variables
        before_d_step(gan)

        def loss_fn():
            ctx = gan._d_forward(real, gan._fake(z, fake_labels), labels, fake_labels)
            d_loss, penalty = gan._d_loss(ctx)
            return [d_loss, gan._g_loss(ctx)], (ctx.real_logits, ctx.fake_logits, penalty)

        ([d_loss, g_loss], (real_logits, fake_logits, penalty)), (d_grads, g_grads) = (
            backend.gradients(loss_fn, [d_vars, g_vars], [gan.d_optimizer, gan.g_optimizer]))
        backend.apply_gradients(gan.d_optimizer, d_grads, d_vars)
        backend.apply_gradients(gan.g_optimizer, g_grads, g_vars)
        return _metrics(d_loss, g_loss, penalty, real_logits, fake_logits)


@register_update
class Alternating(UpdateRule):
    """D steps on each of ``n_critic`` chunks of the real batch (fresh ``z`` each, G's output held
    fixed), then G is scored by the updated D -- on the last chunk's ``z`` when ``n_critic = 1``
    (as in the DCGAN authors' code), on fresh ``z`` otherwise (as in the WGAN-GP authors' code).
    The data pipeline's batch is ``n_critic`` times the per-step batch."""

    key = "alternating"
    takes_n_critic = True

    def __init__(self, n_critic=1):
        self.n_critic = validation.positive_int(n_critic, "n_critic")

    def get_config(self):
        return {"n_critic": self.n_critic}

    def chunks(self, gan, real):
        if self.n_critic == 1:
            return [real]
        if real.shape[0] is not None:
            gan._check_critic_batch(real.shape[0])
        size = ops.shape(real)[0] // self.n_critic
        return [real[i * size:(i + 1) * size] for i in range(self.n_critic)]

    def step(self, gan, real, labels=None):
        G = gan.generator
        d_vars, g_vars = gan.discriminator.trainable_variables, G.trainable_variables
        label_chunks = ([None] * self.n_critic if labels is None
                        else self.chunks(gan, labels))
        for chunk, chunk_labels in zip(self.chunks(gan, real), label_chunks):
            z = gan._latents(ops.shape(chunk)[0])
            fake_labels = gan._fake_labels(chunk_labels, ops.shape(chunk)[0])
            fake = ops.stop_gradient(gan._fake(z, fake_labels))

            def d_loss_fn(chunk=chunk, fake=fake, chunk_labels=chunk_labels,
                          fake_labels=fake_labels):
                ctx = gan._d_forward(chunk, fake, chunk_labels, fake_labels)
                d_loss, penalty = gan._d_loss(ctx)
                return [d_loss], (ctx.real_logits, ctx.fake_logits, penalty)

            before_d_step(gan)
            ([d_loss], (real_logits, fake_logits, penalty)), (d_grads,) = backend.gradients(
                d_loss_fn, [d_vars], [gan.d_optimizer])
            backend.apply_gradients(gan.d_optimizer, d_grads, d_vars)
        if self.n_critic > 1:
            z = gan._latents(ops.shape(chunk)[0])
            fake_labels = gan._fake_labels(chunk_labels, ops.shape(chunk)[0])

        def g_loss_fn():
            ctx = StepContext.fake_only(gan, chunk, gan._fake(z, fake_labels), chunk_labels,
                                        fake_labels)
            return [gan._g_loss(ctx)], None

        ([g_loss], _), (g_grads,) = backend.gradients(g_loss_fn, [g_vars], [gan.g_optimizer])
        backend.apply_gradients(gan.g_optimizer, g_grads, g_vars)
        return _metrics(d_loss, g_loss, penalty, real_logits, fake_logits)


@register_update
class Unrolled(UpdateRule):
    """Unrolled GAN (Metz et al. 2017): G minimizes its loss against D *unrolled* ``k`` steps of
    D's own optimizer ahead, and its gradient flows through the unrolled steps (second order);
    D is then updated normally, from its current weights, with the gradient of the same forward
    pass (G's and D's steps are simultaneous, as in the authors' code).

    Follows the authors' code (github.com/poolio/unrolled_gan, ``Unrolled GAN demo.ipynb``): the
    look-ahead repeats D's optimizer update -- Adam with its moments and step counter, copied
    from D's optimizer state -- ``k`` times on the *same* real batch and the same generated batch
    (``graph_replace`` of D's update ops), and G's loss is evaluated with the weights of the last
    step. The look-ahead changes neither D's weights (nor its batch-norm statistics) nor D's
    optimizer state. The authors' G minimizes the negative of D's loss (the minimax objective);
    ganzoo uses the GAN's loss family (non-saturating G loss by default) at the unrolled D.

    D's optimizer must be Adam or SGD (their updates are simulated functionally, exactly as Keras
    computes them), without gradient clipping, weight decay, EMA or gradient accumulation.
    """

    key = "unrolled"
    paper = "Metz et al., Unrolled Generative Adversarial Networks, ICLR 2017, arXiv:1611.02163"

    def __init__(self, k=5):
        self.k = validation.positive_int(k, "unrolled: k")

    def get_config(self):
        return {"k": self.k}

    def check_compiled(self, gan):
        FunctionalOptimizer.check(gan.d_optimizer)

    def lookahead_g_loss(self, gan, real, fake, optimizer_state, labels=None, fake_labels=None):
        """G's loss against D after ``k`` simulated optimizer steps on ``(real, fake)`` (with
        their class labels, for a conditional GAN)."""
        D = gan.discriminator
        d_vars = D.trainable_variables
        theta = [ops.convert_to_tensor(v) for v in d_vars]
        state = optimizer_state
        for i in range(self.k):
            def d_loss_at(values):
                with backend.substitute(d_vars, values, discard=D.non_trainable_variables):
                    return gan._d_loss(gan._d_forward(real, fake, labels, fake_labels))[0]

            _, grads = backend.tensor_gradients(d_loss_at, theta)
            theta, state = state.step(theta, grads)
        with backend.substitute(d_vars, theta, discard=D.non_trainable_variables):
            return gan._g_loss(StepContext.fake_only(gan, real, fake, labels, fake_labels))

    def losses_and_gradients(self, gan, real, z, labels=None, fake_labels=None):
        """``(values, d_grads, g_grads)`` of one step at latents ``z`` (and, for a conditional
        GAN, the real batch's ``labels`` and the generated batch's ``fake_labels``) -- nothing is
        applied."""
        G, D = gan.generator, gan.discriminator
        d_vars, g_vars = D.trainable_variables, G.trainable_variables
        optimizer_state = FunctionalOptimizer(gan.d_optimizer, d_vars, self.k)  # read here

        def loss_fn():
            fake = gan._fake(z, fake_labels)
            ctx = gan._d_forward(real, fake, labels, fake_labels)
            d_loss, penalty = gan._d_loss(ctx)
            g_loss = self.lookahead_g_loss(gan, real, fake, optimizer_state, labels, fake_labels)
            return [d_loss, g_loss], (ctx.real_logits, ctx.fake_logits, penalty)

        ([d_loss, g_loss], (real_logits, fake_logits, penalty)), (d_grads, g_grads) = (
            backend.gradients(loss_fn, [d_vars, g_vars], [gan.d_optimizer, gan.g_optimizer]))
        return _metrics(d_loss, g_loss, penalty, real_logits, fake_logits), d_grads, g_grads

    def step(self, gan, real, labels=None):
        z = gan._latents(ops.shape(real)[0])
        fake_labels = gan._fake_labels(labels, ops.shape(real)[0])
        before_d_step(gan)
        values, d_grads, g_grads = self.losses_and_gradients(gan, real, z, labels, fake_labels)
        backend.apply_gradients(gan.d_optimizer, d_grads, gan.discriminator.trainable_variables)
        backend.apply_gradients(gan.g_optimizer, g_grads, gan.generator.trainable_variables)
        return values


# --------------------------------------------------------------- functional optimizers
def _sqrt(v):
    """``sqrt(v)`` for ``v >= 0`` whose derivative at ``v = 0`` is 0 instead of infinite.

    The same value as ``ops.sqrt``. Adam's second moment is exactly 0 where a weight's gradient
    has always been 0 (a dead ReLU unit); there ``d sqrt(v) / dv = inf`` meets ``dv = 0`` and a
    gradient through the update would be NaN, while the limit of the chain (``v`` grows as ``g²``)
    is 0."""
    positive = v > 0
    return ops.where(positive, ops.sqrt(ops.where(positive, v, ops.ones_like(v))), ops.zeros_like(v))


class FunctionalOptimizer:
    """A Keras optimizer's update as a pure function of ``(weights, slots)``, started from the
    optimizer's current state (read when this object is made, outside any differentiated
    function) and advanced by :meth:`step` without touching the optimizer or the variables.

    Supports ``keras.optimizers.Adam`` (with ``amsgrad``) and ``keras.optimizers.SGD`` (with
    momentum and Nesterov), computed exactly as their ``update_step``; the learning rate may be a
    float or a schedule (evaluated at each simulated iteration).
    """

    def __init__(self, optimizer, variables, steps):
        self.check(optimizer)
        self.optimizer = optimizer
        self.kind = "adam" if isinstance(optimizer, keras.optimizers.Adam) else "sgd"
        iterations = ops.convert_to_tensor(optimizer.iterations)
        self.iterations = iterations
        self.lrs = [self._learning_rate(optimizer, iterations + i) for i in range(steps)]
        index = optimizer._get_variable_index
        if self.kind == "adam":
            slots = [[ops.convert_to_tensor(optimizer._momentums[index(v)]) for v in variables],
                     [ops.convert_to_tensor(optimizer._velocities[index(v)]) for v in variables]]
            if optimizer.amsgrad:
                slots.append([ops.convert_to_tensor(optimizer._velocity_hats[index(v)])
                              for v in variables])
        elif optimizer.momentum != 0:
            slots = [[ops.convert_to_tensor(optimizer.momentums[index(v)]) for v in variables]]
        else:
            slots = []
        self.slots = slots
        self.count = 0

    @staticmethod
    def check(optimizer):
        if not isinstance(optimizer, (keras.optimizers.Adam, keras.optimizers.SGD)) or type(
                optimizer).__name__ not in ("Adam", "SGD"):
            raise ValueError(
                "update='unrolled' simulates D's optimizer in its look-ahead and supports Adam "
                f"and SGD; D's optimizer is {type(optimizer).__name__}"
            )
        for name in ("clipnorm", "clipvalue", "global_clipnorm", "weight_decay"):
            if getattr(optimizer, name, None):
                raise ValueError(f"update='unrolled' does not simulate D's optimizer option "
                                 f"{name}={getattr(optimizer, name)!r}; build it without")
        if optimizer.use_ema or optimizer.gradient_accumulation_steps:
            raise ValueError("update='unrolled' does not simulate D's optimizer with use_ema or "
                             "gradient_accumulation_steps; build it without")
        if getattr(optimizer, "loss_scale_factor", None):
            raise ValueError("update='unrolled' does not simulate loss_scale_factor")

    @staticmethod
    def _learning_rate(optimizer, iterations):
        lr = optimizer._learning_rate
        if isinstance(lr, keras.optimizers.schedules.LearningRateSchedule):
            return ops.convert_to_tensor(lr(iterations))
        if isinstance(lr, keras.Variable):
            return ops.convert_to_tensor(lr)
        if callable(lr):
            return ops.convert_to_tensor(lr())
        return lr

    def _advance(self):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.count = self.count + 1
        return clone

    def step(self, weights, grads):
        """``(new_weights, new_state)`` after one optimizer step with ``grads``."""
        lr_value, i = self.lrs[self.count], self.count
        new_weights, new_slots = [], [[] for _ in self.slots]
        opt = self.optimizer
        for j, (w, g) in enumerate(zip(weights, grads)):
            dtype = w.dtype
            lr = ops.cast(lr_value, dtype)
            g = ops.cast(g, dtype)
            if self.kind == "adam":
                local_step = ops.cast(self.iterations + (i + 1), dtype)
                beta_1_power = ops.power(ops.cast(opt.beta_1, dtype), local_step)
                beta_2_power = ops.power(ops.cast(opt.beta_2, dtype), local_step)
                m, v = self.slots[0][j], self.slots[1][j]
                alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
                m = m + ops.multiply(ops.subtract(g, m), 1 - opt.beta_1)
                v = v + ops.multiply(ops.subtract(ops.square(g), v), 1 - opt.beta_2)
                new_slots[0].append(m)
                new_slots[1].append(v)
                if opt.amsgrad:
                    v = ops.maximum(self.slots[2][j], v)
                    new_slots[2].append(v)
                w = w - ops.divide(ops.multiply(m, alpha), ops.add(_sqrt(v), opt.epsilon))
            elif self.slots:  # SGD with momentum
                momentum = ops.cast(opt.momentum, dtype)
                m = -g * lr + self.slots[0][j] * momentum
                new_slots[0].append(m)
                w = w + (-g * lr + m * momentum if opt.nesterov else m)
            else:
                w = w - g * lr
            new_weights.append(w)
        state = self._advance()
        state.slots = new_slots
        return new_weights, state
