"""The moving average of G's weights (technique ``ema``): its math against a hand-computed
average, what it samples from, and that it survives save/load, resume and further fitting."""

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import backend, checkpoint
from ganzoo.techniques import GeneratorEMA, decay_for_half_life, ema_beta


def _toy_gan(decay=0.5, seed=0):
    # one step a compiled call, so that _Record sees G after every step (the toy recipe runs 25)
    return ganzoo.create("mlp", dataset="ring8", seed=seed, steps_per_execution=1,
                         techniques=[{"name": "ema", "decay": decay}])


class _Record(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        backend.sync_state(self.model)
        self.weights.append([keras.ops.convert_to_numpy(w).copy()
                             for w in self.model.generator.weights])


def test_beta_ramp_and_half_life():
    assert float(ema_beta(0, 0.999)) == pytest.approx(0.1)
    assert float(ema_beta(8, 0.999)) == pytest.approx(9 / 18)
    assert float(ema_beta(10**6, 0.999)) == pytest.approx(0.999)
    assert decay_for_half_life(1) == pytest.approx(0.5)
    assert decay_for_half_life(1000) ** 1000 == pytest.approx(0.5)


def test_average_equals_the_hand_computed_one_after_a_few_steps():
    gan = _toy_gan(decay=0.2)
    ema = gan.techniques[0]
    start = [keras.ops.convert_to_numpy(w).copy() for w in gan.generator.weights]
    record = _Record()
    x = ganzoo.data.toy_sample("ring8", 4 * 64, seed=0)
    gan.fit(x, batch_size=64, epochs=1, verbose=0, callbacks=[record])
    assert len(record.weights) == 4
    expected = start
    for t, weights in enumerate(record.weights):
        beta = min(0.2, (1 + t) / (10 + t))  # 0.1, 0.1818.., 0.2, 0.2
        expected = [beta * a + (1 - beta) * w for a, w in zip(expected, weights)]
    got = [keras.ops.convert_to_numpy(w) for w in ema.average.weights]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-7)
    assert int(keras.ops.convert_to_numpy(ema.num_updates)) == 4
    # sampling uses the average, not G
    z = gan.latents(5, seed=0)
    np.testing.assert_allclose(gan.generate(z),
                               keras.ops.convert_to_numpy(ema.average(z, training=False)),
                               rtol=1e-6)
    assert not np.allclose(gan.generate(z),
                           keras.ops.convert_to_numpy(gan.generator(z, training=False)))


def test_checkpoint_ships_the_average_and_fit_keeps_updating_it(tmp_path):
    gan = _toy_gan(decay=0.9)
    gan.fit(ganzoo.data.toy_sample("ring8", 256, seed=0), batch_size=64, epochs=1, verbose=0)
    gan.save_pretrained(tmp_path / "ck", dataset="ring8")
    loaded = ganzoo.load(str(tmp_path / "ck"))
    ema = loaded.techniques[0]
    assert isinstance(ema, GeneratorEMA)
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(loaded.sample(16, seed=0), gan.sample(16, seed=0))
    assert int(keras.ops.convert_to_numpy(ema.num_updates)) == 4
    before = [keras.ops.convert_to_numpy(w).copy() for w in ema.average.weights]
    loaded.fit(ganzoo.data.toy_sample("ring8", 64, seed=1), batch_size=64, epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(ema.num_updates)) == 5
    assert any(not np.array_equal(b, keras.ops.convert_to_numpy(a))
               for b, a in zip(before, ema.average.weights))


def test_training_state_resumes_the_average(tmp_path):
    gan = _toy_gan(decay=0.9)
    gan.fit(ganzoo.data.toy_sample("ring8", 256, seed=0), batch_size=64, epochs=1, verbose=0)
    gan.save_weights(tmp_path / "state.weights.h5")
    fresh = _toy_gan(decay=0.9, seed=1)
    fresh.build_optimizers()
    fresh.load_weights(tmp_path / "state.weights.h5")
    for a, b in zip(gan.techniques[0].average.weights, fresh.techniques[0].average.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
    np.testing.assert_array_equal(fresh.sample(8, seed=0), gan.sample(8, seed=0))


@pytest.mark.parametrize("kwargs", [{"decay": 1.0}, {"decay": 0.0}, {"decay": float("nan")},
                                    {"half_life": -3}, {"decay": 0.9, "half_life": 10}])
def test_bad_ema_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        GeneratorEMA(**kwargs)


def test_run_fraction_sets_the_half_life_from_the_runs_length(tmp_path):
    gan = ganzoo.create("mlp", dataset="ring8", total_steps=1000,
                        techniques=[{"name": "ema", "run_fraction": 0.05}])
    ema = next(t for t in gan.techniques if t.key == "ema")
    assert ema.half_life == 50.0 and ema.decay == pytest.approx(0.5 ** (1 / 50))
    # without total_steps: the entry's own budget (epochs x steps per epoch of the train split)
    default = ganzoo.create("mlp", dataset="ring8", epochs=2, batch_size=100,
                            techniques=[{"name": "ema", "run_fraction": 0.1}])
    assert next(t for t in default.techniques if t.key == "ema").half_life == 0.1 * 2 * 1000
    # the checkpoint keeps the fraction and the resolved half-life: a reload averages the same way
    again = ganzoo.load(str(gan.save_pretrained(tmp_path / "ema")))
    loaded = next(t for t in again.techniques if t.key == "ema")
    assert (loaded.run_fraction, loaded.half_life, loaded.decay) == (0.05, 50.0, ema.decay)
    with pytest.raises(ValueError, match="not both"):
        GeneratorEMA(decay=0.9, run_fraction=0.1)
    with pytest.raises(ValueError, match="run_fraction"):
        GeneratorEMA(run_fraction=0.0)
    bare = GeneratorEMA(run_fraction=0.1)
    with pytest.raises(ValueError, match="needs the run's length"):
        bare.update_state(gan)
