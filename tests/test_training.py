"""`ganzoo train`: resumable mid-epoch and across epochs, then a checkpoint with its model card."""

import json

import numpy as np

import ganzoo
from ganzoo import checkpoint, training


def _progress(out):
    return json.loads((out / "train_state" / "progress.json").read_text())


def test_train_resumes_mid_epoch_then_finishes(tmp_path, mnist_dir, monkeypatch):
    from ganzoo import curves

    monkeypatch.setattr(curves, "QUALITY_SAMPLES", 100)  # the curve's protocol at a test's size
    monkeypatch.setattr(curves, "REFERENCE_SIZE", 300)
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
    # one training-curve point per epoch, carried across the two sessions, drawn into the card
    history = meta["training"]["history"]
    assert [(h["epoch"], h["images_seen"]) for h in history] == [(1, 48), (2, 96)]
    assert set(history[1]["losses"]) >= {"d_loss", "g_loss"}
    assert set(history[1]["quality"]) == {"confident", "class_share_min", "class_share_max", "fid"}
    assert history == p["history"]
    assert (out / "curves.png").stat().st_size > 1000
    assert "curves.png" in (out / "checksums.sha256").read_text()
    assert "![training curves](curves.png)" in (out / "README.md").read_text()
    gan = ganzoo.load(str(out))
    with checkpoint.as_stored(run.gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(gan.sample(3, seed=0), run.gan.sample(3, seed=0))


def test_resume_refuses_a_different_run(tmp_path, mnist_dir):
    out = tmp_path / "run"
    training.train("dcgan-mnist", out, epochs=1, data_dir=mnist_dir, batch_size=16,
                   steps_per_epoch=1, verbose=0, quality_every=0)
    try:
        training.TrainingRun("dcgan-mnist", out, epochs=1, data_dir=mnist_dir, batch_size=32)
    except ValueError as e:
        assert "batch size 16" in str(e)
    else:
        raise AssertionError("a run with another batch size must not resume this state")


# ------------------------------------------------------------------ exact resume, NaN, --out
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import h5py  # noqa: E402
import pytest  # noqa: E402

from ganzoo import guards  # noqa: E402


# 2 epochs of 8 batches of 8: a kill can land in either epoch, on any state save but the last few
# (the test used 2 x 15 batches of 16; each batch is one more training step and state save to wait
# for, and dcgan-mnist's step -- R1's double backward pass, the EMA -- is not cheap under torch)
EPOCHS, STEPS = 2, 8


def _train_cmd(mnist_dir, out, *extra):
    return [sys.executable, "-m", "ganzoo", "train", "dcgan-mnist", "--data-dir", str(mnist_dir),
            "--out", str(out), "--epochs", str(EPOCHS), "--steps-per-epoch", str(STEPS),
            "--batch-size", "8", "--save-every", "0", "--verbose", "0", "--quality-every", "0",
            *extra]


def _state_arrays(out):
    """Every array of a run's training state (G, D, both optimizers, the latent seed state)."""
    progress = _progress(out)
    arrays = {}
    with h5py.File(out / "train_state" / progress["state_file"], "r") as f:
        f.visititems(lambda name, obj: arrays.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return arrays


def _assert_same_state(out_a, out_b, context=""):
    """Two runs' training states hold the same arrays, bit for bit (latent seed state included)."""
    a, b = _state_arrays(out_a), _state_arrays(out_b)
    assert sorted(a) == sorted(b) and any("latent_seed_state" in k for k in a)
    different = [k for k in a if not np.array_equal(a[k], b[k])]
    assert not different, f"{context}differ: {different}"


def test_sigkill_at_a_random_step_then_resume_is_exact(tmp_path, mnist_dir):
    """A run killed with SIGKILL mid-training and resumed by the same command ends with exactly
    the weights, optimizer moments and latent-seed state of an uninterrupted run."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    # the uninterrupted run goes side by side with the one to be killed (2 cores: the two
    # start-ups overlap); they share nothing but the read-only data
    uninterrupted = subprocess.Popen(_train_cmd(mnist_dir, tmp_path / "a"), env=env,
                                     stdout=subprocess.DEVNULL)
    killed = tmp_path / "b"
    total = EPOCHS * STEPS
    kill_after = random.Random().randint(2, total - 4)  # state saves (one per batch)
    proc = subprocess.Popen(_train_cmd(mnist_dir, killed), env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if _progress(killed).get("saves", 0) >= kill_after:
                break
        except (OSError, ValueError):
            pass
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert uninterrupted.wait(timeout=600) == 0
    p = _progress(killed)
    assert p["epoch"] * STEPS + p["step"] < total, "the run finished before it was killed"
    subprocess.run(_train_cmd(mnist_dir, killed), check=True, env=env, stdout=subprocess.DEVNULL)
    _assert_same_state(tmp_path / "a", killed, f"killed after {kill_after} saves; ")
    assert _progress(killed)["sessions"] == 2


def test_resume_restores_the_latent_seed_state(tmp_path, make_tiny_gan):
    gan = make_tiny_gan(seed=3)
    gan.fit(np.zeros((32, 28, 28, 1), np.float32), batch_size=16, epochs=1, verbose=0)
    state = np.array(gan.seed_generator.state.numpy())
    gan.save_weights(tmp_path / "s.weights.h5")
    fresh = make_tiny_gan(seed=3)
    fresh.build_optimizers()
    fresh.load_weights(tmp_path / "s.weights.h5")
    np.testing.assert_array_equal(fresh.seed_generator.state.numpy(), state)
    assert not np.array_equal(make_tiny_gan(seed=3).seed_generator.state.numpy(), state)


def test_nan_stops_training_keeps_the_good_state_and_exits_nonzero(tmp_path, mnist_dir):
    out = tmp_path / "run"
    kwargs = dict(epochs=1, data_dir=mnist_dir, batch_size=16, steps_per_epoch=4, verbose=0)
    assert training.train("dcgan-mnist", out, max_minutes=0, **kwargs) is False  # 1 good step
    good = _state_arrays(out)
    # poison the saved state as a bad update would: resume, set NaN into a weight of D
    run = training.TrainingRun("dcgan-mnist", out, **kwargs)
    kernel = run.gan.discriminator.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, np.float32))
    with pytest.raises(guards.NonFiniteError, match=r"d_loss=nan.*step 2 of epoch 1.*is kept"):
        run.run()
    assert _progress(out)["step"] == 1
    after = _state_arrays(out)
    assert all(np.array_equal(good[k], after[k]) for k in good)
    assert not (out / "checksums.sha256").exists()
    # the command line exits non-zero with one line
    r = subprocess.run([sys.executable, "-c", (
        "import sys, numpy as np; from ganzoo import cli, training\n"
        "orig = training.TrainingRun._resume\n"
        "def poisoned(self):\n"
        "    orig(self); v = self.gan.generator.trainable_variables[0]\n"
        "    v.assign(np.full(v.shape, np.inf, np.float32))\n"
        "training.TrainingRun._resume = poisoned\n"
        f"sys.exit(cli.main(['train', 'dcgan-mnist', '--out', {str(out)!r}, '--data-dir', "
        f"{str(mnist_dir)!r}, '--epochs', '1', '--batch-size', '16', '--steps-per-epoch', '4', "
        "'--verbose', '0']))")], capture_output=True, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert r.returncode != 0, r.stdout + r.stderr
    assert "diverged" in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert all(np.array_equal(good[k], v) for k, v in _state_arrays(out).items())


def test_terminate_on_nan_sees_a_loss_key(make_tiny_gan):
    import keras

    gan = make_tiny_gan()
    history = gan.fit(np.zeros((32, 28, 28, 1), np.float32), batch_size=16, epochs=1, verbose=0,
                      check_finite=False, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert "loss" in history.history
    v = gan.generator.trainable_variables[0]
    v.assign(np.full(v.shape, np.nan, np.float32))
    history = gan.fit(np.zeros((64, 28, 28, 1), np.float32), batch_size=16, epochs=3, verbose=0,
                      check_finite=False, callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) == 1  # stopped in the first epoch


def test_save_pretrained_refuses_nonfinite_weights(tmp_path, make_tiny_gan):
    gan = make_tiny_gan()
    v = gan.discriminator.trainable_variables[-1]
    v.assign(np.full(v.shape, np.nan, np.float32))
    with pytest.raises(guards.NonFiniteError, match="non-finite weights"):
        gan.save_pretrained(tmp_path / "ck")
    assert not (tmp_path / "ck").exists()


@pytest.mark.parametrize("data, message", [
    (np.full((32, 28, 28, 1), 200.0, np.float32), "0..255 pixels: scale with x / 127.5 - 1"),
    (np.full((32, 28, 28, 1), np.nan, np.float32), "NaN/inf"),
    (np.zeros((0, 28, 28, 1), np.float32), "empty"),
])
def test_fit_refuses_bad_data(make_tiny_gan, data, message):
    with pytest.raises(ValueError, match=message):
        make_tiny_gan().fit(data, batch_size=16, epochs=1, verbose=0)


def test_fit_refuses_an_empty_dataset(make_tiny_gan, mnist_dir):
    ds = ganzoo.data.load("mnist", data_dir=mnist_dir, batch_size=16).take(0)
    with pytest.raises(ValueError, match="dataset is empty"):
        make_tiny_gan().fit(ds, epochs=1, verbose=0)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be an integer >= 1; got 0"),
    ({"batch_size": -8}, "batch_size must be an integer >= 1; got -8"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1; got 0"),
    ({"steps_per_epoch": -5}, "steps_per_epoch must be an integer >= 1; got -5"),
    ({"epochs": 2.5}, "epochs must be an integer"),
    ({"max_minutes": float("nan")}, "max_minutes must be a finite number"),
    ({"batch_size": 10**6}, "fewer images than one training step"),
])
def test_train_refuses_bad_arguments(tmp_path, mnist_dir, kwargs, message):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=message):
        training.train("dcgan-mnist", out, data_dir=mnist_dir, verbose=0, **kwargs)
    assert not (out / "checksums.sha256").exists()


def test_out_is_checked_before_training(tmp_path, mnist_dir):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "README.md").write_text("my notes")
    with pytest.raises(training.TrainingError, match="not a ganzoo checkpoint.*README.md"):
        training.TrainingRun("dcgan-mnist", foreign, data_dir=mnist_dir)
    assert (foreign / "README.md").read_text() == "my notes"
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    try:
        if os.access(readonly, os.W_OK):  # root ignores permissions: use a path under a file
            target = tmp_path / "a-file" / "run"
            (tmp_path / "a-file").write_text("")
        else:
            target = readonly / "run"
        with pytest.raises(training.TrainingError, match="cannot train into --out"):
            training.TrainingRun("dcgan-mnist", target, data_dir=mnist_dir)
    finally:
        readonly.chmod(0o700)


def test_a_second_trainer_on_the_same_out_is_refused(tmp_path, mnist_dir):
    out = tmp_path / "run"
    first = training.TrainingRun("dcgan-mnist", out, data_dir=mnist_dir, epochs=1)
    with pytest.raises(training.TrainingError, match=rf"another `ganzoo train`.*pid {os.getpid()}"):
        training.TrainingRun("dcgan-mnist", out, data_dir=mnist_dir, epochs=1)
    first.close()
    training.TrainingRun("dcgan-mnist", out, data_dir=mnist_dir, epochs=1).close()


def test_full_disk_keeps_the_last_state(tmp_path, mnist_dir, monkeypatch):
    out = tmp_path / "run"
    kwargs = dict(epochs=1, data_dir=mnist_dir, batch_size=16, steps_per_epoch=3, verbose=0)
    training.train("dcgan-mnist", out, max_minutes=0, **kwargs)
    run = training.TrainingRun("dcgan-mnist", out, **kwargs)

    def full(*args, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run.gan, "save_weights", full)
    with pytest.raises(training.TrainingError, match="No space left.*epoch 0, step 1.*is kept"):
        run.save_state()
    names = sorted(p.name for p in (out / "train_state").iterdir())
    assert names == ["progress.json", _progress(out)["state_file"]]


def test_progress_bar_counts_epochs_of_the_whole_run(tmp_path, mnist_dir, capsys):
    # the run calls fit once per epoch; Keras's own bar would print "Epoch 2/2", "Epoch 3/3"
    training.train("dcgan-mnist", tmp_path / "run", epochs=3, data_dir=mnist_dir, batch_size=16,
                   steps_per_epoch=1, verbose=2, quality_every=0)
    shown = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Epoch ")]
    assert shown == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]


TOY_RUN = dict(epochs=2, batch_size=100, steps_per_epoch=7, verbose=0, quality_every=0)


def _toy_at(monkeypatch, spe):
    """``gan-ring8`` at ``spe`` steps per compiled call, for this test only."""
    import dataclasses

    from ganzoo.zoo.registry import ENTRIES

    base = ENTRIES["gan-ring8"]
    monkeypatch.setitem(ENTRIES, "gan-ring8", dataclasses.replace(
        base, hparams={**base.hparams, "steps_per_execution": spe}))


def test_steps_per_execution_trains_the_same_run_and_counts_every_step(tmp_path, monkeypatch):
    """An entry's ``steps_per_execution`` (several steps per compiled call) trains bit for bit the
    weights of one step a call, counts every step in the run's progress, and a run stopped
    after one call resumes exactly -- also from a call cut short by the epoch's end (7 = 3 + 3
    + 1 steps)."""
    import keras

    def run(spe, out, **kwargs):
        _toy_at(monkeypatch, spe)
        return training.train("gan-ring8", out, **TOY_RUN, **kwargs)

    assert run(1, tmp_path / "one") is True
    assert run(3, tmp_path / "three", max_minutes=0) is False  # stops after its first call
    p = _progress(tmp_path / "three")
    first = 1 if keras.config.backend() == "torch" else 3  # Keras's torch trainer: 1 step a call
    assert (p["epoch"], p["step"], p["images_seen"]) == (0, first, 100 * first)
    assert run(3, tmp_path / "three") is True
    for out in ("one", "three"):
        p = _progress(tmp_path / out)
        assert (p["epoch"], p["step"], p["images_seen"]) == (2, 0, 1400)
    _assert_same_state(tmp_path / "one", tmp_path / "three")


def test_nan_in_a_call_of_several_steps_names_every_step_it_could_be(tmp_path, monkeypatch):
    """At several steps a call the losses are checked once per call, so the run's message names
    the call's steps (capped at the epoch's end), and the state kept is the one before the call."""
    import keras

    _toy_at(monkeypatch, 3)
    out = tmp_path / "run"
    assert training.train("gan-ring8", out, max_minutes=0, **TOY_RUN) is False  # one call
    done = _progress(out)["step"]
    good = _state_arrays(out)
    run = training.TrainingRun("gan-ring8", out, **TOY_RUN)
    kernel = run.gan.discriminator.trainable_variables[0]
    kernel.assign(np.full(kernel.shape, np.nan, np.float32))
    where = "step 2" if keras.config.backend() == "torch" else "one of steps 4-6"  # torch: 1 a call
    with pytest.raises(guards.NonFiniteError, match=f"That is {where} of epoch 1"):
        run.run()
    assert _progress(out)["step"] == done
    assert all(np.array_equal(good[k], v) for k, v in _state_arrays(out).items())


@pytest.mark.parametrize("spe, batch, where", [
    (1, 4, "batch 5"),
    (3, 5, "one of batches 4-6"),
    (3, 8, "batch 7"),  # the epoch's last call ran only step 7; Keras reports it as 7-9
    (3, 9, "one of batches 8-10"),  # no cap when the epoch's steps are unknown
])
def test_nan_guard_names_the_batches_of_the_failing_call(spe, batch, where):
    import types

    guard = guards.NonFiniteGuard()
    guard.set_model(types.SimpleNamespace(steps_per_execution=spe))
    guard.set_params({"steps": 7 if batch < 9 else None})
    with pytest.raises(guards.NonFiniteError, match=f"epoch 1, {where}: d_loss=nan"):
        guard.on_train_batch_end(batch, {"d_loss": float("nan"), "g_loss": 0.5})
    guard.on_train_batch_end(batch, {"d_loss": 0.5, "g_loss": 0.5, "d_real": float("nan")})
