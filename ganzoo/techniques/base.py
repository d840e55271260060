"""The technique interface, the registry of technique names, and composition rules.

A technique is a small ``keras.layers.Layer`` (so that its state -- running averages, schedule
positions -- is tracked, saved and resumed with the GAN) that the one training step of
:class:`ganzoo.gan.GAN` calls at fixed points:

``d_input(gan, x)``
    transform every input of D, real or generated (instance noise, DiffAugment);
``d_targets(gan, real_target, fake_target)``
    D's per-example targets for the non-saturating loss, shape (batch, 1) (label smoothing, noise);
``d_penalty(gan, ctx)``
    a term added to D's loss (gradient penalties, historical averaging); ``None`` for none;
``g_loss(gan, loss, ctx)``
    G's loss, given the loss so far (feature matching replaces it, historical averaging adds);
``before_d_step(gan)``
    before each of D's optimizer steps, ahead of the forward pass its gradient comes from (each
    of the ``n_critic`` D steps of the alternating rule; the shared forward pass of the
    simultaneous and unrolled rules): WGAN's weight clipping, whose authors clamp D's weights at
    the start of every critic iteration;
``update_state(gan)``
    after both players stepped (running averages, schedule counters);
``choose_fake_labels(gan, labels, batch)``
    the classes a conditional G generates this step (``labels``: the real batch's), or ``None``
    to leave the choice to the next technique / the GAN's default (uniform).

``ctx`` is a :class:`ganzoo.updates.StepContext` with the step's tensors: ``real`` / ``fake`` (the
batches before ``d_input``), ``real_in`` / ``fake_in`` (what D saw), ``real_logits`` /
``fake_logits``, ``real_features`` / ``fake_features`` (D's feature layer) and ``labels`` /
``fake_labels`` (the real and the generated batch's classes). In G's step of the alternating and
unrolled rules only the fake side is computed: a hook that needs the real side calls
``ctx.ensure_real()``, which computes it through :meth:`GAN.discriminate`.

Besides hooks, a technique declares what it needs from the rest of the GAN, and ``ganzoo.create``
applies it: ``engine`` (defaults for ``loss``, ``update``, ``n_critic``; ``loss`` is a requirement),
``engine_defaults`` (a loss etc. used only when nothing requires or gives another, e.g. SNGAN's
hinge), ``hparams`` (optimizer defaults, e.g. WGAN-GP's Adam(1e-4, 0.5, 0.9)),
``generator_kwargs`` / ``discriminator_kwargs`` (architecture options, e.g.
``minibatch_discrimination``: options declared in :mod:`ganzoo.models.options`, each a value or an
:class:`~ganzoo.models.options.Excluding`; a family whose contract lacks one is refused by name,
and the built players are checked to have them by :meth:`Technique.check`), ``losses``
(the loss families it works with), ``group`` (at most one technique of a group, e.g. one gradient
penalty), ``needs_labels`` (trains on ``(images, labels)``: ``ganzoo.create`` refuses a dataset
without classes and passes the dataset's class count, ``ganzoo train`` loads the labels) and
:meth:`check` (validated against the built GAN, e.g. no batch norm in a WGAN-GP critic).

Players: :meth:`make_generator` turns the family's generator into the player the GAN trains
(MAD-GAN: k generators of that architecture, :class:`ganzoo.models.Generators`; ``ganzoo.create``
calls it), and ``generator_calls`` / ``discriminator_calls`` (default 1) split a training batch
into that many equal parts, each through its own call of G / D, so that batch-norm statistics are
those of the authors' separate calls (PacGAN: one G call per member of the packs; MAD-GAN: one D
call per generator's batch). The GAN uses the largest value its techniques declare.
"""

import difflib
import inspect

import keras

from ganzoo import validation
from ganzoo.models import options

TECHNIQUES = {}


def register_technique(cls):
    """Class decorator: make ``cls`` reachable by its ``key`` and serializable by Keras."""
    if cls.key in TECHNIQUES:
        raise ValueError(f"technique {cls.key!r} is already registered")
    TECHNIQUES[cls.key] = cls
    return keras.saving.register_keras_serializable(package="ganzoo")(cls)


class Technique(keras.layers.Layer):
    key = None  # the registry name, e.g. "feature_matching"
    order = 50  # composition order of the hooks (lower first)
    engine = {}  # defaults for GAN(loss=, update=, n_critic=); "loss" is also required
    engine_defaults = {}  # engine settings that yield to any technique's engine and the user's
    hparams = {}  # optimizer defaults (learning_rate, beta_1, beta_2)
    generator_kwargs = {}
    discriminator_kwargs = {}
    losses = None  # loss families this technique works with (None: any)
    group = None  # at most one technique per group
    needs_labels = False  # trains on (images, labels) batches of a dataset with classes
    generator_calls = 1  # G calls a training batch is split into (PacGAN: m)
    discriminator_calls = 1  # D calls each training batch is split into (MAD-GAN: k)
    shipped = False  # whether a checkpoint ships this technique's state (else it restarts on load)
    paper = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("name", self.key)
        super().__init__(**kwargs)
        self.built = True

    # ---------------------------------------------------------------------------- hooks
    def make_generator(self, generator):
        """The generator player to train, given the family's ``generator`` (``ganzoo.create``
        calls it before building the GAN; MAD-GAN returns k generators of its architecture)."""
        return generator

    def attach(self, gan):
        """Create state that depends on the GAN's (built) players. Called by ``GAN.build``."""

    def reset_state(self, gan):
        """Start this technique's state afresh from the GAN's current weights (after loading a
        checkpoint, which ships weights but no training state)."""

    def check(self, gan):
        """Raise ``ValueError`` if this technique cannot work with ``gan``: a loss it does not
        work with, or a player built without an architecture option it needs (its
        ``generator_kwargs`` / ``discriminator_kwargs``, through the options contract)."""
        options.check_built(self, gan)
        if self.losses is not None and gan.loss_name not in self.losses:
            raise ValueError(
                f"technique {self.key!r} needs one of the losses {self.losses}; the GAN uses "
                f"{gan.loss_name!r}"
            )
        required = self.engine.get("loss")
        if required is not None and gan.loss_name != required:
            raise ValueError(
                f"technique {self.key!r} defines the loss {required!r}; the GAN was built with "
                f"loss={gan.loss_name!r} (ganzoo.create sets it for you)"
            )

    def d_input(self, gan, x):
        return x

    def d_targets(self, gan, real_target, fake_target):
        return real_target, fake_target

    def d_penalty(self, gan, ctx):
        return None

    def g_loss(self, gan, loss, ctx):
        return loss

    def before_d_step(self, gan):
        pass

    def update_state(self, gan):
        pass

    def choose_fake_labels(self, gan, labels, batch):
        return None

    def describe(self):
        """One line for the model card: the technique and its parameters."""
        params = {k: v for k, v in self.get_config().items()
                  if k not in ("name", "trainable", "dtype")}
        args = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{self.key}({args})"


def contains_layer(model, cls):
    """Whether ``model`` has a (nested) layer of class ``cls``."""
    return any(isinstance(layer, cls) for layer in model._flatten_layers())


def unknown_technique_error(name):
    close = difflib.get_close_matches(str(name), list(TECHNIQUES), n=3, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ValueError(
        f"Unknown technique {name!r}.{hint} Known techniques: {', '.join(sorted(TECHNIQUES))}"
    )


def technique_parameters(cls):
    """The parameter names a technique class's constructor takes (beyond Keras's layer kwargs)."""
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def get_technique(spec):
    """A :class:`Technique` from a name, a ``{"name": ..., **params}`` dict, or an instance.

    A parameter the technique does not take is a ``ValueError`` naming the close matches of the
    parameters it does take (``{"name": "r1", "gama": 1}`` -> "Did you mean gamma?")."""
    if isinstance(spec, Technique):
        return spec
    if isinstance(spec, str):
        name, params = spec, {}
    elif isinstance(spec, dict) and "name" in spec:
        params = dict(spec)
        name = params.pop("name")
    else:
        raise ValueError(
            "a technique is a name (e.g. 'feature_matching'), a dict {'name': ..., **params} or "
            f"a Technique instance; got {spec!r}"
        )
    if not isinstance(name, str):
        raise ValueError(f"a technique's name must be a string; got {name!r} in {spec!r}")
    try:
        cls = TECHNIQUES[name]
    except KeyError:
        raise unknown_technique_error(name) from None
    validation.check_kwargs(params, technique_parameters(cls), f"technique {name!r}",
                            kind="parameter")
    return cls(**params)


def technique_specs(specs):
    """``specs`` (a list or tuple of technique specs, or ``None``) as a tuple.

    A lone name, dict or instance is refused rather than iterated (``techniques="r1"`` would
    otherwise be read as the techniques ``'r'`` and ``'1'``)."""
    if specs is None:
        return ()
    if isinstance(specs, (list, tuple)):
        return tuple(specs)
    if isinstance(specs, str):
        raise ValueError(f"techniques must be a list, e.g. [{specs!r}]; got the string {specs!r}")
    if isinstance(specs, (dict, Technique)):
        raise ValueError(f"techniques must be a list, e.g. [{specs!r}]; got a single technique "
                         f"{specs!r}")
    raise ValueError("techniques must be a list of technique names, {'name': ..., **params} "
                     f"dicts or Technique instances, e.g. ['r1']; got {specs!r}")


def resolve(specs):
    """Instances for ``specs`` (a list), in composition order; refuses duplicates and group
    clashes."""
    techniques = [get_technique(s) for s in technique_specs(specs)]
    seen, groups = set(), {}
    for t in techniques:
        if t.key in seen:
            raise ValueError(f"technique {t.key!r} is listed twice")
        seen.add(t.key)
        if t.group is not None:
            if t.group in groups:
                raise ValueError(
                    f"techniques {groups[t.group]!r} and {t.key!r} cannot be combined: both are "
                    f"a {t.group} (use one)"
                )
            groups[t.group] = t.key
    engines = {}
    for t in techniques:
        for k, v in t.engine.items():
            if k in engines and engines[k][1] != v:
                raise ValueError(
                    f"techniques {engines[k][0]!r} and {t.key!r} cannot be combined: they need "
                    f"{k}={engines[k][1]!r} and {k}={v!r}"
                )
            engines[k] = (t.key, v)
    return sorted(techniques, key=lambda t: t.order)


def engine_of(techniques):
    """The engine settings the techniques set: every technique's ``engine`` (requirements;
    :func:`resolve` refuses two that differ) over every technique's ``engine_defaults``."""
    merged = {k: v for t in techniques for k, v in t.engine_defaults.items()}
    merged.update({k: v for t in techniques for k, v in t.engine.items()})
    return merged


def merge_options(techniques, attribute, given, what):
    """Options ``given`` by the user plus those the techniques set; a clash is an error that
    says who set the other value. A need that is an
    :class:`~ganzoo.models.options.Excluding` accepts any other value set, and gives its
    default where none is."""
    merged = dict(given or {})
    setter = dict.fromkeys(merged)  # option -> the technique that set it (None: given)

    def source(k):
        return "was given" if setter[k] is None else f"is set by technique {setter[k]!r}"

    excluding = []
    for t in techniques:
        for k, v in getattr(t, attribute).items():
            if isinstance(v, options.Excluding):
                excluding.append((t, k, v))
                continue
            if k in merged and merged[k] != v:
                raise ValueError(
                    f"technique {t.key!r} needs {what} option {k}={v!r}, but {k}={merged[k]!r} "
                    f"{source(k)}"
                )
            merged[k] = v
            setter.setdefault(k, t.key)
    for t, k, need in excluding:
        if k not in merged:
            merged[k] = need.default
            setter[k] = t.key
        elif not need.accepts(merged[k]):
            raise ValueError(
                f"technique {t.key!r} cannot work with {what} option {k}={merged[k]!r} (it "
                f"{source(k)}): {need.reason}. Leave {k} out ({k}={need.default!r}) or give "
                f"another kind than {' or '.join(map(repr, need.excluded))}")
    return merged


class WassersteinCritic(Technique):
    """A technique that turns D into a WGAN critic: Wasserstein loss, alternating updates,
    ``n_critic`` critic steps per G step (WGAN-GP's penalty, WGAN's weight clipping)."""

    def __init__(self, n_critic=5, **kwargs):
        super().__init__(**kwargs)
        self.n_critic = validation.positive_int(n_critic, f"{self.key}: n_critic")

    @property
    def engine(self):
        return {"loss": "wasserstein", "update": "alternating", "n_critic": self.n_critic}

    def get_config(self):
        return {**super().get_config(), "n_critic": self.n_critic}
