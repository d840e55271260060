import math

import numpy as np
import pytest
from keras import ops

from ganzoo import losses


def test_nonsat_losses_match_hand_computed_values():
    real = np.array([[2.0], [0.0]], np.float32)
    fake = np.array([[-1.0], [3.0]], np.float32)
    # D: mean(-log sigmoid(real)) + mean(-log(1 - sigmoid(fake)))
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    d_expected = (-math.log(sig(2)) - math.log(sig(0))) / 2 + (
        -math.log(1 - sig(-1)) - math.log(1 - sig(3))
    ) / 2
    g_expected = (-math.log(sig(-1)) - math.log(sig(3))) / 2
    assert float(losses.d_nonsat(real, fake)) == pytest.approx(d_expected, rel=1e-6)
    assert float(losses.g_nonsat(fake)) == pytest.approx(g_expected, rel=1e-6)


def test_loss_at_zero_logits_is_log2_per_term():
    z = np.zeros((4, 1), np.float32)
    assert float(losses.d_nonsat(z, z)) == pytest.approx(2 * math.log(2), rel=1e-6)
    assert float(losses.g_nonsat(z)) == pytest.approx(math.log(2), rel=1e-6)


def test_bce_is_stable_for_large_logits():
    big = np.array([[80.0], [-80.0]], np.float32)
    # -log(sigmoid(80)) ~ 0 ; -log(sigmoid(-80)) = 80
    assert float(losses.g_nonsat(big)) == pytest.approx(40.0, rel=1e-5)
    assert np.isfinite(float(losses.d_nonsat(big, big)))


def test_real_target_changes_only_real_term():
    real = np.array([[1.5]], np.float32)
    fake = np.array([[-0.5]], np.float32)
    sig = 1 / (1 + math.exp(-1.5))
    smooth = -(0.9 * math.log(sig) + 0.1 * math.log(1 - sig))
    fake_term = -math.log(1 - 1 / (1 + math.exp(0.5)))
    assert float(losses.d_nonsat(real, fake, real_target=0.9)) == pytest.approx(
        smooth + fake_term, rel=1e-6
    )


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="Unknown GAN loss 'hinj'"):
        losses.get("hinj")


# ------------------------------------------------------------ minimax, least squares, hinge
REAL = np.array([[2.0], [0.0], [-0.5]], np.float32)
FAKE = np.array([[-1.0], [3.0], [0.5]], np.float32)


def _softplus(v):
    return math.log1p(math.exp(v))


def test_minimax_losses_match_hand_computed_values():
    # D: the same cross-entropy as nonsat; G: mean log(1 - sigmoid(l)) = -mean softplus(l)
    d_expected = (_softplus(-2) + _softplus(0) + _softplus(0.5)) / 3 + (
        _softplus(-1) + _softplus(3) + _softplus(0.5)) / 3
    g_expected = (math.log(1 - 1 / (1 + math.exp(1))) + math.log(1 - 1 / (1 + math.exp(-3)))
                  + math.log(1 - 1 / (1 + math.exp(-0.5)))) / 3
    d_fn, g_fn = losses.get("minimax")
    assert float(d_fn(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-6)
    assert float(g_fn(FAKE)) == pytest.approx(g_expected, rel=1e-6)
    assert float(g_fn(FAKE)) == pytest.approx(-(_softplus(-1) + _softplus(3) + _softplus(0.5)) / 3,
                                              rel=1e-6)
    # saturating: D confidently rejecting the fakes leaves G's loss flat (≈ 0, gradient ≈ 0)
    assert float(g_fn(np.full((2, 1), -30.0, np.float32))) == pytest.approx(0.0, abs=1e-12)


def test_lsgan_losses_match_hand_computed_values():
    # ½ mean (D(x) - 1)² + ½ mean D(G(z))²; G: ½ mean (D(G(z)) - 1)²  (a=0, b=c=1)
    d_expected = 0.5 * ((2 - 1) ** 2 + (0 - 1) ** 2 + (-0.5 - 1) ** 2) / 3 + 0.5 * (
        (-1) ** 2 + 3 ** 2 + 0.5 ** 2) / 3
    g_expected = 0.5 * ((-1 - 1) ** 2 + (3 - 1) ** 2 + (0.5 - 1) ** 2) / 3
    d_fn, g_fn = losses.get("lsgan")
    assert float(d_fn(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-6)  # 1.0833... + 1.7083...
    assert float(g_fn(FAKE)) == pytest.approx(g_expected, rel=1e-6)
    # the targets are b (real) and a (fake): one-sided smoothing b = 0.9 changes the real term only
    smoothed = 0.5 * ((2 - 0.9) ** 2 + 0.9 ** 2 + 1.4 ** 2) / 3 + 0.5 * (1 + 9 + 0.25) / 3
    assert float(d_fn(REAL, FAKE, real_target=0.9)) == pytest.approx(smoothed, rel=1e-6)
    assert float(d_fn(np.ones((2, 1), np.float32), np.zeros((2, 1), np.float32))) == 0.0


def test_hinge_losses_match_hand_computed_values():
    # D: mean relu(1 - D(x)) + mean relu(1 + D(G(z))); G: -mean D(G(z))
    d_expected = (0 + 1 + 1.5) / 3 + (0 + 4 + 1.5) / 3
    d_fn, g_fn = losses.get("hinge")
    assert float(d_fn(REAL, FAKE)) == pytest.approx(d_expected, rel=1e-6)
    assert float(g_fn(FAKE)) == pytest.approx(-(-1 + 3 + 0.5) / 3, rel=1e-6)
    # beyond the margins D's loss is exactly 0
    assert float(d_fn(np.full((2, 1), 1.5, np.float32), np.full((2, 1), -2.0, np.float32))) == 0.0


def test_every_loss_is_registered_and_scored():
    assert set(losses.LOSSES) == {"nonsat", "minimax", "lsgan", "hinge", "wasserstein",
                                  "madgan"}
    assert set(losses.TARGET_LOSSES) <= set(losses.LOSSES)
    logits = np.array([[0.0], [2.0]], np.float32)
    for name in ("nonsat", "minimax"):  # D's probability
        np.testing.assert_allclose(ops.convert_to_numpy(losses.score(name)(logits)),
                                   [[0.5], [1 / (1 + math.exp(-2))]], rtol=1e-6)
    for name in ("lsgan", "hinge", "wasserstein"):  # the raw output
        np.testing.assert_allclose(ops.convert_to_numpy(losses.score(name)(logits)), logits)
    with pytest.raises(ValueError, match="Unknown GAN loss 'hige'"):
        losses.score("hige")


@pytest.mark.parametrize("name", ["minimax", "lsgan", "hinge"])
def test_a_gan_trains_a_step_with_each_new_loss(name):
    from ganzoo.gan import GAN
    from ganzoo.models import MLPDiscriminator, MLPGenerator

    gan = GAN(MLPGenerator(latent_dim=2, units=4, depth=1), MLPDiscriminator(units=4, depth=1),
              loss=name, seed=0)
    gan.compile()
    hist = gan.fit(np.zeros((8, 2), np.float32), batch_size=8, epochs=1, verbose=0)
    assert gan.loss_name == name and gan.get_config()["loss"] == name
    assert all(np.isfinite(v[-1]) for v in hist.history.values()), hist.history
    if name == "minimax":  # logged as D's probabilities
        assert 0 <= hist.history["d_real"][-1] <= 1 and 0 <= hist.history["d_fake"][-1] <= 1


@pytest.mark.parametrize("technique", ["one_sided_label_smoothing", "label_noise"])
def test_target_techniques_need_a_loss_with_targets(technique):
    import ganzoo

    for loss in ("hinge", "wasserstein"):
        with pytest.raises(ValueError, match=f"needs one of the losses .*'lsgan'.*uses '{loss}'"):
            ganzoo.create("mlp", dataset="ring8", techniques=[technique], loss=loss)
    for loss in losses.TARGET_LOSSES:
        gan = ganzoo.create("mlp", dataset="ring8", techniques=[technique], loss=loss)
        assert gan.loss_name == loss
