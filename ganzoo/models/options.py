"""The architecture options a family may offer, in one place, and each family's contract.

An *option* is a constructor argument of a generator or a discriminator that a technique may
need: a normalization kind, minibatch discrimination, packing, dropout / noise in G, a class
condition, ... :data:`OPTIONS` declares every one of them (its name, the player it belongs to,
what it does and, for a choice, the kinds the zoo knows). Each family's classes state which
options -- and which values of a choice -- they build, as a class attribute made by
:func:`supports`::

    class DCGANDiscriminator(DiscriminatorHead, keras.Model):
        supported_options = options.supports(
            "discriminator", norm=("batch", None, "spectral"), minibatch_discrimination=True,
            packing=True, outputs=True, num_classes=True, condition=("input", "auxiliary"))

and validate a choice through it (:func:`choice`), so the contract and what the class really
builds are one list. A technique's ``generator_kwargs`` / ``discriminator_kwargs`` are its needs:
each key must be a declared option (a value, or :class:`Excluding` for "any kind but these").
Two checks follow from the contract:

* :func:`check_family` -- before anything is built (``ganzoo.create``, the registry): a family
  whose class does not support a technique's option (or that value) is refused with an error
  naming the technique, the family, the option, the values the family supports and the
  families that do support it;
* :func:`check_built` -- when the GAN is built (every technique's ``check``): the built player
  has the option at the needed value (a player built by hand without it is refused).
"""

import dataclasses

ROLES = ("generator", "discriminator")


@dataclasses.dataclass(frozen=True)
class Option:
    """One architecture option: ``name`` of the ``role``'s constructor; ``values`` the kinds the
    zoo knows for a choice (``None``: a number or a dict, not a choice)."""

    name: str
    role: str
    summary: str
    values: tuple = None


OPTIONS = {(o.role, o.name): o for o in (
    Option("norm", "generator", "normalization of G's hidden layers: batch norm, virtual batch "
           "norm (Salimans et al. 2016), spectral norm of the kernels, layer norm, or none",
           values=("batch", "vbn", "spectral", "layer", None)),
    Option("reference_batch_size", "generator", "the reference batch of norm='vbn'"),
    Option("dropout", "generator", "dropout on G's hidden layers, in training and sampling"),
    Option("noise_std", "generator", "N(0, σ²) noise on G's hidden layers, in training and "
           "sampling"),
    Option("num_classes", "generator", "a class condition: G(z, labels=...)"),
    Option("norm", "discriminator", "normalization of D: batch norm, spectral norm of every "
           "kernel (Miyato et al. 2018), layer norm, or none",
           values=("batch", "spectral", "layer", None)),
    Option("minibatch_discrimination", "discriminator", "a MinibatchDiscrimination layer "
           "before the logit (Salimans et al. 2016)"),
    Option("packing", "discriminator", "inputs of m samples packed together (PacGAN)"),
    Option("outputs", "discriminator", "logits per input (MAD-GAN's k + 1)"),
    Option("num_classes", "discriminator", "a class condition, of D's input or through an "
           "auxiliary classifier head"),
    Option("condition", "discriminator", "how D uses the class: on its input (cGAN) or an "
           "auxiliary classifier head (AC-GAN)", values=("input", "auxiliary")),
)}


def option(role, name):
    """The declared :class:`Option` ``name`` of ``role``, or a ``ValueError``."""
    try:
        return OPTIONS[(role, name)]
    except KeyError:
        known = ", ".join(n for r, n in OPTIONS if r == role)
        raise ValueError(f"{name!r} is not a declared {role} option (ganzoo.models.options."
                         f"OPTIONS: {known})") from None


class Contract(dict):
    """What one class supports: option name -> the supported values (a tuple, for a choice) or
    ``True`` (any valid value). Made by :func:`supports`; ``role`` is the player."""

    def __init__(self, role, supported):
        super().__init__(supported)
        self.role = role

    def supports(self, name, need):
        """Whether ``need`` (a value or an :class:`Excluding`) can be met by this class."""
        if name not in self:
            return False
        values = self[name]
        if isinstance(need, Excluding):
            return values is True or any(need.accepts(v) for v in values)
        return values is True or need in values

    def describe(self, name):
        values = self.get(name)
        if values is None:
            return f"has no option {name}"
        if values is True:
            return f"supports {name}"
        return f"supports {name}={' or '.join(map(repr, values))}"


def supports(role, **declared):
    """A class's :class:`Contract`: each keyword is a declared option of ``role``; its value is
    ``True`` (the option, any valid value) or, for a choice, the tuple of supported kinds (a
    subset of the option's :attr:`Option.values`)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}; got {role!r}")
    for name, values in declared.items():
        opt = option(role, name)
        if values is True:
            continue
        if opt.values is None or not isinstance(values, tuple) or not values:
            raise ValueError(f"{role} option {name!r}: declare True, or a non-empty tuple of the "
                             f"kinds among {opt.values!r}; got {values!r}")
        unknown = [v for v in values if v not in opt.values]
        if unknown:
            raise ValueError(f"{role} option {name!r}: unknown kinds {unknown!r}; declared kinds "
                             f"{opt.values!r} (add a new kind to ganzoo.models.options.OPTIONS)")
    return Contract(role, declared)


def choice(model, name, value):
    """``value`` of the choice option ``name``, checked against ``model``'s contract (the error
    quotes the value and the supported kinds)."""
    from ganzoo import validation

    return validation.choice(value, f"{type(model).__name__} {name}",
                             type(model).supported_options[name])


class Excluding:
    """A technique's need on a choice option: any kind the family supports except ``excluded``;
    ``default`` where nothing else (the user, another technique) sets the option. ``reason``
    says why the excluded kinds cannot work."""

    def __init__(self, *excluded, default, reason):
        self.excluded = tuple(excluded)
        self.default = default
        self.reason = reason
        if default in self.excluded:
            raise ValueError(f"the default {default!r} is one of the excluded kinds")

    def accepts(self, value):
        return value not in self.excluded

    def __eq__(self, other):
        return (isinstance(other, Excluding) and self.excluded == other.excluded
                and self.default == other.default)

    def __hash__(self):
        return hash((self.excluded, self.default))

    def __repr__(self):
        return (f"any but {' or '.join(map(repr, self.excluded))} "
                f"(default {self.default!r})")

    __str__ = __repr__


def _families():
    from ganzoo.models import FAMILIES

    return FAMILIES


def _needs(technique, role):
    needs = getattr(technique, f"{role}_kwargs")
    for name in needs:
        option(role, name)  # a technique's need is a declared option
    return needs


def _shown(name, need):
    return f"{name} {need!r}" if isinstance(need, Excluding) else f"{name}={need!r}"


def check_family(technique, family, families=None):
    """Refuse ``technique`` on ``family`` (a key of :data:`ganzoo.models.FAMILIES`) when a class
    of the family does not support one of its options (or the value it needs)."""
    families = _families() if families is None else families
    for index, role in enumerate(ROLES):
        contract = families[family][index].supported_options
        for name, need in _needs(technique, role).items():
            if contract.supports(name, need):
                continue
            cls = families[family][index].__name__
            others = [f for f, pair in families.items()
                      if f != family and pair[index].supported_options.supports(name, need)]
            if others:
                where = (f" The {' and '.join(map(repr, others))} "
                         f"famil{'ies support' if len(others) > 1 else 'y supports'} it.")
            else:
                where = " No family supports it yet (ganzoo.models.options)."
            raise ValueError(
                f"technique {technique.key!r} cannot be used with the {family!r} family: it "
                f"needs the {role} option {_shown(name, need)}, and the {family!r} {role} "
                f"({cls}) {contract.describe(name)}.{where}")


def architecture(player):
    """The model whose options ``player`` was built with (MAD-GAN's k generators share their
    first member's)."""
    return getattr(player, "member", player)


def check_built(technique, gan):
    """Refuse ``gan`` when one of its built players lacks an option ``technique`` needs (or has
    another value)."""
    for role in ROLES:
        player = architecture(getattr(gan, role))
        for name, need in _needs(technique, role).items():
            if not hasattr(player, name):
                raise ValueError(
                    f"technique {technique.key!r} needs a {role} built with {_shown(name, need)}; "
                    f"this one ({type(player).__name__}) has no option {name}")
            value = getattr(player, name)
            if isinstance(need, Excluding):
                if need.accepts(value):
                    continue
                raise ValueError(
                    f"technique {technique.key!r} refuses a {role} built with {name}={value!r}: "
                    f"{need.reason}. Build it with {name}={need.default!r} (ganzoo.create does "
                    "this).")
            if value != need:
                raise ValueError(
                    f"technique {technique.key!r} needs a {role} built with {name}={need!r} "
                    f"({type(player).__name__}; ganzoo.create builds it); this one has "
                    f"{name}={value!r}")
