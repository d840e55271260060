import math

import numpy as np
import pytest

from ganzoo import data
from ganzoo.metrics import toy_metrics

# toy datasets and their numpy metrics: the same under every Keras backend (run once, under TF)
pytestmark = pytest.mark.backend_independent


def test_ring8_has_eight_distinct_modes_on_the_unit_circle():
    c = data.toy_centers("ring8")
    assert c.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 1.0)
    np.testing.assert_allclose(c[1], [math.cos(math.pi / 4), math.sin(math.pi / 4)])
    gaps = np.linalg.norm(c[:, None] - c[None], axis=-1) + np.eye(8)
    assert gaps.min() > 0.7  # linspace(0, 2π, 8) would give two coincident centres here


def test_grid25_centres_and_sampling():
    c = data.toy_centers("grid25")
    assert c.shape == (25, 2) and set(c[:, 0]) == {-4, -2, 0, 2, 4}
    x = data.toy_sample("grid25", 20000, seed=0)
    assert x.dtype == np.float32 and x.shape == (20000, 2)
    nearest = np.linalg.norm(x[:, None] - c[None], axis=-1).argmin(1)
    resid = x - c[nearest]
    assert abs(resid.std() - 0.05) < 0.002  # σ = 0.05
    np.testing.assert_array_equal(x[:5], data.toy_sample("grid25", 20000, seed=0)[:5])
    ds = data.load("ring8", batch_size=32).take(3)
    assert [b.shape for b in ds.as_numpy_iterator()] == [(32, 2)] * 3
    x_train, modes = data.load_arrays("ring8")
    assert x_train.shape == (100_000, 2) and set(np.unique(modes)) == set(range(8))


def test_real_data_scores_perfectly():
    m = toy_metrics(data.toy_sample("ring8", 2500, seed=1), "ring8")
    assert m["modes"] == 8 and m["samples"] == 2500
    # P(|N(0, σ²I)| <= 3σ) in 2-D = 1 - exp(-4.5) = 0.9889; 3 binomial s.d. over 2,500 = 0.0063
    assert m["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.0063)
    assert m["reverse_kl"] < 0.01


def test_hand_computed_metrics():
    centers = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    sigma = 0.1
    x = np.array([
        [0.0, 0.05],   # mode 0, within 3σ
        [0.1, 0.0],    # mode 0
        [0.95, 0.0],   # mode 1
        [0.0, 0.6],    # nearest mode 2 at distance 0.4 > 0.3: low quality
        [0.5, 0.45],   # nearest mode 0 (0.67) : low quality
    ])
    m = toy_metrics(x, centers=centers, sigma=sigma)
    assert m["modes"] == 2 and m["num_modes"] == 4
    assert m["high_quality"] == pytest.approx(3 / 5)
    p = np.array([2 / 3, 1 / 3])
    assert m["reverse_kl"] == pytest.approx(float(np.sum(p * np.log(p * 4))))


def test_collapsed_generator_is_caught():
    x = np.zeros((100, 2)) + data.toy_centers("ring8")[3]
    m = toy_metrics(x, "ring8")
    assert m["modes"] == 1 and m["high_quality"] == 1.0
    assert m["reverse_kl"] == pytest.approx(math.log(8))
    assert toy_metrics(np.full((4, 2), 50.0), "ring8")["reverse_kl"] == float("inf")


def test_bad_inputs():
    with pytest.raises(ValueError, match="Unknown toy dataset 'ring9'"):
        data.toy_centers("ring9")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        toy_metrics(np.zeros((3, 3)), "ring8")
