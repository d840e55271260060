"""Metric math (FID, KID, precision/recall, IS, class coverage) and the Inception extractor."""

import math
import time

import keras
import numpy as np
import pytest

from ganzoo.metrics import (
    FeatureStats,
    InceptionFeatures,
    MetricUnavailableError,
    class_coverage,
    fid,
    frechet_distance,
    imagenet_weights_path,
    inception_score,
    kid,
    mmd2_unbiased,
    precision_recall,
)
from ganzoo.metrics import inception as inception_module
from ganzoo.metrics import stats as stats_module
from ganzoo.metrics.precision_recall import knn_radii

# Building InceptionV3 takes ~1 s under TensorFlow, about a minute under JAX (one compiled
# random initializer per weight shape) and its eager forward pass is slow under torch.
TF = keras.backend.backend() == "tensorflow"
slow_off_tf = (lambda f: f) if TF else pytest.mark.slow


# ---------------------------------------------------------------------------------------- FID


@pytest.mark.backend_independent
def test_frechet_diagonal_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([0.5, 1.0, 1.0])
    a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    # diagonal: sqrtm(C1 C2) = diag(sqrt(a b)), so FID = |mu1 - mu2|² + Σ (√a - √b)²
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet_distance(mu1, np.diag(a), mu2, np.diag(b))
    assert got == pytest.approx(expected, abs=1e-6)
    assert expected == pytest.approx(0.25 + 9 + 4 + 1)


@pytest.mark.backend_independent
def test_frechet_commuting_closed_form():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a, b = rng.uniform(0.1, 3.0, 6), rng.uniform(0.1, 3.0, 6)
    c1, c2 = q @ np.diag(a) @ q.T, q @ np.diag(b) @ q.T  # commute: same eigenvectors
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, c1, mu2, c2) == pytest.approx(expected, abs=1e-6)
    assert frechet_distance(mu2, c2, mu1, c1) == pytest.approx(expected, abs=1e-6)
    assert frechet_distance(mu1, c1, mu1, c1) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.backend_independent
def test_frechet_non_finite_sqrtm_adds_eps_offset(monkeypatch):
    calls = []
    real_sqrtm = stats_module.scipy.linalg.sqrtm

    def flaky_sqrtm(m):
        calls.append(m)
        return np.full_like(m, np.nan) if len(calls) == 1 else real_sqrtm(m)

    monkeypatch.setattr(stats_module.scipy.linalg, "sqrtm", flaky_sqrtm)
    c = np.diag([1.0, 4.0])
    with pytest.warns(RuntimeWarning, match="adding"):
        value = frechet_distance(np.zeros(2), c, np.zeros(2), c, eps=1e-6)
    np.testing.assert_allclose(calls[1], (c + 1e-6 * np.eye(2)) @ (c + 1e-6 * np.eye(2)))
    assert value == pytest.approx(0.0, abs=1e-5)


@pytest.mark.backend_independent
def test_frechet_imaginary_parts(monkeypatch):
    c = np.diag([1.0, 4.0])
    monkeypatch.setattr(stats_module.scipy.linalg, "sqrtm", lambda m: np.diag([1.0, 4.0]) + 1e-9j)
    assert frechet_distance(np.zeros(2), c, np.zeros(2), c) == pytest.approx(0.0, abs=1e-9)
    monkeypatch.setattr(stats_module.scipy.linalg, "sqrtm", lambda m: np.diag([1.0, 4.0]) + 0.1j)
    with pytest.raises(ValueError, match="imaginary"):
        frechet_distance(np.zeros(2), c, np.zeros(2), c)


@pytest.mark.backend_independent
def test_frechet_rejects_bad_shapes():
    with pytest.raises(ValueError, match="1-D"):
        frechet_distance(np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match=r"cov2 must have shape \(2, 2\)"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(2), np.eye(3))


@pytest.mark.backend_independent
def test_streaming_stats_equal_all_at_once():
    rng = np.random.default_rng(1)
    x = rng.normal(loc=5.0, size=(1000, 16)) @ rng.normal(size=(16, 16))
    y = rng.normal(loc=4.0, size=(700, 16)).astype(np.float32)
    stats = FeatureStats(max_keep=0)
    for chunk in np.split(x, [1, 8, 300, 301, 999]):  # uneven batches, one of a single row
        stats.update(chunk)
    assert stats.count == 1000
    np.testing.assert_allclose(stats.mean, x.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(stats.cov, np.cov(x, rowvar=False), rtol=1e-10, atol=1e-10)
    y64 = y.astype(np.float64)
    direct = frechet_distance(x.mean(0), np.cov(x, rowvar=False),
                              y64.mean(0), np.cov(y64, rowvar=False))
    ys = FeatureStats(max_keep=0)
    for i in range(0, 700, 64):
        ys.update(y[i : i + 64])
    assert fid(stats, ys) == pytest.approx(direct, rel=1e-9)
    assert fid(x, y) == pytest.approx(direct, rel=1e-9)


@pytest.mark.backend_independent
def test_feature_stats_memory_is_bounded_by_accumulators():
    d = 2048
    stats = FeatureStats(max_keep=0)
    rng = np.random.default_rng(0)
    for _ in range(3):
        stats.update(rng.normal(size=(100, d)).astype(np.float32))
    assert stats.count == 300
    assert stats.nbytes == 8 * (2 * d + d * d)  # shift, sum and the d×d outer sum: 32 MB
    assert stats.features.shape == (0, d)


@pytest.mark.backend_independent
def test_reservoir_keeps_a_uniform_sample():
    n, keep = 20_000, 500
    stats = FeatureStats(max_keep=keep, seed=3)
    values = np.arange(n, dtype=np.float64)[:, None]
    stats.update(values[:100])
    np.testing.assert_array_equal(stats.features[:, 0], np.arange(100))  # all kept so far
    for i in range(100, n, 777):
        stats.update(values[i : i + 777])
    kept = stats.features[:, 0]
    assert kept.dtype == np.float32 and len(kept) == keep
    assert len(np.unique(kept)) == keep and np.all(np.isin(kept, values[:, 0]))
    se = n / math.sqrt(12 * keep)  # standard error of the mean of a uniform sample
    assert abs(kept.mean() - (n - 1) / 2) < 4 * se
    assert (kept >= n / 2).mean() == pytest.approx(0.5, abs=0.1)


@pytest.mark.backend_independent
def test_feature_stats_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 5))
    a = FeatureStats(max_keep=50, seed=1).update(x[:200])
    a.save(tmp_path / "stats.npz")
    b = FeatureStats.load(tmp_path / "stats.npz")
    a.update(x[200:]), b.update(x[200:])
    assert b.count == 300
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.cov, b.cov)
    np.testing.assert_array_equal(a.features, b.features)


@pytest.mark.backend_independent
def test_feature_stats_errors():
    stats = FeatureStats()
    with pytest.raises(ValueError, match="2-D"):
        stats.update(np.zeros(3))
    with pytest.raises(ValueError, match="at least 1 sample"):
        stats.mean
    stats.update(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        stats.cov
    with pytest.raises(ValueError, match="3 features per row"):
        stats.update(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        stats.update(np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="at least 2 rows for a covariance"):
        fid(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="feature dimensions differ"):
        fid(np.random.rand(4, 3), np.random.rand(4, 2))


# ---------------------------------------------------------------------------------------- KID


@pytest.mark.backend_independent
def test_kid_hand_computed():
    a, b = np.array([[0.0], [1.0]]), np.array([[1.0], [2.0]])
    # d = 1, k(x, y) = (x y + 1)^3. Within a: k(0, 1) = 1 -> 2·1 / (2·1) = 1. Within b:
    # k(1, 2) = 27 -> 27. Cross: k(0,1) + k(0,2) + k(1,1) + k(1,2) = 1 + 1 + 8 + 27 = 37 -> 2·37/4.
    expected = 1 + 27 - 2 * 37 / 4
    assert mmd2_unbiased(a, b) == pytest.approx(expected)
    mean, std = kid(a, b, num_subsets=5, subset_size=10)  # subset clipped to 2: all rows
    assert mean == pytest.approx(9.5) and std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.backend_independent
def test_mmd2_matches_naive_double_sum():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))

    def k(u, v):
        return (u @ v / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(5) for j in range(5) if i != j) / 20
    yy = sum(k(y[i], y[j]) for i in range(4) for j in range(4) if i != j) / 12
    xy = sum(k(x[i], y[j]) for i in range(5) for j in range(4)) / 20
    assert mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


@pytest.mark.backend_independent
def test_kid_is_unbiased_on_one_distribution_and_positive_on_a_shift():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 4))
    same = []
    for _ in range(300):  # disjoint random halves of one sample
        perm = rng.permutation(len(z))
        same.append(kid(z[perm[:200]], z[perm[200:]], num_subsets=1, subset_size=200).mean)
    same = np.array(same)
    se = same.std(ddof=1) / math.sqrt(len(same))
    assert abs(same.mean()) < 3 * se
    shifted = kid(z[:200], rng.normal(loc=0.5, size=(200, 4)), num_subsets=20, subset_size=150)
    assert shifted.mean > 10 * same.std() and shifted.mean > 0.05


@pytest.mark.backend_independent
def test_kid_errors():
    with pytest.raises(ValueError, match="at least 2 rows"):
        kid(np.zeros((1, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="3 features per row"):
        kid(np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="subset_size"):
        kid(np.zeros((5, 3)), np.zeros((5, 3)), subset_size=1)


# ---------------------------------------------------------------------------- precision/recall


@pytest.mark.backend_independent
def test_precision_recall_hand_computed_1d():
    real = np.array([[0.0], [1.0], [3.0], [10.0], [11.0]])
    fake = np.array([[0.5], [2.5], [6.0]])
    # k = 1 radii: real 0,1,3,10,11 -> 1,1,2,1,1; fake 0.5,2.5,6 -> 2,2,3.5.
    np.testing.assert_allclose(knn_radii(real, k=1), [1, 1, 2, 1, 1])
    # fakes inside a real ball: 0.5 (ball of 0), 2.5 (ball of 3); 6 is 3 from 3 and 4 from 10: no.
    # reals inside a fake ball: 0, 1 (ball of 0.5), 3 (ball of 2.5); 10, 11 are > 3.5 from 6.
    p, r = precision_recall(real, fake, k=1)
    assert (p, r) == (pytest.approx(2 / 3), pytest.approx(3 / 5))


@pytest.mark.backend_independent
def test_precision_recall_hand_computed_2d():
    real = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])  # k=1 radii all 1
    fake = np.array([[0.5, 0.5], [2.0, 0.0], [3.0, 3.0]])
    # (0.5, 0.5) is 0.71 from a corner; (2, 0) exactly 1 from (1, 0): inside (<=); (3, 3) is 2.83
    # from (1, 1). Fake radii: 1.58, 1.58, 3.16; every corner is within 1.58 of (0.5, 0.5).
    p, r = precision_recall(real, fake, k=1)
    assert (p, r) == (pytest.approx(2 / 3), pytest.approx(1.0))


@pytest.mark.backend_independent
def test_precision_recall_identical_and_far():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5))
    assert precision_recall(x, x.copy(), k=3) == (1.0, 1.0)
    assert precision_recall(x, x + 100.0, k=3) == (0.0, 0.0)


@pytest.mark.backend_independent
def test_precision_recall_batched_equals_brute_force():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(40, 3)), rng.normal(loc=0.7, size=(33, 3))
    k = 3

    def brute(a, b):
        daa = np.linalg.norm(a[:, None] - a[None], axis=-1)
        radii = np.sort(daa, axis=1)[:, k]  # column 0 is the point itself
        dba = np.linalg.norm(b[:, None] - a[None], axis=-1)
        return (dba <= radii[None]).any(axis=1).mean()

    expected = (brute(real, fake), brute(fake, real))
    assert 0 < expected[0] < 1 and 0 < expected[1] < 1
    for batch_size in (1, 7, 1000):
        got = precision_recall(real, fake, k=k, batch_size=batch_size)
        assert got == pytest.approx(expected, abs=1e-12)


@pytest.mark.backend_independent
def test_precision_recall_errors():
    with pytest.raises(ValueError, match=r"at least 4 rows \(k-th neighbour with k=3\)"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
    with pytest.raises(ValueError, match="2 features per row"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match="2-D"):
        precision_recall(np.zeros(10), np.zeros((10, 1)))


# -------------------------------------------------------------------------- IS and coverage


@pytest.mark.backend_independent
def test_inception_score_hand_computed():
    assert inception_score(np.full((50, 7), 1 / 7), splits=10) == (pytest.approx(1.0), 0.0)
    k = 5
    one_hot = np.tile(np.eye(k), (20, 1))  # every split of 10 rows holds each class twice
    mean, std = inception_score(one_hot, splits=10)
    assert mean == pytest.approx(k) and std == pytest.approx(0.0, abs=1e-12)
    # p(y) = (0.75, 0.25); KL rows: log(4/3) and 0.5 log(2/3) + 0.5 log 2 = 0.5 log(4/3)
    mean, std = inception_score([[1.0, 0.0], [0.5, 0.5]], splits=1)
    assert mean == pytest.approx((4 / 3) ** 0.75) and std == 0.0
    # two splits with scores 1 (uniform) and 2 (one-hot over two classes): mean 1.5, std 0.5
    mean, std = inception_score([[0.5, 0.5], [0.5, 0.5], [1, 0], [0, 1]], splits=2)
    assert (mean, std) == (pytest.approx(1.5), pytest.approx(0.5))


@pytest.mark.backend_independent
def test_inception_score_errors():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.random.default_rng(0).normal(size=(20, 3)) + 5, splits=2)
    with pytest.raises(ValueError, match=">= 0"):
        inception_score([[1.5, -0.5]], splits=1)
    with pytest.raises(ValueError, match="at least splits=10 rows"):
        inception_score(np.full((5, 2), 0.5), splits=10)
    with pytest.raises(ValueError, match="2-D"):
        inception_score(np.full(4, 0.25))


@pytest.mark.backend_independent
def test_class_coverage_hand_computed():
    labels = np.array([0, 0, 1, 1, 1, 3])  # p_gen = (1/3, 1/2, 0, 1/6)
    out = class_coverage(labels, np.ones(4), 4)
    expected = (1 / 3) * math.log(4 / 3) + 0.5 * math.log(2) + (1 / 6) * math.log(2 / 3)
    assert out["kl"] == pytest.approx(expected)
    assert out["classes_seen"] == 3 and out["classes_min_share"] == 3
    assert out["histogram"] == [2, 3, 0, 1] and out["samples"] == 6 and out["num_classes"] == 4
    assert class_coverage(labels, np.ones(4), 4, min_share=0.2)["classes_min_share"] == 2
    probs = np.eye(4)[labels] * 0.7 + 0.3 / 4  # argmax = labels
    assert class_coverage(probs, [1, 1, 1, 1]) == out
    # non-uniform data histogram (counts): p_data = (0.25, 0.25, 0, 0.5)
    out = class_coverage(labels, [10, 10, 0, 20], 4)
    expected = (1 / 3) * math.log(4 / 3) + 0.5 * math.log(2) + (1 / 6) * math.log(1 / 3)
    assert out["kl"] == pytest.approx(expected)
    assert class_coverage([0, 1, 2, 3], None, 4)["kl"] == pytest.approx(0.0)
    assert class_coverage([2], [1, 1, 0], 3)["kl"] == math.inf


@pytest.mark.backend_independent
def test_class_coverage_errors():
    with pytest.raises(ValueError, match=r"labels must lie in 0..3"):
        class_coverage([0, 4], np.ones(4), 4)
    with pytest.raises(ValueError, match="num_classes=4 entries"):
        class_coverage([0, 1], np.ones(3), 4)
    with pytest.raises(ValueError, match="num_classes=3 columns"):
        class_coverage(np.ones((2, 4)) / 4, np.ones(3))
    with pytest.raises(ValueError, match="num_classes is required"):
        class_coverage([0, 1])


# ----------------------------------------------------------------------------- Inception


@pytest.mark.backend_independent
def test_imagenet_weights_offline_raises_fast(tmp_path):
    start = time.perf_counter()
    with pytest.raises(MetricUnavailableError) as err:
        InceptionFeatures(weights="imagenet", download=False, cache_dir=tmp_path)
    assert time.perf_counter() - start < 2.0  # fails before building the network
    message = str(err.value)
    assert "inception_v3_weights_tf_dim_ordering_tf_kernels.h5" in message
    assert str(tmp_path / "models") in message and "offline" in message


@pytest.mark.backend_independent
def test_imagenet_weights_download_failure_is_reported(tmp_path, monkeypatch):
    def no_network(*args, **kwargs):
        raise Exception("URL fetch failure: no network")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    with pytest.raises(MetricUnavailableError, match="download failed.*no network") as err:
        imagenet_weights_path(logits=False, cache_dir=tmp_path, timeout=1)
    assert "_notop.h5" in str(err.value) and err.value.__cause__ is not None


@pytest.mark.backend_independent
def test_imagenet_weights_cache_is_checked(tmp_path, monkeypatch):
    fname = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / fname).write_bytes(b"not the weights")
    with pytest.raises(MetricUnavailableError, match="md5"):
        imagenet_weights_path(logits=True, download=False, cache_dir=tmp_path)
    md5 = inception_module._md5(tmp_path / "models" / fname)
    monkeypatch.setitem(inception_module.IMAGENET_WEIGHTS, True, (fname, md5))
    path = imagenet_weights_path(logits=True, download=False, cache_dir=tmp_path)
    assert path == str(tmp_path / "models" / fname)


@pytest.fixture(scope="module")
def random_inception():
    return InceptionFeatures(weights=None, batch_size=2)


@slow_off_tf
def test_random_inception_features(random_inception):
    ext = random_inception
    x = np.random.default_rng(0).uniform(-1, 1, size=(3, 28, 28, 1)).astype(np.float32)
    feats, logits = ext.features_and_logits(x)  # batches of 2, the last one padded
    assert feats.shape == (3, 2048) and feats.dtype == np.float32 and np.isfinite(feats).all()
    assert logits.shape == (3, 1000) and np.isfinite(logits).all()
    np.testing.assert_allclose(ext(x[2:]), feats[2:], rtol=1e-4, atol=1e-6)  # no batch effects
    probs = ext.probs(x[:1])
    assert probs.shape == (1, 1000) and probs.sum() == pytest.approx(1.0)
    rgb = np.random.default_rng(1).uniform(-1, 1, size=(2, 32, 32, 3))
    stats, probs = ext.feature_stats([(rgb, None), rgb[:1]], max_keep=10, return_probs=True)
    assert stats.count == 3 and stats.features.shape == (3, 2048) and probs.shape == (3, 1000)


@slow_off_tf
def test_inception_rejects_bad_images(random_inception):
    with pytest.raises(ValueError, match=r"\(n, H, W, C\) with C = 1 or 3"):
        random_inception(np.zeros((2, 28, 28)))
    with pytest.raises(ValueError, match=r"\(n, H, W, C\) with C = 1 or 3"):
        random_inception(np.zeros((2, 28, 28, 2)))
    with pytest.raises(ValueError, match=r"\[-1, 1\].*127.5"):
        random_inception(np.full((2, 28, 28, 1), 255.0))


@pytest.mark.slow  # two more InceptionV3 builds: ~2 min under JAX
def test_inception_pool_only_from_weights_file(tmp_path):
    ext = InceptionFeatures(weights=None, logits=False)
    path = str(tmp_path / "inception.weights.h5")
    ext.model.save_weights(path)
    again = InceptionFeatures(weights=path, logits=False)
    x = np.random.default_rng(0).uniform(-1, 1, size=(1, 16, 16, 1))
    feats = again(x)
    assert feats.shape == (1, 2048)
    np.testing.assert_allclose(feats, ext(x), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="logits=False"):
        again.feature_stats(x, return_probs=True)


@pytest.mark.backend_independent
def test_inception_weights_argument_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        InceptionFeatures(weights=str(tmp_path / "missing.h5"))
    with pytest.raises(ValueError, match="'imagenet', None or a file path"):
        InceptionFeatures(weights=3)


@pytest.mark.backend_independent
def test_confident_share_and_class_shares_by_hand():
    from ganzoo.metrics import class_coverage, confident_share

    probs = np.array([[0.95, 0.05], [0.5, 0.5], [0.1, 0.9], [0.2, 0.8]])
    # max probabilities 0.95, 0.5, 0.9, 0.8: two reach 0.9 (the threshold counts)
    assert confident_share(probs) == 0.5
    assert confident_share(probs, threshold=0.5) == 1.0
    cov = class_coverage(probs)  # argmax labels 0, 0, 1, 1 -> shares 0.5, 0.5
    assert (cov["share_min"], cov["share_max"]) == (0.5, 0.5)
    cov = class_coverage(np.array([0, 0, 0, 1]), num_classes=3)
    assert (cov["share_min"], cov["share_max"]) == (0.0, 0.75)
    with pytest.raises(ValueError, match=r"\(n, K\)"):
        confident_share(np.array([0.9, 0.1]))
