"""`ganzoo train`: resumable mid-epoch and across epochs, then a checkpoint with its model card."""

import json

import numpy as np

import ganzoo
from ganzoo import training


def _progress(out):
    return json.loads((out / "train_state" / "progress.json").read_text())


def test_train_resumes_mid_epoch_then_finishes(tmp_path, mnist_dir, monkeypatch):
    out = tmp_path / "run"
    kwargs = dict(epochs=2, data_dir=mnist_dir, batch_size=16, steps_per_epoch=3, verbose=0,
                  command="ganzoo train dcgan-mnist --test")
    # a deadline already past stops after the first batch, like a session ending
    assert training.train("dcgan-mnist", out, max_minutes=0, **kwargs) is False
    p = _progress(out)
    assert (p["epoch"], p["step"], p["images_seen"]) == (0, 1, 16)
    assert not (out / "checksums.sha256").exists()

    run = training.TrainingRun("dcgan-mnist", out, **kwargs)
    assert int(run.gan.g_optimizer.iterations) == 1 and int(run.gan.d_optimizer.iterations) == 1
    assert run.run() is True
    p = _progress(out)
    assert (p["epoch"], p["step"], p["images_seen"], p["sessions"]) == (2, 0, 96, 2)
    assert int(run.gan.g_optimizer.iterations) == 6  # 1 + 2 + 3 steps: nothing repeated or lost
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["training"]["images_seen"] == 96 and meta["training"]["sessions"] == 2
    assert "ganzoo train dcgan-mnist --test" in (out / "README.md").read_text()
    gan = ganzoo.load(str(out))
    np.testing.assert_array_equal(gan.sample(3, seed=0), run.gan.sample(3, seed=0))


def test_resume_refuses_a_different_run(tmp_path, mnist_dir):
    out = tmp_path / "run"
    training.train("dcgan-mnist", out, epochs=1, data_dir=mnist_dir, batch_size=16,
                   steps_per_epoch=1, verbose=0)
    try:
        training.TrainingRun("dcgan-mnist", out, epochs=1, data_dir=mnist_dir, batch_size=32)
    except ValueError as e:
        assert "batch size 16" in str(e)
    else:
        raise AssertionError("a run with another batch size must not resume this state")
