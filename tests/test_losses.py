import math

import numpy as np
import pytest

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
