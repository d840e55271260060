"""Seed studies (ganzoo.seeds): seeds.json from hand-made metrics, its refusals, its staleness, and
how the zoo table, the README headline and the model card show it.

Fast: tiny untrained checkpoints (conftest.tiny_gan) with hand-written metrics.json files -- no
evaluation, no training.
"""

import dataclasses
import json
import math
import shutil

import pytest

from conftest import tiny_gan
from ganzoo import checkpoint, evaluation, seeds, zootable

NAME = "tiny-mnist"
FIDS = {0: 1.0, 1: 2.0, 2: 4.0}  # mean 7/3 = 2.3333, sample std sqrt(7/3) = 1.5275
FID_MEAN, FID_STD = 7 / 3, math.sqrt(7 / 3)


def _results(fid, kid=0.125, num_samples=100, latent_seed=0, classes=10,
             feature_space="classifier-mnist 0123456789ab"):
    """A hand-made `ganzoo eval` record (what evaluation.evaluate returns)."""
    return {
        "dataset": "mnist",
        "metrics": {"fid": fid, "kid": kid, "classes_seen": classes},
        "num_samples": num_samples,
        "seed": latent_seed,
        "samples": f"gan.sample({num_samples}, seed={latent_seed})",
        "reference": "mnist test split, first 300 of 10000 images",
        "feature_space": feature_space,
        "protocol": {"kid": "mean/std over 100 subsets of 1000"},
        "backend": "tensorflow", "keras_version": "3", "ganzoo_version": "0.1.0",
        "evaluated": "2026-01-01T00:00:00+00:00", "elapsed_seconds": 1.0, "name": NAME,
    }


def _save(path, seed, name=NAME, gan=None, hparams=None, training=None):
    """A tiny checkpoint as `ganzoo train NAME --seed SEED` would write it (untrained)."""
    gan = gan or tiny_gan(seed=seed)
    hp = {"batch_size": 64, "epochs": 1, "learning_rate": 2e-4, "seed": seed, **(hparams or {})}
    budget = {"epochs": 1, "images_seen": 640, "wall_time_minutes": 0.2 + seed,
              "command": f"ganzoo train {name} --seed {seed} --out {path}", **(training or {})}
    return gan.save_pretrained(path, name=name, dataset="mnist", description="tiny test GAN",
                               hyperparameters=hp, training=budget)


def _evaluated(path, seed, fid, **kw):
    path = _save(path, seed, **kw)
    evaluation.write_metrics(path, _results(fid))
    return path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """Seeds 0 (the shipped checkpoint), 1 and 2 of one recipe with FIDs 1, 2, 4 (never modified:
    tests copy them)."""
    base = tmp_path_factory.mktemp("seed-study")
    return {s: _evaluated(base / f"seed-{s}", s, fid) for s, fid in FIDS.items()}


@pytest.fixture
def study(pristine, tmp_path):
    """Fresh copies: ``checkpoints/tiny-mnist`` (seed 0) and ``runs/tiny-mnist/seed-{1,2}``."""
    out = {0: tmp_path / "checkpoints" / NAME}
    shutil.copytree(pristine[0], out[0])
    for s in (1, 2):
        out[s] = tmp_path / "runs" / NAME / f"seed-{s}"
        shutil.copytree(pristine[s], out[s])
    return out


# -- aggregation -----------------------------------------------------------------------------------

def test_aggregate_by_hand():
    a = seeds.aggregate([1.0, 2.0, 4.0])
    assert a["n"] == 3 and a["non_finite"] == 0
    assert a["mean"] == pytest.approx(2.3333333333333335)
    assert a["std"] == pytest.approx(1.5275252316519468)  # sqrt(((4/3)² + (1/3)² + (5/3)²) / 2)
    assert seeds.aggregate([8, 8, 7, 8, 8]) == pytest.approx(
        {"mean": 7.8, "std": math.sqrt(0.2), "n": 5, "non_finite": 0})
    assert seeds.aggregate([3.0]) == {"mean": 3.0, "std": None, "n": 1, "non_finite": 0}
    # a non-finite value propagates: reverse KL is inf for a run without a high-quality sample
    assert seeds.aggregate([0.1, math.inf, 0.3]) == {"mean": math.inf, "std": None, "n": 3,
                                                     "non_finite": 1}
    assert seeds.aggregate([math.inf, math.inf])["mean"] == math.inf
    assert math.isnan(seeds.aggregate([math.inf, -math.inf])["mean"])
    assert math.isnan(seeds.aggregate([1.0, math.nan])["mean"])
    with pytest.raises(ValueError):
        seeds.aggregate([])


def test_seeds_json_from_hand_made_metrics(study):
    record = evaluation.aggregate_seeds(study[0], [study[2], study[1]])  # any order
    path = study[0] / checkpoint.SEEDS
    assert record["manifest_sha256"] == checkpoint.sha256_file(study[0] / checkpoint.MANIFEST)
    stored = json.loads(path.read_text())
    assert path.read_text() == json.dumps(stored, indent=2, sort_keys=True) + "\n"
    assert stored == {k: v for k, v in record.items() if k != "manifest_sha256"}
    assert stored["format"] == "ganzoo-seeds/1" and stored["name"] == NAME
    assert stored["seeds"] == [0, 1, 2] and stored["shipped_seed"] == 0
    assert sorted(stored["per_seed"]) == ["0", "1", "2"]
    for s, fid in FIDS.items():
        run = stored["per_seed"][str(s)]
        assert run["metrics"] == {"fid": fid, "kid": 0.125, "classes_seen": 10}
        assert run["weights_sha256"] == checkpoint.sha256_file(study[s] / checkpoint.WEIGHTS)
        assert f"--seed {s}" in run["command"] and run["images_seen"] == 640
    fid = stored["aggregate"]["fid"]
    assert fid["n"] == 3 and fid["non_finite"] == 0
    assert fid["mean"] == pytest.approx(FID_MEAN) and fid["std"] == pytest.approx(FID_STD)
    assert stored["aggregate"]["kid"] == {"mean": 0.125, "std": 0.0, "n": 3, "non_finite": 0}
    assert stored["protocol"] == {
        "dataset": "mnist", "num_samples": 100, "latent_seed": 0,
        "samples": "gan.sample(100, seed=0)",
        "reference": "mnist test split, first 300 of 10000 images",
        "feature_space": "classifier-mnist 0123456789ab", "inception_feature_space": None,
        "methods": {"kid": "mean/std over 100 subsets of 1000"},
        "metrics": ["classes_seen", "fid", "kid"]}
    assert stored["weights_sha256"] == checkpoint.sha256_file(study[0] / checkpoint.WEIGHTS)
    assert "ddof=1" in stored["aggregation"]
    # part of the checkpoint: in the layout, listed and verified; the seed folders are untouched
    assert checkpoint.SEEDS in checkpoint.LAYOUT and checkpoint.SEEDS in checkpoint.OPTIONAL
    assert checkpoint.SEEDS in checkpoint.verify(study[0], record["manifest_sha256"])
    assert checkpoint.foreign_entries(study[0]) == []
    assert not (study[1] / checkpoint.SEEDS).exists()
    assert seeds.read_seeds(study[0]) == stored
    assert seeds.seeds_status(study[0])[0] == "current"
    # metadata (for the card) and the card
    summary = checkpoint.read_metadata(study[0])["seeds"]
    assert summary["seeds"] == [0, 1, 2] and summary["per_seed"]["2"]["fid"] == 4.0
    card = (study[0] / checkpoint.CARD).read_text()
    assert "## Seeds" in card and "seed-0 run" in card and "3 seeds (0, 1, 2)" in card
    assert "| metric | mean ± std | n | seed 0 (this checkpoint) | seed 1 | seed 2 |" in card
    assert "| fid | 2.333 ± 1.528 | 3 | 1 | 2 | 4 |" in card
    assert "100 samples, latent seed 0" in card
    import ganzoo

    ganzoo.load(study[0])  # still a loadable checkpoint


def test_seeds_add_up_across_runs_whose_folders_are_gone(study, tmp_path):
    """Seed 1 aggregated one day, its folder deleted (a new checkout), seed 2 the next day: the
    study has seeds 0, 1, 2 with the same statistics as when all three folders were given."""
    first = seeds.aggregate_seeds(study[0], [study[1]])
    assert first["seeds"] == [0, 1] and first["aggregate"]["fid"]["mean"] == pytest.approx(1.5)
    copy_of_1 = tmp_path / "copy-of-seed-1"
    shutil.copytree(study[1], copy_of_1)
    shutil.rmtree(study[1])
    second = seeds.aggregate_seeds(study[0], [study[2]])
    assert second["seeds"] == [0, 1, 2]
    assert second["per_seed"]["1"] == dict(first["per_seed"]["1"], kept=True)
    assert "kept" not in second["per_seed"]["2"] and "kept" not in second["per_seed"]["0"]
    fid = second["aggregate"]["fid"]
    assert fid["n"] == 3 and fid["mean"] == pytest.approx(FID_MEAN)
    assert fid["std"] == pytest.approx(FID_STD)
    assert seeds.seeds_status(study[0])[0] == "current"
    # a seed given again replaces its kept record
    again = seeds.aggregate_seeds(study[0], [copy_of_1])
    assert again["seeds"] == [0, 1, 2] and "kept" not in again["per_seed"]["1"]
    assert again["per_seed"]["2"]["kept"] is True
    # keep=False (ganzoo seeds --fresh) keeps nothing
    fresh = seeds.aggregate_seeds(study[0], [study[2]], keep=False)
    assert fresh["seeds"] == [0, 2]
    text = seeds.main_aggregate(str(study[0]), [copy_of_1])
    assert "Seeds 2 kept from the previous seeds.json" in text


def test_main_aggregate_text(study, monkeypatch, tmp_path):
    from ganzoo.zoo import ENTRIES

    text = seeds.main_aggregate(str(study[0]), [str(study[1]), str(study[2])])
    assert "New sha256 of" in text and str(study[0] / "seeds.json") in text
    fid_line = next(line for line in text.splitlines() if line.startswith("fid"))
    assert fid_line.split() == ["fid", "2.333", "1.528", "3", "1", "2", "4"]
    assert "3 training seeds (0, 1, 2); the shipped checkpoint is seed 0" in text
    # a registry name: checkpoints/<name>, and the pin to update
    monkeypatch.setitem(ENTRIES, NAME, dataclasses.replace(ENTRIES["dcgan-mnist"], name=NAME))
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(study[0].parent))
    text = seeds.main_aggregate(NAME, [study[1], study[2]])
    sha = checkpoint.sha256_file(study[0] / checkpoint.MANIFEST)
    assert f"Update the pin of {NAME} to {sha}" in text
    assert f"scripts/pin_checkpoints.py {NAME}" in text
    # names resolve like every checkpoint name (ganzoo.loading.resolve, local checkpoints only)
    with pytest.raises(FileNotFoundError, match="No checkpoint directory at .*nowhere"):
        seeds.main_aggregate(str(tmp_path / "nowhere"), [study[1]])
    with pytest.raises(ValueError, match="Unknown model 'tiny-mnst'. Did you mean: tiny-mnist"):
        seeds.main_aggregate("tiny-mnst", [study[1]])


# -- refusals --------------------------------------------------------------------------------------

def test_refuses_another_entry_or_recipe(study, tmp_path):
    other = _evaluated(tmp_path / "other", 3, 3.0, name="other-mnist")
    with pytest.raises(seeds.SeedStudyError, match="'other-mnist'.*one entry"):
        seeds.aggregate_seeds(study[0], [study[1], other])
    wider = _evaluated(tmp_path / "wider", 3, 3.0, gan=tiny_gan(seed=3, width=8))
    with pytest.raises(seeds.SeedStudyError, match=r"another recipe.*config\.width"):
        seeds.aggregate_seeds(study[0], [wider])
    faster = _evaluated(tmp_path / "lr", 3, 3.0, hparams={"learning_rate": 1e-3})
    with pytest.raises(seeds.SeedStudyError, match="other hyper-parameters: learning_rate"):
        seeds.aggregate_seeds(study[0], [faster])
    # a setting that trains the same weights (tests/test_training.py) is not another recipe
    batched = _evaluated(tmp_path / "spe", 3, 3.0, hparams={"steps_per_execution": 25})
    assert seeds.build_record(study[0], [batched])["seeds"] == [0, 3]
    short = _evaluated(tmp_path / "smoke", 3, 3.0, training={"images_seen": 64})
    with pytest.raises(seeds.SeedStudyError, match="another training budget"):
        seeds.aggregate_seeds(study[0], [short])
    assert not (study[0] / checkpoint.SEEDS).exists()  # nothing written on a refusal


@pytest.mark.parametrize("change, key", [
    ({"num_samples": 200}, "num_samples"),
    ({"latent_seed": 1}, "latent_seed"),
    ({"feature_space": "classifier-mnist ffffffffffff"}, "feature_space"),
])
def test_refuses_another_protocol(study, change, key):
    evaluation.write_metrics(study[2], _results(FIDS[2], **change))
    with pytest.raises(seeds.SeedStudyError, match=f"another protocol: {key}"):
        seeds.aggregate_seeds(study[0], [study[1], study[2]])


def test_refuses_another_metric_set(study):
    results = _results(FIDS[2])
    del results["metrics"]["classes_seen"]
    evaluation.write_metrics(study[2], results)
    with pytest.raises(seeds.SeedStudyError, match="another protocol: metrics"):
        seeds.aggregate_seeds(study[0], [study[2]])


def test_refuses_duplicates(study, tmp_path):
    again = tmp_path / "seed-1-again"
    shutil.copytree(study[1], again)
    with pytest.raises(seeds.SeedStudyError, match="seed 1, and so does"):
        seeds.aggregate_seeds(study[0], [study[1], again])
    with pytest.raises(seeds.SeedStudyError, match="given twice"):
        seeds.aggregate_seeds(study[0], [study[1], study[1]])
    with pytest.raises(seeds.SeedStudyError, match="given twice"):
        seeds.aggregate_seeds(study[0], [study[0]])
    zero = tmp_path / "another-seed-0"
    shutil.copytree(study[0], zero)
    with pytest.raises(seeds.SeedStudyError, match="seed 0, and so does"):
        seeds.aggregate_seeds(study[0], [zero])
    with pytest.raises(seeds.SeedStudyError, match="at least one seed folder"):
        seeds.aggregate_seeds(study[0], [])


def test_refuses_a_shipped_checkpoint_that_is_not_seed_0(study):
    with pytest.raises(seeds.SeedStudyError, match="trained with seed 1.*always its seed-0 run"):
        seeds.aggregate_seeds(study[1], [study[0], study[2]])


def test_refuses_unevaluated_or_invalid_folders(study, tmp_path):
    bare = _save(tmp_path / "bare", 3)
    with pytest.raises(seeds.SeedStudyError, match="has no metrics.json.*ganzoo eval"):
        seeds.aggregate_seeds(study[0], [bare])
    with pytest.raises(seeds.SeedStudyError, match="not a ganzoo checkpoint"):
        seeds.aggregate_seeds(study[0], [tmp_path])
    with (study[2] / checkpoint.METRICS).open("a") as f:
        f.write(" ")
    with pytest.raises(checkpoint.CheckpointError, match="metrics.json is corrupted"):
        seeds.aggregate_seeds(study[0], [study[2]])


def test_old_checkpoint_without_a_recorded_seed_counts_as_seed_0(tmp_path):
    gan = tiny_gan(seed=0)
    path = gan.save_pretrained(tmp_path / "old", name=NAME, dataset="mnist")  # no hparams
    meta = checkpoint.read_metadata(path)
    assert seeds.training_seed({}, meta) == 0
    assert seeds.training_seed({"gan": {"config": {"seed": 4}}},
                               {"hyperparameters": {"seed": 4}}) == 4
    with pytest.raises(seeds.SeedStudyError, match="which seed trained it"):
        seeds.training_seed({"gan": {"config": {"seed": 4}}}, {"hyperparameters": {"seed": 0}})


# -- staleness -------------------------------------------------------------------------------------

def test_resaved_checkpoint_drops_seeds_json(study):
    seeds.aggregate_seeds(study[0], [study[1], study[2]])
    old_record = (study[0] / checkpoint.SEEDS).read_text()
    tiny_gan(seed=0).save_pretrained(study[0], name=NAME, dataset="mnist")  # new weights
    assert not (study[0] / checkpoint.SEEDS).exists()
    assert not (study[0] / checkpoint.METRICS).exists()
    assert seeds.seeds_status(study[0]) == ("absent", None, "")
    assert "seeds" not in checkpoint.read_metadata(study[0])
    assert "## Seeds" not in (study[0] / checkpoint.CARD).read_text()
    # put back by hand (and listed): computed for other weights, so not trusted
    (study[0] / checkpoint.SEEDS).write_text(old_record)
    checkpoint.write_manifest(study[0])
    checkpoint.verify(study[0])
    state, record, why = seeds.seeds_status(study[0])
    assert (state, record) == ("stale", None) and "other weights" in why


def test_reevaluated_seed_0_makes_seeds_json_stale(study):
    seeds.aggregate_seeds(study[0], [study[1], study[2]])
    evaluation.write_metrics(study[0], _results(FIDS[0]))  # same figures: still current
    assert seeds.read_seeds(study[0]) is not None
    evaluation.write_metrics(study[0], _results(1.5))
    state, record, why = seeds.seeds_status(study[0])
    assert (state, record) == ("stale", None) and "re-evaluated" in why
    card = (study[0] / checkpoint.CARD).read_text()
    assert "## Seeds" in card and "out of date (re-run `ganzoo seeds`)" in card
    assert "| fid | 2.333" not in card
    seeds.aggregate_seeds(study[0], [study[1], study[2]])  # re-run: current again
    assert seeds.read_seeds(study[0])["aggregate"]["fid"]["mean"] == pytest.approx(7.5 / 3)
    # a seeds.json edited by hand no longer matches the manifest
    with (study[0] / checkpoint.SEEDS).open("a") as f:
        f.write(" ")
    assert seeds.seeds_status(study[0])[0] == "stale"


# -- the table, the headline -----------------------------------------------------------------------

def test_zoo_table_with_and_without_seeds(study, tmp_path):
    root = study[0].parent
    _evaluated(root / "solo-mnist", 0, 9.5, name="solo-mnist")  # an entry without a study
    seeds.aggregate_seeds(study[0], [study[1], study[2]])
    zoo = zootable.render(root, floors={})
    assert zoo == zootable.render(root, floors={})  # deterministic
    header = next(line for line in zoo.splitlines() if line.startswith("| entry | techniques"))
    assert "| classifier IS | seeds | eval |" in header
    lines = zoo.splitlines()
    row = next(line for line in lines if line.startswith(f"| `{NAME}` | none (baseline) |"))
    # FID 2.33 ± 1.53, KID x10³ 125 ± 0, classes 10.0 ± 0.0
    assert "| 2.33 ± 1.53 | 125 ± 0 | — | — | 10.0 ± 0.0 |" in row
    assert "| 3 (0, 1, 2) | 100, seed 0 |" in row
    solo = next(line for line in lines if line.startswith("| `solo-mnist`"))
    assert "| 9.50 | 125 |" in solo and "| seed 0 only | 100, seed 0 |" in solo
    per_seed = lines[lines.index("Per seed (the shipped checkpoint is seed 0):"):]
    assert per_seed[2].startswith("| entry | seed | FID |")
    for s, fid in FIDS.items():
        assert f"| `{NAME}` | {s} | {fid:.2f} | 125 |" in zoo
    assert "| `solo-mnist` | 0 |" not in zoo
    assert "mean ± sample standard deviation (ddof=1)" in zoo

    block = zootable.render_readme_block(root)
    assert f"| `{NAME}` | mnist | none (baseline) | FID 2.33 ± 1.53 (3 seeds; classifier " \
           "features, 100 samples) |" in block
    assert "| `solo-mnist` | mnist | none (baseline) | FID 9.50 (seed 0 only; classifier " \
           "features, 100 samples) |" in block

    # re-evaluated seed 0: the stale study is ignored, and the table says so
    evaluation.write_metrics(study[0], _results(1.5))
    row = next(line for line in zootable.render(root, floors={}).splitlines()
               if line.startswith(f"| `{NAME}`"))
    assert "| 1.50 |" in row and "seed 0 only (stale seeds.json ignored)" in row
    assert "Per seed" not in zootable.render(root, floors={})


def _toy_row(metrics, aggregate=None, seeds_list=None):
    return {"dataset": "ring8", "metrics": metrics, "context": {"num_samples": 2500},
            "seeds": None if aggregate is None else {"seeds": seeds_list, "aggregate": aggregate}}


def test_headlines():
    # toys: modes [8, 8, 7, 8, 8] -> 7.8 ± 0.447; high quality [.95, .96, .975, .96, .96]
    # -> 96.1 ± 0.894 %
    modes, hq = [8, 8, 7, 8, 8], [0.95, 0.96, 0.975, 0.96, 0.96]
    agg = {"modes": seeds.aggregate(modes), "num_modes": seeds.aggregate([8] * 5),
           "high_quality": seeds.aggregate(hq),
           "reverse_kl": seeds.aggregate([0.1, math.inf, 0.2, 0.1, 0.1])}
    row = _toy_row({"modes": 8, "num_modes": 8, "high_quality": 0.95}, agg, [0, 1, 2, 3, 4])
    assert zootable._headline(row) == ("7.8 ± 0.4 / 8 modes, 96.1 ± 0.9% high quality "
                                       "(5 seeds; 2,500 samples)")
    solo = _toy_row({"modes": 8, "num_modes": 8, "high_quality": 0.384})
    assert zootable._headline(solo) == "8/8 modes, 38.4% high quality (seed 0 only; 2,500 samples)"
    # zoo.md cells of the same aggregate (the toy columns)
    cells = [zootable._seeded_cell(agg, c, toy=True) for c in zootable.TOY_COLUMNS]
    assert cells == ["7.8 ± 0.4 / 8", "96.1 ± 0.9%", "∞"]  # one seed with reverse KL inf
    # images
    fid = {"fid": seeds.aggregate([0.85, 0.93, 1.01])}  # 0.93 ± 0.08
    row = {"dataset": "mnist", "metrics": {"fid": 0.85}, "context": {"num_samples": 10000},
           "seeds": {"seeds": [0, 1, 2], "aggregate": fid}}
    assert zootable._headline(row) == "FID 0.930 ± 0.080 (3 seeds; classifier features, " \
                                      "10,000 samples)"
    row["seeds"] = None
    assert zootable._headline(row) == "FID 0.850 (seed 0 only; classifier features, " \
                                      "10,000 samples)"
    # mean ± std formats: the std takes the mean's decimals; KID is shown x 10^3
    assert zootable._pm(seeds.aggregate([13.2, 14.1, 14.5]), "sig3") == "13.9 ± 0.7"
    assert zootable._pm(seeds.aggregate([0.1, 0.2]), "sig3", 1e3) == "150 ± 71"
    assert zootable._pm(seeds.aggregate([1.0, math.nan]), "sig3") == "nan"


def test_zoo_table_shows_the_share_columns_once_an_entry_has_them(study, tmp_path):
    root = study[0].parent
    assert "| confident |" not in zootable.render(root, floors={})
    results = _results(1.0)
    results["metrics"].update(confident=0.9123, class_share_min=0.085, class_share_max=0.117)
    evaluation.write_metrics(study[0], results)
    zoo = zootable.render(root, floors={})
    header = next(line for line in zoo.splitlines() if line.startswith("| entry | techniques"))
    assert "| confident | class min | class max | FID |" in header
    row = next(line for line in zoo.splitlines() if line.startswith(f"| `{NAME}` |"))
    assert "| 0.912 | 8.5% | 11.7% |" in row
