"""``class_accuracy`` (issue "Techniques II"): a conditional GAN's samples of a requested class are
read as that class by the dataset's domain classifier. The metric by hand, the evaluation's class
layout (sample i of class i % K), stub generators and classifiers with known answers (an oracle
gives exactly 1, a generator that ignores its condition exactly 1/K under a constant classifier),
a real tiny cGAN through ``ganzoo.evaluate``, an unconditional GAN untouched, and the table / card /
seed-study plumbing. Fast, no trained classifier and no dataset files: the tests that build a
model run under every backend, the pure metric and table checks once (backend_independent).
"""

import numpy as np
import pytest

import ganzoo
from conftest import tiny_gan
from ganzoo import evaluation, modelcard, seeds, zootable
from ganzoo.data.stacked import mode_digits
from ganzoo.metrics import class_accuracy

N = 120  # samples per evaluation: 12 of each of 10 classes


# ----------------------------------------------------------------------------- the metric
@pytest.mark.backend_independent
def test_class_accuracy_by_hand():
    labels = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    pred = np.array([0, 0, 1, 1, 0, 2, 2, 2, 2])
    r = class_accuracy(pred, labels, num_classes=4)
    assert r["accuracy"] == pytest.approx(7 / 9)
    assert r["per_class"] == [pytest.approx(2 / 3), 0.5, 1.0, None]  # class 3: never requested
    assert r["min"] == 0.5  # over the requested classes
    assert r["counts"] == [3, 2, 4, 0] and r["samples"] == 9 and r["num_classes"] == 4
    # probabilities are read by their argmax; K from their columns
    probs = np.eye(4)[pred] * 0.7 + 0.075
    assert class_accuracy(probs, labels) == r


@pytest.mark.backend_independent
@pytest.mark.parametrize("pred, labels, kw, match", [
    (np.zeros(3, int), np.zeros(4, int), {"num_classes": 2}, "one class per sample"),
    (np.zeros(3, int), np.array([0, 1, 2]), {"num_classes": 2}, r"labels must lie in 0\.\.1"),
    (np.zeros(3, int), np.zeros(3, int), {}, "num_classes is required"),
    (np.zeros((3, 5)), np.zeros(3, int), {"num_classes": 4}, "num_classes=4 columns"),
    (np.zeros(3, int), np.zeros(3), {"num_classes": 2}, "labels must be integers"),
])
def test_class_accuracy_refuses_bad_inputs(pred, labels, kw, match):
    with pytest.raises(ValueError, match=match):
        class_accuracy(pred, labels, **kw)


@pytest.mark.backend_independent
def test_class_layout_is_fixed_and_balanced():
    y = evaluation.class_layout(10_000, 10)
    assert y.dtype == np.int64 and list(y[:12]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert np.bincount(y).tolist() == [1000] * 10
    assert np.bincount(evaluation.class_layout(26_000, 1000)).tolist() == [26] * 1000
    assert np.bincount(evaluation.class_layout(25, 10)).tolist() == [3] * 5 + [2] * 5


@pytest.mark.backend_independent
def test_class_accuracy_joins_the_default_set_of_a_conditional_gan_only():
    assert "class_accuracy" not in evaluation.default_metrics("mnist")
    assert evaluation.default_metrics("mnist", conditional=True)[-1] == "class_accuracy"
    assert evaluation.default_metrics("stacked_mnist", conditional=True) == (
        "modes", "kl", "class_accuracy")
    assert "class_accuracy" not in evaluation.default_metrics("ring8", conditional=True)
    with pytest.raises(ValueError, match="conditional GAN"):
        evaluation._resolve_metrics("mnist", "fid,class_accuracy")


# ------------------------------------------------------------------- stubs with known answers
class StubGAN:
    """A stand-in with the GAN's sampling surface: image (0, 0) of every channel carries a digit
    of the class (``follow=True``) or 0 (a generator that ignores its condition); pixel (1, 1)
    carries z[0], so the samples differ."""

    latent_dim = 2

    def __init__(self, num_classes=10, follow=True, dataset="mnist", channels=1):
        self.num_classes, self.follow = num_classes, follow
        self.image_shape = (28, 28, channels)
        self.checkpoint_config = {"dataset": dataset, "name": "stub"}

    @property
    def conditional(self):
        return self.num_classes is not None

    def sample_labels(self, n, seed):
        raise AssertionError("the evaluation must use the fixed class layout, not sampled classes")

    def generate(self, z, labels=None):
        x = np.full((len(z),) + self.image_shape, -1.0, np.float32)
        x[:, 1, 1, :] = np.tanh(z[:, :1])
        if self.follow:
            digits = mode_digits(labels) if self.image_shape[-1] == 3 else np.asarray(labels)[:, None]
            x[:, 0, 0, :] = digits / 10.0
        return x


class StubClassifier:
    """A domain classifier that reads the digit of pixel (0, 0) (``oracle``) or always says
    ``constant``; it records the images it was shown."""

    feature_dim = 4
    metadata = {}

    def __init__(self, constant=None):
        self.constant, self.seen = constant, []

    def predict_features(self, x, batch_size=500):
        return np.asarray(x, np.float64)[:, :2, :2, 0].reshape(len(x), 4)

    def predict_proba(self, x, batch_size=500):
        self.seen.append(np.array(x))
        digit = (np.full(len(x), self.constant) if self.constant is not None
                 else np.rint(np.asarray(x)[:, 0, 0, 0] * 10).astype(int))
        return np.eye(10, dtype=np.float32)[digit]


def _evaluate(gan, clf, **kw):
    rng = np.random.default_rng(0)
    reference = rng.uniform(-1, 1, (40, 28, 28, 1)).astype(np.float32)
    kw = {"data": "mnist", "num_samples": N, "classifier": clf, "reference": reference,
          "progress": False, "metrics": "class_accuracy,class_shares,confident", **kw}
    return evaluation.evaluate(gan, **kw)


def test_an_oracle_scores_one():
    r = _evaluate(StubGAN(), StubClassifier())
    assert r["metrics"]["class_accuracy"] == 1.0 and r["metrics"]["class_accuracy_min"] == 1.0
    assert r["details"]["class_accuracy_per_class"] == [1.0] * 10
    # the same samples serve the other metrics: balanced classes, each read as requested
    assert r["details"]["class_histogram"] == [N // 10] * 10
    assert "i % 10" in r["protocol"]["class_accuracy"]
    assert r["samples"].startswith(f"gan.sample({N}, seed=0, labels=arange({N}) % 10)")


def test_a_generator_that_ignores_its_class_scores_one_over_k():
    """With a classifier that always says 3, each class's samples are read as 3: class 3 scores
    1, the other nine 0, the whole exactly 1/10 (equal counts per class)."""
    r = _evaluate(StubGAN(follow=False), StubClassifier(constant=3))
    assert r["metrics"]["class_accuracy"] == pytest.approx(0.1, abs=1e-12)
    assert r["metrics"]["class_accuracy_min"] == 0.0
    assert r["details"]["class_accuracy_per_class"] == [0.0] * 3 + [1.0] + [0.0] * 6
    assert r["metrics"]["class_share_max"] == 1.0  # what the class shares say of it


def test_stacked_mnist_reads_the_class_as_a_digit_triple():
    gan = StubGAN(num_classes=1000, dataset="stacked_mnist", channels=3)
    r = evaluation.evaluate(gan, num_samples=2000, classifier=StubClassifier(), progress=False)
    assert set(r["metrics"]) == {"modes", "num_modes", "kl", "class_accuracy",
                                 "class_accuracy_min"}
    assert r["metrics"]["class_accuracy"] == 1.0 and r["metrics"]["modes"] == 1000
    assert r["metrics"]["kl"] == pytest.approx(0.0, abs=1e-12)  # 2 samples of every triple
    assert len(r["details"]["class_accuracy_per_class"]) == 1000
    ignoring = StubGAN(num_classes=1000, dataset="stacked_mnist", channels=3, follow=False)
    r = evaluation.evaluate(ignoring, num_samples=2000, classifier=StubClassifier(),
                            progress=False)
    assert r["metrics"]["class_accuracy"] == pytest.approx(0.001)  # all read as triple 000


def test_a_gan_on_other_classes_than_its_dataset_is_refused():
    with pytest.raises(ValueError, match="conditional on 7 classes"):
        _evaluate(StubGAN(num_classes=7), StubClassifier())


# ------------------------------------------------------------------------- real GANs
def test_a_conditional_gan_is_evaluated_on_the_class_layout():
    gan = ganzoo.create("dcgan", dataset="mnist", techniques=["cgan"], seed=0,
                        generator={"width": 4, "latent_dim": 8}, discriminator={"width": 4})
    clf = StubClassifier(constant=5)
    r = _evaluate(gan, clf, seed=3)
    assert r["metrics"]["class_accuracy"] == pytest.approx(0.1)
    seen = np.concatenate(clf.seen)
    expected = gan.sample(N, seed=3, labels=evaluation.class_layout(N, 10))
    np.testing.assert_allclose(seen, expected, atol=1e-6)
    # the default set of a conditional GAN has it too (and the card and the seed study carry it)
    r = _evaluate(gan, StubClassifier(constant=5), seed=3, metrics=None)
    assert {"fid", "confident", "class_accuracy", "class_accuracy_min"} <= set(r["metrics"])
    assert r["metrics"]["class_accuracy"] == pytest.approx(0.1)
    metrics = evaluation.card_metrics(r)
    assert {"class_accuracy", "class_accuracy_min"} <= set(metrics)
    card = "\n".join(modelcard._metrics_section(metrics, gan.num_classes))
    assert "class_accuracy" in card and "class_accuracy_min" in card
    assert f"`gan.sample({N}, seed=3, labels=arange({N}) % 10)`" in card
    agg = seeds._aggregate_metrics({"0": {"metrics": {"class_accuracy": 0.5}},
                                    "1": {"metrics": {"class_accuracy": 0.7}}})
    assert agg["class_accuracy"]["mean"] == pytest.approx(0.6)


def test_an_unconditional_evaluation_has_no_class_accuracy():
    gan = tiny_gan()
    r = _evaluate(gan, StubClassifier(), metrics=None)
    assert "class_accuracy" not in r["metrics"] and "class_accuracy_min" not in r["metrics"]
    assert "class_accuracy_per_class" not in r["details"]
    assert "class_accuracy" not in r["protocol"]
    assert r["samples"] == f"gan.sample({N}, seed=0)"
    with pytest.raises(ValueError, match="conditional GAN"):
        _evaluate(gan, StubClassifier(), metrics="class_accuracy")


# ------------------------------------------------------------------------- the zoo table
@pytest.mark.backend_independent
def test_the_table_shows_class_accuracy_only_when_present():
    plain = {"metrics": {"fid": 1.0}}
    conditional = {"metrics": {"fid": 2.0, "class_accuracy": 0.9871, "class_accuracy_min": 0.5}}
    titles = [c[1] for c in zootable._columns("mnist", [plain])]
    assert "class acc." not in titles and "class acc. min" not in titles
    columns = zootable._columns("mnist", [plain, conditional])
    titles = [c[1] for c in columns]
    assert titles[:2] == ["class acc.", "class acc. min"] and "FID" in titles
    assert [zootable._cell(conditional["metrics"], c) for c in columns[:2]] == ["98.7%", "50.0%"]
    assert [zootable._cell(plain["metrics"], c) for c in columns[:2]] == ["—", "—"]
    stacked = [c[1] for c in zootable._columns("stacked_mnist", [conditional])]
    assert stacked == ["modes", "KL to uniform", "class acc.", "class acc. min"]
    assert [c[1] for c in zootable._columns("stacked_mnist", [plain])] == [
        "modes", "KL to uniform"]
