"""ganzoo.evaluate, metrics.json + card + manifest, `ganzoo eval`, the zoo table (`ganzoo table`).

Fast: a tiny GAN, a narrow classifier trained a few steps on 256 real MNIST images, a few hundred
samples and a slice of the real test split as reference.
"""

import json
import re
from pathlib import Path

import keras
import numpy as np
import pytest

import ganzoo
from conftest import tiny_gan
from ganzoo import checkpoint, cli, evaluation, zootable
from ganzoo.data import load_arrays, toy_sample
from ganzoo.metrics import fid, toy_metrics

N, REF = 120, 300  # generated samples, reference images (first REF of the test split)


@pytest.fixture(scope="module")
def root(tmp_path_factory, mnist_dir):
    """A checkpoints root holding classifier-mnist: a narrow DomainClassifier trained a few steps
    (the colleague's API: DomainClassifier, save_classifier, load_classifier)."""
    from ganzoo.classifiers import recompute_batch_norm, save_classifier
    from ganzoo.models.classifier import DomainClassifier

    x, y = load_arrays("mnist", "train", mnist_dir)
    x = x[:256].astype("float32") / 127.5 - 1.0
    keras.utils.set_random_seed(0)
    model = DomainClassifier(widths=(4, 8), feature_dim=16)
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y[:256], batch_size=64, epochs=2, verbose=0)
    recompute_batch_norm(model, x)
    path = tmp_path_factory.mktemp("ckpts")
    full_y = load_arrays("mnist", "train", mnist_dir)[1]
    save_classifier(model, path / "classifier-mnist", "mnist", train_labels=full_y)
    return path


@pytest.fixture(scope="module")
def clf(root):
    from ganzoo.classifiers import load_classifier

    return load_classifier(root / "classifier-mnist")


@pytest.fixture(scope="module")
def gan_dir(root):
    """A saved tiny (untrained) DCGAN on MNIST inside the root."""
    return tiny_gan().save_pretrained(root / "tiny-mnist", name="tiny-mnist", dataset="mnist",
                                      description="tiny test GAN",
                                      training={"images_seen": 1234, "wall_time_minutes": 0.5})


def _evaluate(gan, clf, mnist_dir, **kw):
    kw = {"data": "mnist", "num_samples": N, "classifier": clf, "data_dir": mnist_dir,
          "reference_size": REF, "progress": False, **kw}
    return evaluation.evaluate(gan, **kw)


def test_samples_stream_from_one_seeded_latent_stream():
    gan = tiny_gan()
    z = np.concatenate(list(evaluation.latent_batches(gan, 1001, 7, 128)))
    np.testing.assert_array_equal(z, gan.latents(1001, seed=7))
    x = np.concatenate(list(evaluation.sample_batches(gan, 300, 7, batch_size=128)))
    np.testing.assert_allclose(x, gan.sample(300, seed=7), atol=1e-6)


def test_evaluate_records_metrics_and_protocol(clf, mnist_dir, tmp_path):
    gan = tiny_gan()
    r = _evaluate(gan, clf, mnist_dir,
                  metrics="default,inception_fid,inception_is",
                  inception={"download": False, "cache_dir": str(tmp_path)})
    m = r["metrics"]
    assert set(m) == {"fid", "kid", "kid_std", "precision", "recall", "confident",
                      "class_share_min", "class_share_max", "classes_seen", "class_kl",
                      "classifier_is", "classifier_is_std"}
    assert m["fid"] > 0 and 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
    hist = np.asarray(r["details"]["class_histogram"]) / N
    assert (m["class_share_min"], m["class_share_max"]) == (hist.min(), hist.max())
    assert 0 <= m["confident"] <= 1
    assert 1 <= m["classes_seen"] <= 10 and m["class_kl"] >= 0 and 1 <= m["classifier_is"] <= 10
    assert sum(r["details"]["class_histogram"]) == N
    # Inception metrics offline: recorded as unavailable with the reason, not a number
    assert set(r["unavailable"]) == {"inception_fid", "inception_is"}
    assert "InceptionV3" in r["unavailable"]["inception_fid"]
    assert r["num_samples"] == N and r["seed"] == 0
    assert r["reference"] == f"mnist test split, first {REF} of 10000 images"
    assert re.fullmatch(r"classifier-mnist [0-9a-f]{12}", r["feature_space"])
    assert r["backend"] == keras.config.backend() and r["ganzoo_version"] == ganzoo.__version__
    assert r["elapsed_seconds"] >= 0
    json.dumps(r)  # serializable


def test_streaming_batch_size_does_not_change_the_result(clf, mnist_dir):
    gan = tiny_gan()
    a = _evaluate(gan, clf, mnist_dir, batch_size=32)
    b = _evaluate(gan, clf, mnist_dir, batch_size=500)
    for k in a["metrics"]:
        assert a["metrics"][k] == pytest.approx(b["metrics"][k], rel=1e-5, abs=1e-9), k


def test_fid_grows_monotonically_with_added_noise(clf, mnist_dir):
    """The issue's sanity check: real images plus Gaussian noise of increasing sigma move away
    from the real test images, in the classifier's feature space and in a fixed random projection
    of the pixels."""
    x, _ = load_arrays("mnist", "train", mnist_dir)
    real = x[:REF].astype("float32") / 127.5 - 1.0
    test = load_arrays("mnist", "test", mnist_dir)[0][:REF].astype("float32") / 127.5 - 1.0
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(real.shape).astype("float32")
    projection = rng.standard_normal((28 * 28, 32)) / 28.0
    sigmas = (0.0, 0.1, 0.25, 0.5, 1.0)
    in_classifier, in_projection = [], []
    for s in sigmas:
        noisy = np.clip(real + s * noise, -1, 1)
        r = evaluation.evaluate_batches([noisy], "mnist", REF, metrics="fid", classifier=clf,
                                        reference=test, progress=False)
        in_classifier.append(r["metrics"]["fid"])
        in_projection.append(fid(noisy.reshape(REF, -1) @ projection,
                                 test.reshape(REF, -1) @ projection))
    assert np.all(np.diff(in_classifier) > 0), in_classifier
    assert np.all(np.diff(in_projection) > 0), in_projection


def test_toy_metrics_through_evaluate():
    gan = ganzoo.create("gan-ring8")
    r = evaluation.evaluate(gan, data="ring8", progress=False, batch_size=1000)
    assert r["num_samples"] == 2500 and r["seed"] == 0  # the toy standard
    expected = toy_metrics(gan.sample(2500, seed=0), "ring8")
    assert r["metrics"] == {k: expected[k] for k in ("modes", "num_modes", "high_quality",
                                                     "reverse_kl")}
    assert "8 centres" in r["reference"]
    perfect = evaluation.evaluate_batches([toy_sample("ring8", 2500, seed=3)], "ring8", 2500,
                                          progress=False)
    assert perfect["metrics"]["modes"] == 8 and perfect["metrics"]["high_quality"] > 0.99
    with pytest.raises(ValueError, match="does not apply"):
        evaluation.evaluate(gan, data="ring8", metrics="fid", progress=False)
    with pytest.raises(ValueError, match="Did you mean 'fid'"):
        evaluation.evaluate(tiny_gan(), data="mnist", metrics="fdi", progress=False)


def test_write_metrics_updates_card_and_manifest(clf, mnist_dir, tmp_path):
    path = tiny_gan().save_pretrained(tmp_path / "ck", dataset="mnist")
    gan = ganzoo.load(path)
    results = _evaluate(gan, clf, mnist_dir, data=None)  # dataset from the checkpoint
    weights = (path / "model.weights.h5").read_bytes()
    sha = evaluation.write_metrics(path, results)
    assert sha == checkpoint.sha256_file(path / checkpoint.MANIFEST)
    assert "metrics.json" in checkpoint.verify(path, sha)
    text = (path / "metrics.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    assert json.loads(text)["metrics"] == pytest.approx(results["metrics"])
    meta = checkpoint.read_metadata(path)
    assert meta["metrics"]["num_samples"] == N
    assert meta["metrics"]["fid"] == results["metrics"]["fid"]
    card = (path / "README.md").read_text()
    assert f"| samples | {N} generated, `gan.sample({N}, seed=0)` |" in card
    assert f"| reference | mnist test split, first {REF} of 10000 images |" in card
    assert "| fid |" in card and "metrics.json" in card
    assert (path / "model.weights.h5").read_bytes() == weights
    loaded = ganzoo.load(path)  # still verifies
    np.testing.assert_array_equal(loaded.sample(2, seed=1), gan.sample(2, seed=1))
    assert evaluation.read_metrics(path)["weights_sha256"] == checkpoint.sha256_file(
        path / "model.weights.h5")
    # retrained (re-saved) checkpoint: the old metrics.json is no longer trusted
    gan.save_pretrained(path, dataset="mnist")
    assert evaluation.read_metrics(path) is None


def test_cli_eval_no_write_and_floor(root, gan_dir, mnist_dir, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(root))
    monkeypatch.setattr("ganzoo.classifiers.pinned", lambda name: None)  # a test classifier
    before = (gan_dir / checkpoint.MANIFEST).read_bytes()
    code = cli.main(["eval", str(gan_dir), "--num-samples", "60", "--reference-size", "200",
                     "--data-dir", str(mnist_dir), "--no-write"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert re.search(r"^fid\s+\d", out, re.M) and "gan.sample(60, seed=0)" in out
    assert "mnist test split, first 200 of 10000 images" in out
    assert (gan_dir / checkpoint.MANIFEST).read_bytes() == before
    assert not (gan_dir / "metrics.json").exists()
    floors = tmp_path / "floors.json"
    code = cli.main(["eval", "--floor", "ring8", "--floors-file", str(floors)])
    assert code == 0
    assert json.loads(floors.read_text())["ring8"]["metrics"]["modes"] == 8
    assert cli.main(["eval"]) == 2  # neither NAME nor --floor


def test_cli_eval_writes_and_prints_the_new_pin(monkeypatch, capsys, tmp_path):
    import dataclasses

    from ganzoo.zoo import ENTRIES

    name = "mbd-ring8"
    monkeypatch.setitem(ENTRIES, name, dataclasses.replace(ENTRIES[name], manifest_sha256=None))
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(tmp_path))
    ganzoo.create(name).save_pretrained(tmp_path / name, dataset="ring8")
    assert cli.main(["eval", name, "--num-samples", "500"]) == 0
    out = capsys.readouterr().out
    sha = checkpoint.sha256_file(tmp_path / name / checkpoint.MANIFEST)
    assert f"Update the pin of {name} to {sha}" in out
    record = json.loads((tmp_path / name / "metrics.json").read_text())
    assert record["num_samples"] == 500 and record["command"].startswith(f"ganzoo eval {name}")
    assert "| samples | 500 generated" in (tmp_path / name / "README.md").read_text()


def test_zoo_table_is_deterministic_and_checked(root, gan_dir, clf, mnist_dir, monkeypatch,
                                                capsys, tmp_path):
    import shutil

    ckpts = tmp_path / "checkpoints"
    shutil.copytree(root, ckpts)
    evaluation.write_metrics(ckpts / "tiny-mnist",
                             _evaluate(ganzoo.load(ckpts / "tiny-mnist"), clf, mnist_dir))
    toy = ganzoo.create("gan-ring8")
    toy.save_pretrained(ckpts / "gan-ring8", dataset="ring8", description="toy baseline",
                        training={"images_seen": 5000, "wall_time_minutes": 1.5})
    evaluation.write_metrics(ckpts / "gan-ring8", evaluation.evaluate(
        ganzoo.load(ckpts / "gan-ring8"), progress=False))
    (ckpts / "mbd-ring8" / "train_state").mkdir(parents=True)  # a run in progress: skipped
    docs = tmp_path / "docs"
    evaluation.write_floor(docs / "floors.json", evaluation.real_floor("ring8", progress=False))
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n## Entries\n\n<!-- zoo-table:start -->\nold\n<!-- zoo-table:end -->\n"
                      "\nrest\n")
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(ckpts))
    args = ["table", "--out", str(docs / "zoo.md"), "--readme", str(readme)]
    assert cli.main(args) == 0
    zoo, block = (docs / "zoo.md").read_text(), readme.read_text()
    assert cli.main(args + ["--check"]) == 0
    assert cli.main(args) == 0 and "already up to date" in capsys.readouterr().out
    assert (docs / "zoo.md").read_text() == zoo and readme.read_text() == block  # byte-identical
    assert zootable.render(ckpts, docs / "floors.json") == zoo

    assert zoo.index("## MNIST") < zoo.index("## Toy: ring of 8 Gaussians")
    assert re.search(r"Feature space: `classifier-mnist [0-9a-f]{12}`", zoo)
    row = next(line for line in zoo.splitlines() if line.startswith("| `tiny-mnist`"))
    assert "none (baseline)" in row and f"{N}, seed 0" in row and "1,234" in row
    assert '<img src="../checkpoints/tiny-mnist/samples.png" width="96"' in row
    toy_row = next(line for line in zoo.splitlines() if line.startswith("| `gan-ring8`"))
    assert re.search(r"\| \d/8 \|", toy_row) and "2,500, seed 0" in toy_row
    assert "| *real vs real* | — | 8/8 |" in zoo
    assert "mbd-ring8" not in zoo and "| `classifier-mnist`" not in zoo
    assert block.startswith("# x\n\n## Entries\n\n<!-- zoo-table:start -->")
    assert block.endswith("<!-- zoo-table:end -->\n\nrest\n") and "old" not in block
    assert "| `tiny-mnist` | mnist | none (baseline) | FID " in block
    assert "(docs/zoo.md)" in block

    (docs / "zoo.md").write_text(zoo + "hand edit\n")
    assert cli.main(args + ["--check"]) == 1
    assert "Out of date" in capsys.readouterr().err


@pytest.mark.backend_independent
def test_table_names_a_loss_or_update_rule_that_is_the_technique():
    """LSGAN's technique is its loss and the unrolled GAN's its update rule: the table's
    technique cell says so; the default loss and the alternating/simultaneous rules are not
    named (they are recipe details)."""
    def row(loss, update, techniques):
        config = {"gan": {"config": {"loss": loss, "update": update,
                                     "techniques": [{"config": {"name": t}} for t in techniques]}}}
        return {"engine": zootable._engine(config), "techniques": zootable._techniques(config)}

    assert zootable._techniques_cell(row("lsgan", "alternating", ["r1", "ema"])) == \
        "`lsgan` loss, `r1`, `ema`"
    assert zootable._techniques_cell(row("nonsat", "unrolled", [])) == "`unrolled` updates"
    assert zootable._techniques_cell(row("nonsat", "simultaneous", [])) == "none (baseline)"
    assert zootable._techniques_cell(row("nonsat", "alternating", ["r1"])) == "`r1`"


@pytest.mark.backend_independent
def test_tables_put_each_datasets_baseline_first():
    """The baseline is the row whose recipe is part of the most others' -- not the row without
    techniques: the MNIST baseline has R1 and an EMA, entries of an older recipe have neither."""
    def row(name, techniques, engine=(), dataset="mnist"):
        return {"name": name, "dataset": dataset, "techniques": list(techniques),
                "engine": list(engine)}

    rows = [row("acgan-mnist", ["r1", "acgan", "ema"]), row("ha-mnist", ["historical_averaging"]),
            row("improved-mnist", ["historical_averaging", "feature_matching"]),
            row("lsgan-mnist", ["r1", "ema"], ["`lsgan` loss"]), row("dcgan-mnist", ["r1", "ema"]),
            row("wgan-gp-ring8", ["wgan_gp"], ["`wasserstein` loss"], "ring8"),
            row("gan-ring8", [], (), "ring8")]
    assert [r["name"] for r in zootable.in_zoo_order(rows)] == [
        "dcgan-mnist", "acgan-mnist", "ha-mnist", "improved-mnist", "lsgan-mnist",
        "gan-ring8", "wgan-gp-ring8"]


@pytest.mark.backend_independent
def test_versus_baseline_calls_a_gap_under_three_seed_spreads_noise():
    """Hand-made rows: the baseline's FID is 4.0 ± 0.1 over 3 seeds, so a gap up to 0.3 is noise."""
    def row(name, fid=None, seeds=None, seen=3_000_000, dataset="mnist", **metrics):
        agg = None if seeds is None else {
            "seeds": list(range(len(next(iter(seeds.values()))))),
            "aggregate": {k: {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1))}
                          for k, v in seeds.items()}}
        return {"name": name, "dataset": dataset, "training": {"images_seen": seen},
                "metrics": {"fid": fid, **metrics}, "seeds": agg}

    base = row("dcgan-mnist", 3.9, seeds={"fid": [3.9, 4.0, 4.1]})
    assert zootable.versus_baseline(base, base) == "the baseline (3 seeds)"
    assert zootable.versus_baseline(row("a", 4.29), base) == "FID ≈ (+0.290)"
    assert zootable.versus_baseline(row("b", 4.31), base) == "FID worse (+0.310)"
    assert zootable.versus_baseline(row("c", 1.0), base) == "FID better (-3.00)"
    # an entry's own seed study is compared by its mean, not its seed 0
    assert zootable.versus_baseline(row("d", 9.0, seeds={"fid": [3.0, 3.2, 3.4]}), base) == \
        "FID better (-0.800)"
    # ... and, when it is noisier than the baseline, against the standard error of the gap:
    # sqrt(0.1²/3 + 0.354²/2) = 0.255, so a gap of 0.45 (> 3 x 0.1) is under 3 x 0.255 = 0.766
    assert zootable.versus_baseline(row("n", 3.3, seeds={"fid": [3.3, 3.8]}), base) == \
        "FID ≈ (-0.450)"
    assert zootable.versus_baseline(row("m", 2.9, seeds={"fid": [2.9, 3.4]}), base) == \
        "FID better (-0.850)"
    assert zootable.versus_baseline(row("e", 1.0, seen=600_000), base) == \
        "other budget (600k vs 3.0M seen)"
    # the same 50 epochs in D steps of 5 x 64 (WGAN-GP) drop another partial batch: 0.2 % fewer
    assert zootable.versus_baseline(row("g", 4.31, seen=2_992_000),
                                    row("dcgan-mnist", 3.9, seeds={"fid": [3.9, 4.0, 4.1]},
                                        seen=2_998_400)) == "FID worse (+0.310)"
    assert zootable.versus_baseline(row("h", 1.0, seen=2_960_000), base).startswith("other budget")
    assert zootable.versus_baseline(row("f", 1.0), row("x", 4.0)) == "—"  # no spread known
    toy_base = row("gan-ring8", dataset="ring8", seen=4_000_000,
                   seeds={"modes": [5, 6, 7], "high_quality": [0.85, 0.9, 0.95]})
    toy = row("r1-ring8", dataset="ring8", seen=4_000_000, modes=8, high_quality=0.5)
    assert zootable.versus_baseline(toy, toy_base) == "modes ≈ (+2), HQ worse (-40.0 pts)"


@pytest.mark.backend_independent
def test_shipped_docs_are_generated_from_the_shipped_checkpoints():
    """docs/zoo.md and the README block are exactly what `ganzoo table` makes of checkpoints/."""
    from ganzoo import checkpoints_root, zootable

    repo = Path(__file__).resolve().parent.parent
    stale = zootable.write(checkpoints_root(), repo / "docs" / "zoo.md",
                           readme=repo / "README.md", check=True)
    assert stale == [], f"run `ganzoo table`: {stale} out of date"
