"""Registry-driven checks: every entry gets the same treatment, so a new entry is tested for free."""

import keras
import numpy as np
import pytest

import ganzoo
from ganzoo import checkpoint
from ganzoo.zoo import ENTRIES, registry

NAMES = sorted(ENTRIES)
# entries with a released (pinned) checkpoint; the others are still being trained (the issue notes
# list them) and get the untrained-model tests below
SHIPPED = [n for n in NAMES if ENTRIES[n].manifest_sha256]


def _training_step(entry):
    """What fine-tuning an entry runs: its players, loss, update rule, techniques, hyper-parameters
    and the shape of its data -- everything but the dataset's name and the checkpoint."""
    return repr((entry.family, entry.generator, entry.discriminator, entry.loss, entry.update,
                 entry.techniques, entry.hparams, ganzoo.data.spec(entry.dataset).shape))


# The first shipped entry of each training step fine-tunes; the others (X-ring8 after X-grid25:
# the same MLP and step on another 2-D dataset) would compile and run the same step again.
FINE_TUNED = {}
for _name in SHIPPED:
    FINE_TUNED.setdefault(_training_step(ENTRIES[_name]), _name)


@pytest.mark.backend_independent
def test_list_models_and_pattern():
    assert "dcgan-mnist" in ganzoo.list_models()
    assert ganzoo.list_models("*mnist*") == [n for n in NAMES if "mnist" in n]
    assert ganzoo.list_models("nothing-like-this*") == []
    trained = ganzoo.list_models(pretrained=True)
    assert "dcgan-mnist" in trained and set(trained) < set(ganzoo.list_models())
    for name in trained:  # a released entry has its checkpoint here
        assert (ganzoo.checkpoints_root() / name / "checksums.sha256").is_file(), name


@pytest.mark.backend_independent
def test_a_retired_name_loads_the_entry_it_now_names():
    """r1-mnist retired when R1 became part of the MNIST baseline: it loads dcgan-mnist."""
    from ganzoo.zoo import ALIASES, registry

    assert ALIASES["r1-mnist"][0] == "dcgan-mnist"
    assert "r1-mnist" not in ganzoo.list_models() and "r1-mnist" not in ENTRIES
    assert any(registry.technique_name(t) == "r1" for t in ENTRIES["dcgan-mnist"].techniques)
    np.testing.assert_array_equal(ganzoo.load("r1-mnist").sample(4, seed=3),
                                  ganzoo.load("dcgan-mnist").sample(4, seed=3))
    assert ganzoo.model_info("r1-mnist")["name"] == "dcgan-mnist"
    assert registry.get_entry("r1-mnist") is ENTRIES["dcgan-mnist"]
    with pytest.raises(ValueError, match="already"):
        registry.register_alias("r1-mnist", "dcgan-mnist", "twice")
    with pytest.raises(ValueError, match="not a registered entry"):
        registry.register_alias("old-name", "no-such-entry", "why")


def test_model_info_has_description_dataset_and_metrics():
    info = ganzoo.model_info("dcgan-mnist")
    assert info["dataset"] == "mnist" and info["description"]
    assert isinstance(info["metrics"], dict)


@pytest.mark.backend_independent
def test_unknown_name_lists_close_matches():
    with pytest.raises(ValueError, match="Did you mean: dcgan-mnist"):
        ganzoo.load("dcgan-mnst")
    with pytest.raises(ValueError, match="Unknown model 'zzz'"):
        ganzoo.load("zzz")


@pytest.mark.backend_independent
def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No checkpoint directory"):
        ganzoo.load(str(tmp_path / "nope"))


@pytest.mark.backend_independent
def test_entry_without_a_released_checkpoint_says_how_to_train_it(monkeypatch, tmp_path):
    import dataclasses

    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(tmp_path))
    monkeypatch.setitem(ENTRIES, "gan-ring8",
                        dataclasses.replace(ENTRIES["gan-ring8"], manifest_sha256=None))
    with pytest.raises(FileNotFoundError, match="ganzoo train gan-ring8"):
        ganzoo.load("gan-ring8")


@pytest.mark.backend_independent
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_is_pinned_and_small(name):
    entry = ENTRIES[name]
    path = ganzoo.checkpoints_root() / name
    assert entry.manifest_sha256, f"{name} pins no checkpoint"
    files = checkpoint.verify(path, entry.manifest_sha256)
    # only the layout's files: a stray local file (a run marker) listed here is not shipped by
    # git, and every clean checkout would refuse the checkpoint
    assert set(files) <= set(checkpoint.LAYOUT), sorted(files)
    size = sum((path / f).stat().st_size for f in files)
    assert size <= 12 * 2**20, f"{name}: {size} bytes > 12 MB"


@pytest.mark.parametrize("name", SHIPPED)
def test_entry_end_to_end(name, tmp_path, mnist_dir):
    """Pretrained load, deterministic samples, fine-tune both nets (once per training step:
    FINE_TUNED), save -> load identical."""
    entry = ENTRIES[name]
    gan = ganzoo.load(name)
    a = gan.sample(8, seed=0)
    assert a.shape == (8,) + gan.image_shape and a.dtype == np.float32
    assert np.isfinite(a).all()
    if len(gan.image_shape) == 3:
        assert -1 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, gan.sample(8, seed=0))
    # the shipped samples.png is exactly what the model renders now
    from PIL import Image

    fresh = tmp_path / "now.png"
    checkpoint.save_sample_image(gan, entry.dataset, fresh)
    shipped = np.asarray(Image.open(ganzoo.checkpoints_root() / name / "samples.png")).astype(int)
    assert np.mean(np.abs(shipped - np.asarray(Image.open(fresh)).astype(int)) > 1) < 0.001

    if FINE_TUNED[_training_step(entry)] == name:
        g0 = [keras.ops.convert_to_numpy(v).copy() for v in gan.generator.trainable_variables]
        d0 = [keras.ops.convert_to_numpy(v).copy() for v in gan.discriminator.trainable_variables]
        data = ganzoo.data.load(entry.dataset, batch_size=8 * gan.n_critic, data_dir=mnist_dir,
                                labels=gan.needs_labels).take(2)  # (images, labels): cgan
        hist = gan.fit(data, epochs=1, verbose=0)  # no compile call: a loaded entry is ready
        assert all(np.isfinite(v[-1]) for v in hist.history.values())
        assert any(not np.array_equal(a0, keras.ops.convert_to_numpy(b))
                   for a0, b in zip(g0, gan.generator.trainable_variables))
        assert any(not np.array_equal(a0, keras.ops.convert_to_numpy(b))
                   for a0, b in zip(d0, gan.discriminator.trainable_variables))

    out = gan.save_pretrained(tmp_path / "mine")
    again = ganzoo.load(str(out))
    with checkpoint.as_stored(gan):  # the weights as the checkpoint stores them (float16)
        np.testing.assert_array_equal(again.sample(8, seed=5), gan.sample(8, seed=5))


@pytest.mark.parametrize("name", NAMES)
def test_untrained_entry_builds(name):
    gan = ganzoo.load(name, pretrained=False)
    assert gan.g_optimizer is not None and gan.sample(2, seed=0).shape[0] == 2


# ------------------------------------------------------------- create's arguments checked
ACCEPTED = ("Accepted: batch_size, beta_1, beta_2, clip_norm, d_clip_norm, d_learning_rate, "
            "epochs, epsilon, g_clip_norm, g_learning_rate, jit_compile, learning_rate, lr_decay, "
            "n_critic, optimizer, rho, seed, steps_per_execution.")


@pytest.mark.parametrize("kwargs, expected", [
    ({"learning_rat": 1e-3},
     "create('dcgan'): unknown hyper-parameter 'learning_rat'. Did you mean learning_rate or "
     "d_learning_rate or g_learning_rate? " + ACCEPTED),
    ({"beta1": 0.5},
     "create('dcgan'): unknown hyper-parameter 'beta1'. Did you mean beta_1? " + ACCEPTED),
    ({"techinques": ["r1"]},  # a misspelt keyword of create itself lands in **hparams
     "create('dcgan'): unknown hyper-parameter 'techinques'. Did you mean techniques? "
     + ACCEPTED),
    ({"learning_rate": -1}, "learning_rate must be a finite number > 0; got -1"),
    ({"learning_rate": float("nan")}, "learning_rate must be a finite number > 0; got nan"),
    ({"learning_rate": "2e-4"}, "learning_rate must be a finite number > 0; got '2e-4'"),
    ({"beta_1": 1.0}, "beta_1 must be a number in [0, 1); got 1.0"),
    ({"beta_1": -0.1}, "beta_1 must be a number in [0, 1); got -0.1"),
    ({"beta_2": float("inf")}, "beta_2 must be a number in [0, 1); got inf"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1; got 0"),
    ({"batch_size": -64}, "batch_size must be an integer >= 1; got -64"),
    ({"batch_size": 2.5}, "batch_size must be an integer >= 1; got 2.5"),
    ({"batch_size": True}, "batch_size must be an integer >= 1; got True"),
    ({"epochs": 0}, "epochs must be an integer >= 1; got 0"),
    ({"n_critic": 2.7}, "n_critic must be an integer >= 1; got 2.7"),
    ({"seed": -1}, "seed must be an integer >= 0; got -1"),
    ({"seed": 0.5}, "seed must be an integer >= 0; got 0.5"),
])
def test_create_checks_hyperparameters(kwargs, expected):
    with pytest.raises(ValueError) as info:
        ganzoo.create("dcgan", dataset="mnist", **kwargs)
    assert str(info.value) == expected


@pytest.mark.parametrize("kwargs, expected", [
    ({"dataset": "mnist"}, "the 'mlp' family models points, but 'mnist' is a dataset of images; "
                           "use the family 'dcgan' for it"),
    ({"dataset": "rng8"}, "Unknown dataset 'rng8'. Did you mean 'ring8'? Known: cifar10, "
                          "fashion_mnist, mnist, stacked_mnist, grid25, ring8"),
    ({"dataset": "ring8", "loss": "wasserstien"},
     "loss must be one of 'nonsat', 'minimax', 'lsgan', 'hinge', 'wasserstein', 'madgan'; got "
     "'wasserstien'. Did you mean wasserstein?"),
    ({"dataset": "ring8", "update": "alternate"},
     "update must be one of 'simultaneous', 'alternating', 'unrolled'; got 'alternate'. Did you mean "
     "alternating?"),
    ({"dataset": "ring8", "generator": "big"},
     "generator must be a dict of options, e.g. {'width': 64}; got 'big'"),
    ({"dataset": "ring8", "generator": {"unit": 8}},
     "the 'mlp' generator (MLPGenerator): unknown option 'unit'. Did you mean units? Accepted: "
     "depth, dropout, kernel_initializer, latent_dim, noise_std, norm, num_classes, output_dim, "
     "units."),
    ({"dataset": "ring8", "techniques": ["wgan_gp"], "n_critic": 3},
     "technique 'wgan_gp' sets n_critic=5; got n_critic=3. Give it as the technique's parameter "
     "instead: {'name': 'wgan_gp', 'n_critic': 3}"),
])
def test_create_checks_dataset_options_and_engine(kwargs, expected):
    with pytest.raises(ValueError) as info:
        ganzoo.create("mlp", **kwargs)
    assert str(info.value) == expected


def test_create_refuses_a_dcgan_for_a_toy_dataset():
    with pytest.raises(ValueError, match="'dcgan' family models images, but 'ring8' is a "
                                         "dataset of points"):
        ganzoo.create("dcgan", dataset="ring8")


def test_create_takes_numpy_hyperparameters_and_stores_python_numbers():
    gan = ganzoo.create("mlp", dataset="ring8", techniques=[{"name": "wgan_gp", "n_critic": 2}],
                        learning_rate=np.float32(5e-4), batch_size=np.int64(32), epochs=3)
    assert gan.n_critic == 2
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(5e-4)
    from ganzoo.zoo.registry import Entry, resolve_entry
    entry = resolve_entry(Entry(name="x", description="", family="mlp", dataset="ring8",
                                hparams={"batch_size": np.int64(32), "beta_1": np.float32(0.5)}))
    assert type(entry.hparams["batch_size"]) is int and type(entry.hparams["beta_1"]) is float


def test_on_baseline_gives_way_to_the_technique():
    from ganzoo.zoo.registry import on_baseline

    base = {"discriminator": {"norm": None, "width": 48}, "update": "alternating",
            "techniques": ({"name": "r1", "reg_param": 5.0}, {"name": "ema", "run_fraction": 0.05}),
            "hparams": {"epochs": 30, "lr_decay": "linear", "learning_rate": 3e-4}}
    plain = on_baseline(base)
    assert plain == {"generator": {}, "discriminator": {"norm": None, "width": 48},
                     "update": "alternating", "techniques": base["techniques"],
                     "hparams": base["hparams"]}
    fm = on_baseline(base, ["feature_matching"])
    assert fm["techniques"] == ("feature_matching",) + base["techniques"]
    # WGAN-GP: its penalty replaces R1 (one gradient penalty), its critic schedule and Adam
    # settings replace the baseline's, its D options win; the EMA and the budget stay
    gp = on_baseline(base, ["wgan_gp"])
    assert gp["techniques"] == ("wgan_gp", {"name": "ema", "run_fraction": 0.05})
    assert "update" not in gp and "learning_rate" not in gp["hparams"]
    assert gp["hparams"]["epochs"] == 30 and gp["discriminator"]["width"] == 48
    # the entry's own parameters of a baseline technique replace the baseline's
    ema = on_baseline(base, [{"name": "ema", "half_life": 10}])
    assert ema["techniques"] == ({"name": "ema", "half_life": 10}, {"name": "r1", "reg_param": 5.0})
    # an entry may drop a baseline technique its authors' recipe has no place for
    sn = on_baseline(base, ["spectral_norm"], without=("r1",))
    assert sn["techniques"] == ("spectral_norm", {"name": "ema", "run_fraction": 0.05})
    with pytest.raises(ValueError, match="without='r2' is not a technique of the baseline; it "
                                         "has 'r1', 'ema'"):
        on_baseline(base, [], without=("r2",))
    # and the result builds
    entry = registry.resolve_entry(registry.Entry(name="x", description="", family="dcgan",
                                                  dataset="mnist", **gp))
    assert entry.loss == "wasserstein" and entry.update == "alternating"
