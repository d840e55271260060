"""Dataset specs (ganzoo.data.spec) and Stacked MNIST: the dataset, its mode metrics and their
path through ganzoo.evaluate."""

import math

import numpy as np
import pytest

import ganzoo
from ganzoo import data, evaluation
from ganzoo.data import stacked
from ganzoo.metrics import mode_coverage, predict_digits


# -- specs ------------------------------------------------------------------------------------------

@pytest.mark.backend_independent
def test_spec_lookup_gives_one_object_with_everything():
    s = data.spec("stacked_mnist")
    assert isinstance(s, data.DatasetSpec)
    assert (s.kind, s.shape, s.num_classes, s.metrics, s.classifier, s.reference_split,
            s.renderer, s.modes) == ("images", (28, 28, 3), 1000, "stacked", "mnist", "test",
                                     "grid", 1000)
    assert s.sizes == {"train": 128_000, "test": 26_000}
    assert data.spec(s) is s
    m = data.spec("mnist")
    assert (m.kind, m.shape, m.num_classes, m.metrics, m.classifier) == (
        "images", (28, 28, 1), 10, "classifier", "mnist")
    r = data.spec("ring8")
    assert (r.kind, r.shape, r.num_classes, r.metrics, r.renderer, r.modes) == (
        "points", (2,), None, "toy", "points", 8)
    assert data.names() == ["cifar10", "fashion_mnist", "mnist", "stacked_mnist", "grid25", "ring8"]
    assert data.names("points") == ["grid25", "ring8"]


@pytest.mark.backend_independent
@pytest.mark.parametrize("call", [
    lambda: data.spec("stacked_mnsit"),
    lambda: data.load("stacked_mnsit"),
    lambda: data.split_size("stacked_mnsit"),
    lambda: evaluation.domain("stacked_mnsit"),
    lambda: ganzoo.create("dcgan", dataset="stacked_mnsit"),
])
def test_unknown_dataset_names_close_matches_everywhere(call):
    with pytest.raises(ValueError, match=r"Unknown dataset 'stacked_mnsit'\. Did you mean "
                                         r"'stacked_mnist'\? Known: cifar10, .*stacked_mnist"):
        call()


@pytest.mark.backend_independent
def test_unknown_dataset_without_close_match_lists_the_known():
    with pytest.raises(ValueError) as info:
        data.spec("imagenet")
    assert "Did you mean" not in str(info.value)
    assert str(info.value).endswith("Known: cifar10, fashion_mnist, mnist, stacked_mnist, "
                                    "grid25, ring8")
    assert data.find("imagenet") is None and data.find(None) is None


@pytest.mark.backend_independent
def test_old_tables_are_views_of_the_specs():
    assert dict(data.TOYS) == {"ring8": 0.01, "grid25": 0.05}
    assert list(data.DATASETS) == ["mnist", "fashion_mnist", "cifar10", "stacked_mnist"]
    assert data.DATASETS["mnist"]["shape"] == (28, 28, 1)
    assert data.DATASETS["mnist"]["classes"] == 10
    assert data.DATASETS["cifar10"]["tfds"] == "cifar10"
    assert "ring8" not in data.DATASETS and "mnist" not in data.TOYS
    with pytest.raises(TypeError):
        data.TOYS["ring8"] = 0.1
    assert data.num_classes("stacked_mnist") == 1000 and data.num_classes("grid25") is None
    assert data.split_size("stacked_mnist", "train") == 128_000


@pytest.mark.backend_independent
def test_every_spec_is_consistent_with_its_consumers():
    from ganzoo import classifiers

    for name, s in data.SPECS.items():
        assert s.name == name
        assert s.metrics in evaluation.METRIC_SETS
        if s.classifier is not None:
            assert s.classifier in classifiers.DATASETS
        if s.metrics in ("classifier", "stacked"):
            assert s.classifier is not None
        if s.kind == "points":
            assert s.renderer == "points" and np.asarray(s.centers()).shape == (s.modes, 2)
        else:
            assert s.renderer == "grid" and data.render_centers(name) is None
    np.testing.assert_array_equal(data.render_centers("grid25"), data.toy_centers("grid25"))
    assert data.render_centers("no-such-dataset") is None


@pytest.mark.backend_independent
def test_spec_refuses_bad_declarations_and_duplicates():
    def loader(spec, split, data_dir):
        raise AssertionError

    good = dict(name="x", title="X", kind="images", shape=(8, 8, 1), loader=loader,
                sizes={"train": 1, "test": 1})
    data.DatasetSpec(**good)
    for bad, message in ((dict(kind="pictures"), "kind"), (dict(shape=(8, 8)), r"\(H, W, C\)"),
                         (dict(metrics="fid"), "metrics"), (dict(renderer="points"), "centers="),
                         (dict(sizes={"train": 1}), "sizes")):
        with pytest.raises(ValueError, match=message):
            data.DatasetSpec(**{**good, **bad})
    with pytest.raises(ValueError, match="already registered"):
        data.register(data.DatasetSpec(**{**good, "name": "mnist"}))
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.spec("stacked_mnist").load_arrays("validation")


@pytest.mark.backend_independent
def test_a_new_dataset_is_one_spec(tmp_path, monkeypatch):
    """Registering a spec is all it takes for load, create and evaluate's metric choice."""
    def loader(spec, split, data_dir):
        n = spec.sizes[split]
        return np.full((n, 28, 28, 1), 200, np.uint8), np.arange(n) % 2

    monkeypatch.setattr(data.specs, "SPECS", dict(data.SPECS))
    data.register(data.DatasetSpec(name="tiny_digits", title="Tiny", kind="images",
                                   shape=(28, 28, 1), loader=loader, num_classes=2,
                                   sizes={"train": 8, "test": 4}))
    batch = next(iter(data.load("tiny_digits", batch_size=4)))
    assert batch.shape == (4, 28, 28, 1)
    assert evaluation.default_metrics("tiny_digits") == ()  # no classifier: Inception on request
    from ganzoo.zoo.registry import Entry, resolve_entry

    entry = resolve_entry(Entry(name="dcgan-tiny", description="", family="dcgan",
                                dataset="tiny_digits", techniques=("cgan",)))
    assert tuple(entry.generator["image_shape"]) == (28, 28, 1)
    assert entry.generator["num_classes"] == 2


# -- Stacked MNIST ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def stacked_test(mnist_dir):
    return data.load_arrays("stacked_mnist", "test", data_dir=mnist_dir)


@pytest.mark.backend_independent
def test_stacked_mnist_shapes_range_and_determinism(mnist_dir):
    x, y = data.load_arrays("stacked_mnist", "train", data_dir=mnist_dir)
    assert x.shape == (128_000, 28, 28, 3) and x.dtype == np.uint8
    assert y.shape == (128_000,) and y.dtype == np.int64
    assert y.min() >= 0 and y.max() <= 999
    assert x.max() == 255 and x.min() == 0
    again = data.load_arrays("stacked_mnist", "train", data_dir=mnist_dir.parent)  # parent works
    np.testing.assert_array_equal(again[0][:2000], x[:2000])
    np.testing.assert_array_equal(again[1], y)
    np.testing.assert_array_equal(stacked.stacked_indices("train"), stacked.stacked_indices("train"))
    assert not np.array_equal(stacked.stacked_indices("test")[:10],
                              stacked.stacked_indices("train")[:10])
    # its labels alone cover every digit triple almost uniformly (the protocol's 26,000)
    cov = mode_coverage(y[:26_000])
    assert cov["modes"] == 1000 and cov["kl"] < 0.05


@pytest.mark.backend_independent
def test_each_channel_is_the_mnist_image_it_claims(mnist_dir, stacked_test):
    x, y = stacked_test
    mx, my = data.load_arrays("mnist", "test", data_dir=mnist_dir)
    idx = stacked.stacked_indices("test")
    assert x.shape == (26_000, 28, 28, 3) and len(idx) == len(x)
    rng = np.random.default_rng(5)
    for i in rng.choice(len(x), 50, replace=False):
        for c in range(3):
            np.testing.assert_array_equal(x[i, :, :, c], mx[idx[i, c], :, :, 0])
        assert y[i] == 100 * my[idx[i, 0]] + 10 * my[idx[i, 1]] + my[idx[i, 2]]
    np.testing.assert_array_equal(stacked.mode_digits(y), my[idx])


@pytest.mark.backend_independent
def test_stacked_mnist_pipeline_scales_to_minus_one_one(mnist_dir):
    images, labels = next(iter(data.load("stacked_mnist", "test", batch_size=32,
                                         data_dir=mnist_dir, labels=True)))
    images = np.asarray(images)
    assert images.shape == (32, 28, 28, 3) and images.dtype == np.float32
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert np.asarray(labels).max() < 1000


@pytest.mark.backend_independent
def test_mode_index_round_trip():
    digits = np.array([[0, 0, 0], [1, 2, 3], [9, 9, 9], [0, 9, 5]])
    np.testing.assert_array_equal(stacked.mode_index(digits), [0, 123, 999, 95])
    np.testing.assert_array_equal(stacked.mode_digits(stacked.mode_index(digits)), digits)
    with pytest.raises(ValueError, match="last axis of 3"):
        stacked.mode_index([[1, 2]])


# -- the mode metrics -------------------------------------------------------------------------------

@pytest.mark.backend_independent
def test_mode_coverage_against_hand_computed_values():
    every = mode_coverage(np.repeat(np.arange(1000), 3))
    assert every["modes"] == 1000 and every["num_modes"] == 1000
    assert every["kl"] == pytest.approx(0.0, abs=1e-12)
    one = mode_coverage(np.full(26, 417))
    assert one["modes"] == 1 and one["kl"] == pytest.approx(math.log(1000))
    assert one["histogram"][417] == 26 and sum(one["histogram"]) == 26
    # p = (1/2, 1/4, 1/4) over 3 of 1000 modes
    three = mode_coverage(np.array([5, 5, 7, 999]))
    expected = 0.5 * math.log(0.5 * 1000) + 2 * 0.25 * math.log(0.25 * 1000)
    assert three["modes"] == 3 and three["kl"] == pytest.approx(expected)
    for bad in (np.array([1000]), np.array([-1]), np.array([]), np.array([0.5])):
        with pytest.raises(ValueError):
            mode_coverage(bad)


class _ConstantDigitReader:
    """A stand-in classifier: reads digit d from a channel whose mean pixel is -0.95 + 0.2 d."""

    checkpoint_dir = None

    def predict_proba(self, images, batch_size=500):
        images = np.asarray(images)
        assert images.shape[1:] == (28, 28, 1)
        d = np.clip(np.round((images.mean(axis=(1, 2, 3)) + 0.95) / 0.2), 0, 9).astype(int)
        return np.eye(10, dtype=np.float32)[d]


def _images_of(modes):
    digits = stacked.mode_digits(np.asarray(modes))
    return np.broadcast_to((-0.95 + 0.2 * digits)[:, None, None, :].astype(np.float32),
                           (len(digits), 28, 28, 3))


@pytest.mark.backend_independent
def test_predict_digits_reads_each_channel():
    modes = np.array([0, 123, 999, 507])
    np.testing.assert_array_equal(predict_digits(_ConstantDigitReader(), _images_of(modes)),
                                  stacked.mode_digits(modes))
    with pytest.raises(ValueError, match=r"\(n, H, W, 3\)"):
        predict_digits(_ConstantDigitReader(), np.zeros((2, 28, 28, 1)))


@pytest.mark.backend_independent
@pytest.mark.parametrize("modes, expected_modes, expected_kl", [
    (np.arange(1000), 1000, 0.0),
    (np.full(1000, 42), 1, math.log(1000)),
])
def test_evaluation_reports_modes_and_kl(modes, expected_modes, expected_kl):
    images = _images_of(modes)
    r = evaluation.evaluate_batches([images[:600], images[600:]], "stacked_mnist", len(images),
                                    classifier=_ConstantDigitReader(), progress=False)
    assert set(r["metrics"]) == {"modes", "num_modes", "kl"}
    assert r["metrics"]["modes"] == expected_modes and r["metrics"]["num_modes"] == 1000
    assert r["metrics"]["kl"] == pytest.approx(expected_kl, abs=1e-12)
    assert "uniform over the 1,000 digit triples" in r["reference"]
    assert sum(r["details"]["mode_histogram"]) == 1000
    only_kl = evaluation.evaluate_batches([images], "stacked_mnist", len(images), metrics="kl",
                                          classifier=_ConstantDigitReader(), progress=False)
    assert set(only_kl["metrics"]) == {"kl"}


@pytest.mark.backend_independent
def test_stacked_mnist_metric_choices():
    assert evaluation.default_metrics("stacked_mnist") == ("modes", "kl")
    assert evaluation.default_num_samples("stacked_mnist") == 26_000
    with pytest.raises(ValueError, match="metric 'fid' does not apply to 'stacked_mnist'"):
        evaluation.evaluate_batches([], "stacked_mnist", 1, metrics="fid", progress=False)


def test_real_stacked_images_are_read_as_their_modes(stacked_test):
    """The real classifier-mnist, channel by channel, on real stacked images: it reads almost
    every image's digit triple (the classifier is ~99.3 % accurate per digit)."""
    from ganzoo.classifiers import load_classifier

    x, y = stacked_test
    n = 120
    digits = predict_digits(load_classifier("mnist"), x[:n].astype(np.float32) / 127.5 - 1.0)
    assert np.mean(stacked.mode_index(digits) == y[:n]) >= 0.95


def test_dcgan_on_stacked_mnist_trains_a_step(mnist_dir):
    gan = ganzoo.create("dcgan", dataset="stacked_mnist", generator={"width": 4},
                        discriminator={"width": 4}, batch_size=8)
    assert gan.generator.image_shape == gan.discriminator.image_shape == (28, 28, 3)
    ds = data.load("stacked_mnist", "test", batch_size=8, data_dir=mnist_dir).take(1)
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())


def test_evaluate_scores_a_stacked_mnist_gan():
    gan = ganzoo.create("dcgan", dataset="stacked_mnist", generator={"width": 4},
                        discriminator={"width": 4})
    r = evaluation.evaluate(gan, data="stacked_mnist", num_samples=40, batch_size=20,
                            classifier=_ConstantDigitReader(), progress=False)
    assert r["num_samples"] == 40 and 1 <= r["metrics"]["modes"] <= 40
    assert r["samples"] == "gan.sample(40, seed=0)"
    one_channel = ganzoo.create("dcgan", dataset="mnist", generator={"width": 4},
                                discriminator={"width": 4})
    with pytest.raises(ValueError, match="does not fit dataset 'stacked_mnist'"):
        evaluation.evaluate(one_channel, data="stacked_mnist", num_samples=4, progress=False)


@pytest.mark.backend_independent
def test_stacked_mnist_curves_and_table(tmp_path):
    from ganzoo import curves, zootable

    assert curves.quality_metrics("stacked_mnist") == ("modes", "kl")
    assert curves.quality_samples("stacked_mnist") == curves.STACKED_QUALITY_SAMPLES
    history = [curves.record(e, 1000 * e, 1.0, {"d_loss": 1.0, "g_loss": 1.0},
                             {"modes": 100 * e, "num_modes": 1000, "kl": 2.0 / e})
               for e in (1, 2)]
    assert curves.render(history, "stacked_mnist", tmp_path / "c.png").exists()
    assert zootable._columns("stacked_mnist", []) == zootable.STACKED_COLUMNS
    assert zootable.dataset_title("stacked_mnist") == data.spec("stacked_mnist").title
    assert zootable.dataset_title("not-a-dataset") == "not-a-dataset"
    row = {"dataset": "stacked_mnist", "metrics": {"modes": 990, "num_modes": 1000, "kl": 0.05},
           "context": {"num_samples": 26000}, "seeds": None}
    assert zootable._headline(row) == "990/1000 modes, KL 0.050 (seed 0 only; 26,000 samples)"
