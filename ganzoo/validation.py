"""Argument checks for the places where arguments enter ganzoo (constructors, ``ganzoo.create``,
``GAN``, the training run, the command line).

A leaf module (standard library and NumPy only), so that any module can use it. Each check returns
the value as a plain Python ``int`` / ``float`` or raises ``ValueError`` that names the argument,
quotes the bad value (its ``repr``) and states the valid range::

    positive_int(2.7, "n_critic")       # n_critic must be an integer >= 1; got 2.7
    nonnegative_float(-1, "r1: gamma")  # r1: gamma must be a finite number >= 0; got -1
    probability(1.0, "beta_1", open_right=True)  # beta_1 must be a number in [0, 1); got 1.0

Integers (counts, sizes, seeds) must be real integers: ``int`` or a NumPy integer. ``2.7`` is
refused, not truncated, and so is ``2.0`` (as ``range()`` and ``operator.index`` do); ``True`` /
``False`` are refused. Numbers must be real and finite unless a range says otherwise: ``int``,
``float`` or a NumPy scalar; strings and bools are refused.
"""

import difflib
import math
import numbers
import operator

import numpy as np

__all__ = [
    "check_kwargs", "choice", "close_matches", "did_you_mean", "finite_float", "integer", "nonnegative_float",
    "nonnegative_int", "number", "positive_float", "positive_int", "probability",
]


def _fail(name, expected, value):
    raise ValueError(f"{name} must be {expected}; got {value!r}")


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


# ----------------------------------------------------------------------------------- integers
def integer(value, name, minimum=None, maximum=None):
    """``value`` as an ``int`` if it is an integer (``int``, NumPy integer; not bool, not float)
    with ``minimum <= value <= maximum`` (each bound optional)."""
    if minimum is not None and maximum is not None:
        expected = f"an integer in [{minimum}, {maximum}]"
    elif minimum is not None:
        expected = f"an integer >= {minimum}"
    elif maximum is not None:
        expected = f"an integer <= {maximum}"
    else:
        expected = "an integer"
    if _is_bool(value) or isinstance(value, (float, np.floating, str, bytes)):
        _fail(name, expected, value)
    try:
        result = operator.index(value)
    except TypeError:
        _fail(name, expected, value)
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        _fail(name, expected, value)
    return int(result)


def positive_int(value, name):
    """An integer >= 1 (a count or a size)."""
    return integer(value, name, minimum=1)


def nonnegative_int(value, name):
    """An integer >= 0 (a seed, a number of steps that may be zero)."""
    return integer(value, name, minimum=0)


# ------------------------------------------------------------------------------------ numbers
def _interval(low, high, open_low, open_high):
    return f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"


def number(value, name, low=None, high=None, *, open_low=False, open_high=False,
           finite=True):
    """``value`` as a ``float`` if it is a real number (not bool, not a string), finite (unless
    ``finite=False``; NaN is always refused) and within the bounds: ``low <= value`` (``<`` when
    ``open_low``) and ``value <= high`` (``<`` when ``open_high``); each bound optional."""
    if low is not None and high is not None:
        expected = f"a number in {_interval(low, high, open_low, open_high)}"
    elif low is not None:
        expected = f"a {'finite ' if finite else ''}number {'>' if open_low else '>='} {low:g}"
    elif high is not None:
        expected = f"a {'finite ' if finite else ''}number {'<' if open_high else '<='} {high:g}"
    else:
        expected = "a finite number" if finite else "a number (not NaN)"
    if _is_bool(value) or not isinstance(value, numbers.Real):
        _fail(name, expected, value)
    result = float(value)
    if math.isnan(result) or (finite and math.isinf(result)):
        _fail(name, expected, value)
    if low is not None and (result < low or (open_low and result == low)):
        _fail(name, expected, value)
    if high is not None and (result > high or (open_high and result == high)):
        _fail(name, expected, value)
    return result


def finite_float(value, name):
    """A finite real number."""
    return number(value, name)


def positive_float(value, name):
    """A finite number > 0 (a learning rate, an epsilon, a half-life)."""
    return number(value, name, low=0, open_low=True)


def nonnegative_float(value, name):
    """A finite number >= 0 (a penalty weight, a noise level: 0 switches it off)."""
    return number(value, name, low=0)


def probability(value, name, *, open_left=False, open_right=False, high=1.0):
    """A number in [0, ``high``] (``high`` = 1 by default); ``open_left`` / ``open_right`` exclude
    the ends: ``probability(b, "beta_1", open_right=True)`` is [0, 1)."""
    return number(value, name, low=0.0, high=high, open_low=open_left, open_high=open_right)


# --------------------------------------------------------------------------------------- names
def close_matches(name, candidates, n=3, cutoff=0.6, margin=0.1):
    """The ``candidates`` most similar to ``name`` (``difflib`` ratio >= ``cutoff``), best first,
    keeping only those within ``margin`` of the best one (``'gama'`` -> gamma, not sigma)."""
    scored = []
    for c in dict.fromkeys(str(c) for c in candidates):
        ratio = difflib.SequenceMatcher(None, str(name), c).ratio()
        if ratio >= cutoff:
            scored.append((ratio, c))
    scored.sort(key=lambda rc: -rc[0])
    return [c for r, c in scored[:n] if r >= scored[0][0] - margin]


def did_you_mean(name, candidates, n=3, cutoff=0.6):
    """``" Did you mean x?"`` / ``" Did you mean x, y?"`` for the close matches of ``name`` among
    ``candidates``, or ``""``."""
    close = close_matches(name, candidates, n=n, cutoff=cutoff)
    return f" Did you mean {', '.join(close)}?" if close else ""


def choice(value, name, choices):
    """``value`` if it is one of ``choices``, else a ValueError listing them (with close matches
    of a misspelt string)."""
    try:
        if value in choices:
            return value
    except TypeError:  # unhashable value and a set of choices
        pass
    hint = did_you_mean(value, choices) if isinstance(value, str) else ""
    raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}"
                     + (f".{hint}" if hint else ""))


def check_kwargs(given, accepted, what, kind="argument", also=()):
    """Refuse names in ``given`` (a mapping or an iterable of names) that are not in ``accepted``.

    The ``ValueError`` starts with ``what`` (e.g. ``"technique 'r1'"``), names each unknown
    ``kind`` (e.g. ``"parameter"``) with its close matches among ``accepted`` and ``also`` (names
    valid elsewhere in the same call, e.g. ``create``'s own keywords) and lists ``accepted``::

        technique 'r1': unknown parameter 'gama'. Did you mean gamma? Accepted: gamma.

    Returns ``given`` unchanged.
    """
    accepted = [str(a) for a in accepted]
    unknown = [k for k in given if k not in accepted]
    if not unknown:
        return given
    candidates = accepted + [str(a) for a in also if str(a) not in accepted]

    def close(k):
        return " or ".join(close_matches(k, candidates))

    if len(unknown) == 1:
        hint = close(unknown[0])
        head = f"unknown {kind} {unknown[0]!r}." + (f" Did you mean {hint}?" if hint else "")
    else:
        parts = [f"{k!r} (did you mean {close(k)}?)" if close(k) else repr(k) for k in unknown]
        head = f"unknown {kind}s {', '.join(parts)}."
    takes = ", ".join(sorted(accepted)) if accepted else f"none (it takes no {kind}s)"
    raise ValueError(f"{what}: {head} Accepted: {takes}.")
