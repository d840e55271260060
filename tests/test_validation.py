"""The argument checks of :mod:`ganzoo.validation` (used by every constructor and by create)."""

import numpy as np
import pytest

from ganzoo import validation as V

# pure-Python argument checks: the same under every Keras backend (run once, under TensorFlow)
pytestmark = pytest.mark.backend_independent

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.int32(1), np.uint8(5)])
def test_positive_int_accepts_integers_and_returns_int(value):
    out = V.positive_int(value, "n")
    assert out == int(value) and type(out) is int


@pytest.mark.parametrize("value", [0, -3, 2.7, 2.0, np.float64(3.0), True, False, np.bool_(True),
                                   "3", None, NAN, [2]])
def test_positive_int_refuses_non_integers_and_quotes_them(value):
    with pytest.raises(ValueError) as info:
        V.positive_int(value, "batch_size")
    assert str(info.value) == f"batch_size must be an integer >= 1; got {value!r}"


def test_integer_bounds_and_nonnegative_int():
    assert V.nonnegative_int(0, "seed") == 0
    with pytest.raises(ValueError, match=r"^seed must be an integer >= 0; got -1$"):
        V.nonnegative_int(-1, "seed")
    assert V.integer(-5, "offset") == -5
    with pytest.raises(ValueError, match=r"^k must be an integer in \[2, 4\]; got 5$"):
        V.integer(5, "k", minimum=2, maximum=4)
    with pytest.raises(ValueError, match=r"^k must be an integer <= 4; got 5$"):
        V.integer(5, "k", maximum=4)


@pytest.mark.parametrize("value", [1e-4, 3, np.float32(0.5), np.int64(2)])
def test_positive_float_accepts_real_numbers_and_returns_float(value):
    out = V.positive_float(value, "learning_rate")
    assert out == pytest.approx(float(value)) and type(out) is float


@pytest.mark.parametrize("value", [0, -1e-3, NAN, INF, -INF, True, "1e-3", None, np.float32("nan")])
def test_positive_float_refuses(value):
    with pytest.raises(ValueError) as info:
        V.positive_float(value, "learning_rate")
    assert str(info.value) == f"learning_rate must be a finite number > 0; got {value!r}"


def test_nonnegative_and_finite_float():
    assert V.nonnegative_float(0, "weight") == 0.0
    with pytest.raises(ValueError, match=r"^weight must be a finite number >= 0; got -0.1$"):
        V.nonnegative_float(-0.1, "weight")
    assert V.finite_float(-2, "offset") == -2.0
    with pytest.raises(ValueError, match=r"^offset must be a finite number; got inf$"):
        V.finite_float(INF, "offset")
    assert V.number(INF, "limit", low=0, finite=False) == INF
    with pytest.raises(ValueError, match=r"^limit must be a number >= 0; got nan$"):
        V.number(NAN, "limit", low=0, finite=False)  # NaN is never a number here


def test_probability_ranges():
    assert V.probability(0, "p") == 0.0 and V.probability(1, "p") == 1.0
    with pytest.raises(ValueError, match=r"^beta_1 must be a number in \[0, 1\); got 1.0$"):
        V.probability(1.0, "beta_1", open_right=True)
    with pytest.raises(ValueError, match=r"^s must be a number in \(0, 1\]; got 0$"):
        V.probability(0, "s", open_left=True)
    with pytest.raises(ValueError, match=r"^p must be a number in \[0, 0.5\); got 0.5$"):
        V.probability(0.5, "p", high=0.5, open_right=True)
    with pytest.raises(ValueError, match=r"^p must be a number in \[0, 1\]; got nan$"):
        V.probability(NAN, "p")


def test_check_kwargs_suggests_close_matches():
    assert V.check_kwargs({"gamma": 1}, ["gamma"], "technique 'r1'") == {"gamma": 1}
    with pytest.raises(ValueError) as info:
        V.check_kwargs({"learning_rat": 1}, ["learning_rate", "seed"], "create('dcgan')",
                       kind="hyper-parameter")
    assert str(info.value) == ("create('dcgan'): unknown hyper-parameter 'learning_rat'. Did you "
                               "mean learning_rate? Accepted: learning_rate, seed.")
    with pytest.raises(ValueError) as info:  # ``also``: valid elsewhere, suggested, not listed
        V.check_kwargs(["datset", "zzz"], ["epochs"], "f", also=["dataset"])
    assert str(info.value) == ("f: unknown arguments 'datset' (did you mean dataset?), 'zzz'. "
                               "Accepted: epochs.")


def test_choice_and_did_you_mean():
    assert V.choice("vbn", "norm", ("batch", "vbn")) == "vbn"
    with pytest.raises(ValueError) as info:
        V.choice("vbm", "norm", ("batch", "vbn"))
    assert str(info.value) == "norm must be one of 'batch', 'vbn'; got 'vbm'. Did you mean vbn?"
    with pytest.raises(ValueError, match=r"^norm must be one of 'batch', None; got \[1\]$"):
        V.choice([1], "norm", ("batch", None))
    assert V.did_you_mean("gama", ["gamma", "sigma"]) == " Did you mean gamma?"
    assert V.did_you_mean("zzz", ["gamma"]) == ""


def test_validation_is_a_leaf_module():
    """gan.py, training.py and the CLI import it: it must not import ganzoo (or keras) back."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(V))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [node])
                if isinstance(node, ast.Import)}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"difflib", "math", "numbers", "operator", "numpy"}
