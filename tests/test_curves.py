"""Training curves (ganzoo.curves): the per-epoch record, the probe's quick metrics, the plot."""

import json

import numpy as np
import pytest
from PIL import Image

import ganzoo
from ganzoo import curves
from ganzoo.metrics import class_coverage, confident_share


@pytest.mark.backend_independent
def test_record_keeps_the_losses_and_drops_what_is_not_one():
    r = curves.record(3, 192, 12.345, {"d_loss": np.float32(1.5), "g_loss": 0.5, "loss": 2.0,
                                       "penalty": float("nan")}, {"fid": 2.0})
    assert r == {"epoch": 3, "images_seen": 192, "wall_time_s": 12.3,
                 "losses": {"d_loss": 1.5, "g_loss": 0.5}, "quality": {"fid": 2.0}}
    json.dumps(r)


def test_probe_scores_exactly_gan_sample(mnist_dir):
    gan = ganzoo.create("dcgan-mnist")
    probe = curves.QualityProbe("mnist", mnist_dir, num_samples=40, reference_size=200)
    assert probe.ref.count == 200
    q = probe.measure(gan)
    images = gan.sample(40, seed=curves.QUALITY_SEED)
    probs = probe.clf.predict_proba(images)
    cov = class_coverage(probs)
    assert q["confident"] == confident_share(probs)
    assert (q["class_share_min"], q["class_share_max"]) == (cov["share_min"], cov["share_max"])
    assert q["fid"] > 0
    # a bare generator on the same latents scores the same (G has no moving average here)
    assert probe.measure(lambda z: gan.generator(z, training=False)) == pytest.approx(q)


def test_toy_probe_and_datasets_without_quick_metrics():
    q = curves.QualityProbe("ring8").measure(ganzoo.create("gan-ring8"))
    assert set(q) >= {"modes", "high_quality", "reverse_kl"} and q["num_modes"] == 8
    assert curves.quality_metrics("cifar10") is None


@pytest.mark.backend_independent
def test_render_draws_losses_and_quality(tmp_path):
    history = [curves.record(e, 1000 * e, e, {"d_loss": 1.0 / e, "g_loss": e},
                             {"confident": 0.1 * e, "fid": 10.0 / e}) for e in (1, 2, 3)]
    path = curves.render(history, "mnist", tmp_path / "curves.png")
    with Image.open(path) as im:
        assert im.size[0] > im.size[1] > 100  # two panels side by side
    toy = [curves.record(1, 100, 1, {"d_loss": 1.0}, {"high_quality": 0.5, "reverse_kl": 0.2})]
    curves.render(toy, "ring8", tmp_path / "toy.png")
    losses_only = [curves.record(1, 100, 1, {"d_loss": 1.0}, None)]
    with Image.open(curves.render(losses_only, "cifar10", tmp_path / "l.png")) as im:
        assert im.size[0] < 2 * im.size[1]  # one panel
    with pytest.raises(ValueError, match="at least one"):
        curves.render([], "mnist", tmp_path / "x.png")
