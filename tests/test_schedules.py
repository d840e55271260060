"""Learning-rate decay to 0 over the run and per-player rates (TTUR) as entry hyper-parameters."""

import keras
import pytest

import ganzoo
from ganzoo.zoo.registry import Entry, resolve_entry, run_steps


def _rate(optimizer):
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def test_run_steps_counts_g_steps_of_the_train_split():
    entry = resolve_entry(Entry(name="x", description="", family="dcgan", dataset="mnist",
                                hparams={"batch_size": 64, "epochs": 3}))
    assert run_steps(entry) == 3 * (60_000 // 64)
    assert run_steps(entry, epochs=2, batch_size=100) == 2 * 600
    assert run_steps(entry, steps_per_epoch=7) == 21


@pytest.mark.parametrize("decay, halfway", [("linear", 0.5), ("cosine", 0.5)])
def test_rates_decay_to_zero_over_the_run(decay, halfway):
    gan = ganzoo.create("mlp", dataset="ring8", lr_decay=decay, learning_rate=1e-3,
                        d_learning_rate=4e-3, epochs=1, batch_size=100)
    total = 100_000 // 100
    assert _rate(gan.g_optimizer) == pytest.approx(1e-3)
    assert _rate(gan.d_optimizer) == pytest.approx(4e-3)
    gan.g_optimizer.iterations.assign(total // 2)
    gan.d_optimizer.iterations.assign(total)
    # linear: 1 - t/T; cosine: (1 + cos(pi t/T)) / 2 -- both 0.5 at t = T/2, 0 at T
    assert _rate(gan.g_optimizer) == pytest.approx(1e-3 * halfway, rel=1e-5)
    assert _rate(gan.d_optimizer) == pytest.approx(0.0, abs=1e-9)


def test_decayed_rates_survive_a_checkpoint(tmp_path):
    gan = ganzoo.create("mlp", dataset="ring8", lr_decay="linear", epochs=2)
    gan.save_pretrained(tmp_path / "ck", dataset="ring8")
    loaded = ganzoo.load(str(tmp_path / "ck"))
    config = loaded.g_optimizer.get_config()["learning_rate"]
    assert config["class_name"] == "PolynomialDecay"
    assert config["config"]["decay_steps"] == 2 * 1000 and config["config"]["end_learning_rate"] == 0


def test_training_run_decays_over_its_own_steps(tmp_path, mnist_dir):
    from ganzoo import training
    from ganzoo.zoo import ENTRIES, register

    register(Entry(name="test-decay-mnist", description="", family="dcgan", dataset="mnist",
                   hparams={"lr_decay": "linear"}))
    try:
        run = training.TrainingRun("test-decay-mnist", tmp_path / "r", epochs=2, batch_size=16,
                                   steps_per_epoch=5, data_dir=mnist_dir)
        run.close()
        for optimizer in (run.gan.g_optimizer, run.gan.d_optimizer):
            assert optimizer.get_config()["learning_rate"]["config"]["decay_steps"] == 10
    finally:
        del ENTRIES["test-decay-mnist"]


@pytest.mark.parametrize("kwargs, match", [
    ({"lr_decay": "exp"}, "lr_decay must be one of"),
    ({"d_learning_rate": -1}, "d_learning_rate must be a finite number > 0"),
])
def test_bad_schedule_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ganzoo.create("mlp", dataset="ring8", **kwargs)


def test_create_total_steps_sets_the_decay_span():
    # a benchmark's run is a CPU budget, not epochs of the train split: it gives its own steps
    gan = ganzoo.create("mlp", dataset="ring8", lr_decay="linear", learning_rate=1e-3,
                        total_steps=40)
    gan.g_optimizer.iterations.assign(20)
    assert _rate(gan.g_optimizer) == pytest.approx(5e-4)
    gan.g_optimizer.iterations.assign(40)
    assert _rate(gan.g_optimizer) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="total_steps"):
        ganzoo.create("mlp", dataset="ring8", lr_decay="linear", total_steps=0)
