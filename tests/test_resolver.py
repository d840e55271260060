"""One resolver and one checkpoint module for every kind: GANs and the domain classifiers resolve
names the same way and go through the same integrity check and safe-mode loading."""

import shutil

import numpy as np
import pytest

import ganzoo
from ganzoo import checkpoint, loading
from ganzoo.checkpoint import CheckpointError, CheckpointNotFoundError
from ganzoo.classifiers import CLASSIFIER_KIND, load_classifier
from ganzoo.models.classifier import DomainClassifier
from ganzoo.zoo import pins

SHIPPED = ganzoo.checkpoints_root()
GAN_NAME, CLASSIFIER_NAME = "gan-ring8", "classifier-mnist"  # small shipped checkpoints


@pytest.mark.parametrize("name, kind, expected", [
    ("dcgan-mnst", None, "Unknown model 'dcgan-mnst'. Did you mean: dcgan-mnist"),
    ("classifier-mnst", None, "Unknown model 'classifier-mnst'. Did you mean: classifier-mnist"),
    ("classifier-mnst", CLASSIFIER_KIND, "Unknown classifier 'classifier-mnst'. Did you mean: "
                                         "classifier-mnist"),
    ("dcgan-mnst", CLASSIFIER_KIND, "Unknown classifier 'dcgan-mnst'. Did you mean: dcgan-mnist"),
])
def test_unknown_names_suggest_close_matches_of_both_kinds(name, kind, expected):
    with pytest.raises(ValueError, match=expected) as info:
        loading.resolve(name, kind)
    assert "hf://" in str(info.value)  # says what else a name may be


def test_the_loaders_report_unknown_names_through_the_resolver():
    with pytest.raises(ValueError, match="Did you mean: classifier-mnist"):
        ganzoo.load("classifier-mnst")
    with pytest.raises(ValueError, match="Unknown classifier 'cifar100'"):
        load_classifier("cifar100")


def test_names_resolve_to_the_shipped_directories_with_their_pins():
    found = loading.resolve("dcgan-mnist")
    assert found.directory == SHIPPED / "dcgan-mnist"
    assert found.pin == pins.pinned("dcgan-mnist") and found.name == "dcgan-mnist"
    for name in (CLASSIFIER_NAME, "mnist"):  # a classifier by name, or by its dataset
        found = loading.resolve(name, CLASSIFIER_KIND)
        assert found.directory == SHIPPED / CLASSIFIER_NAME
        assert found.pin == pins.pinned(CLASSIFIER_NAME)
    # the GAN loader's resolver knows released classifiers too: one table of names
    assert loading.resolve(CLASSIFIER_NAME).directory == SHIPPED / CLASSIFIER_NAME
    # a dataset alias is the classifier kind's own: to the GAN loader "mnist" is unknown
    with pytest.raises(ValueError, match="Unknown model 'mnist'"):
        loading.resolve("mnist")


def test_directories_resolve_unpinned_and_a_missing_one_is_named(tmp_path):
    found = loading.resolve(str(SHIPPED / GAN_NAME))
    assert found.directory == SHIPPED / GAN_NAME and found.pin is None
    with pytest.raises(CheckpointNotFoundError, match="No checkpoint directory at .*nowhere"):
        loading.resolve(tmp_path / "nowhere", CLASSIFIER_KIND)
    assert issubclass(CheckpointNotFoundError, FileNotFoundError)
    with pytest.raises(ValueError, match="sha256 must be 64 hex digits"):
        loading.resolve(GAN_NAME, sha256="abc")
    with pytest.raises(ValueError, match="pinned to"):
        loading.resolve(GAN_NAME, sha256="0" * 64)


def test_a_checkpoint_of_the_other_kind_is_refused_naming_its_loader():
    with pytest.raises(CheckpointError, match="holds a classifier, not a GAN checkpoint "
                                              r"\(load classifiers with ganzoo.classifiers"):
        ganzoo.load(CLASSIFIER_NAME)
    with pytest.raises(CheckpointError, match=r"holds a GAN, not a classifier checkpoint "
                                              r"\(load GANs with ganzoo.load\)"):
        load_classifier(GAN_NAME)


@pytest.mark.parametrize("name, loader", [(GAN_NAME, ganzoo.load),
                                          (CLASSIFIER_NAME, load_classifier)])
def test_both_kinds_go_through_the_same_integrity_check(name, loader, tmp_path, monkeypatch):
    """A copy of a shipped checkpoint verifies against its pin and loads; one flipped byte of its
    weights file is refused by the one check, naming the file."""
    copy = tmp_path / name
    shutil.copytree(SHIPPED / name, copy)
    checkpoint.verify(copy, pins.pinned(name))
    model = loader(str(copy))
    assert model.checkpoint_dir == copy and model.checkpoint_config["name"] == name
    weights = copy / checkpoint.WEIGHTS
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match=f"{weights} is corrupted or was modified"):
        loader(str(copy))
    # and by name, through the resolver, from a checkpoints root holding the corrupted copy
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(tmp_path))
    with pytest.raises(CheckpointError, match=f"{weights} is corrupted or was modified"):
        loader(name)


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.iterdir() if p.is_dir()))
def test_every_shipped_checkpoint_verifies_against_its_pin_and_kind(name):
    """The on-disk layout is unchanged: every shipped directory verifies against its manifest and
    its pin, and its config names a kind this ganzoo knows."""
    config, kind = checkpoint.read_config(SHIPPED / name, pins.pinned(name))
    assert config["name"] == name
    assert kind is (CLASSIFIER_KIND if name.startswith("classifier-") else checkpoint.GAN_KIND)


def test_update_card_rerenders_a_classifier_card_too(tmp_path):
    copy = tmp_path / CLASSIFIER_NAME
    shutil.copytree(SHIPPED / CLASSIFIER_NAME, copy)
    pin = checkpoint.update_card(copy, notes="Checked by pytest.")
    checkpoint.verify(copy, pin)
    card = (copy / checkpoint.CARD).read_text()
    assert "Test accuracy" in card and "load_classifier" in card
    assert load_classifier(copy).metadata["card"]["notes"] == "Checked by pytest."


def test_save_finds_the_kind_of_the_model(tmp_path, make_tiny_gan):
    model = DomainClassifier(widths=(4, 8), feature_dim=16)
    model.build()
    path = checkpoint.save(model, tmp_path / "clf", dataset="mnist")
    loaded = load_classifier(path)
    assert loaded.metadata["kind"] == "classifier" and loaded.metadata["name"] == CLASSIFIER_NAME
    x = np.full((2, 28, 28, 1), -0.5, "float32")
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x), atol=1e-6)
    with pytest.raises(TypeError, match="a GAN checkpoint does not take: train_labels"):
        make_tiny_gan().save_pretrained(tmp_path / "gan", train_labels=[0])
    with pytest.raises(TypeError, match="holds a ganzoo>GAN; got DomainClassifier"):
        checkpoint.save(model, tmp_path / "clf2", kind=checkpoint.GAN_KIND)


# -- local checkpoints only (ganzoo info, ganzoo eval, ganzoo seeds) -------------------------------

@pytest.fixture
def no_hub(monkeypatch):
    """A Hub that fails the test if anything asks it for a checkpoint."""
    from ganzoo import hub

    def pull(*args, **kwargs):
        raise AssertionError(f"downloaded {args}")

    monkeypatch.setattr(hub, "pull", pull)


def test_local_only_resolves_what_is_here_and_never_downloads(no_hub, monkeypatch, tmp_path):
    found = loading.resolve(GAN_NAME, local_only=True)
    assert found == loading.resolve(GAN_NAME)  # a local checkpoint: the same answer
    assert loading.resolve(CLASSIFIER_NAME, local_only=True).directory == SHIPPED / CLASSIFIER_NAME
    with pytest.raises(ValueError, match="hf://a/b is a Hub id, not a local checkpoint"):
        loading.resolve("hf://a/b", local_only=True)
    # a released entry that is on the Hub but not here: where it was looked for, how to train it
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(tmp_path))
    with pytest.raises(CheckpointNotFoundError, match=f"'{GAN_NAME}' has no local checkpoint "
                       rf"\(none in {tmp_path / GAN_NAME}; its released one is on the Hub.*"
                       f"train one with `ganzoo train {GAN_NAME} --out") as info:
        loading.resolve(GAN_NAME, local_only=True)
    assert info.value.directory == tmp_path / GAN_NAME
    with pytest.raises(CheckpointNotFoundError, match="train it with `python -m ganzoo.classifiers "
                                                      "mnist") as info:
        loading.resolve("mnist", CLASSIFIER_KIND, local_only=True)
    assert info.value.directory == tmp_path / CLASSIFIER_NAME


def test_model_info_and_the_commands_look_names_up_through_the_resolver(no_hub, monkeypatch,
                                                                       tmp_path):
    from ganzoo import cli, seeds

    assert ganzoo.model_info(GAN_NAME)["checkpoint"] == str(SHIPPED / GAN_NAME)
    assert ganzoo.model_info(CLASSIFIER_NAME)["name"] == CLASSIFIER_NAME  # a released checkpoint
    with pytest.raises(ValueError, match="Unknown model 'gan-rng8'. Did you mean: gan-ring8"):
        ganzoo.model_info("gan-rng8")
    gan = ganzoo.load(GAN_NAME)
    target = cli._eval_target(GAN_NAME, gan)
    assert target.directory == SHIPPED / GAN_NAME and target.pin == pins.pinned(GAN_NAME)
    assert cli._eval_target(str(SHIPPED / GAN_NAME), gan).name is None
    assert seeds.resolve_checkpoint(GAN_NAME) == (SHIPPED / GAN_NAME, True)
    # the same entry where checkpoints/ does not hold it: no download, each caller's message
    monkeypatch.setenv("GANZOO_CHECKPOINTS", str(tmp_path))
    info = ganzoo.model_info(GAN_NAME)
    assert info["checkpoint"] is None and info["metrics"] == {}
    with pytest.raises(ValueError, match=f"{GAN_NAME} was loaded from {SHIPPED / GAN_NAME} "
                       rf"\(the Hugging Face cache\), not from {tmp_path / GAN_NAME}: evaluate "
                       "with --no-write"):
        cli._eval_target(GAN_NAME, gan)
    with pytest.raises(FileNotFoundError, match=f"ganzoo train {GAN_NAME} .*the seed study is "
                                                "written into the shipped checkpoint"):
        seeds.resolve_checkpoint(GAN_NAME)


def test_a_classifier_is_named_to_ganzoo_load_before_ganzoo_classifiers_is_imported(tmp_path):
    """The classifier kind is declared to the checkpoint module without importing its module at
    ``import ganzoo``: a fresh process that never imported it still refuses a classifier
    directory naming load_classifier, re-renders its card as a classifier's and saves a
    DomainClassifier as one."""
    import subprocess
    import sys

    from conftest import REPO

    script = f"""
import shutil, sys
import ganzoo
from ganzoo import checkpoint
assert "ganzoo.classifiers" not in sys.modules, "imported by import ganzoo"
shipped = ganzoo.checkpoints_root() / {CLASSIFIER_NAME!r}
try:
    ganzoo.load(str(shipped))
except checkpoint.CheckpointError as e:
    print(e)
copy = shutil.copytree(shipped, {str(tmp_path / "copy")!r})
checkpoint.verify(copy, checkpoint.update_card(copy, notes="fresh process"))
print(checkpoint.read_config(copy)[1].name)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"{SHIPPED / CLASSIFIER_NAME} holds a classifier, not a GAN checkpoint (load classifiers "
        "with ganzoo.classifiers.load_classifier)", "classifier"]
    saving = f"""
import sys
from ganzoo import checkpoint
from ganzoo.models.classifier import DomainClassifier
model = DomainClassifier(widths=(4, 8), feature_dim=16)
model.build()
assert "ganzoo.classifiers" not in sys.modules
print(checkpoint.read_config(checkpoint.save(model, {str(tmp_path / "new")!r}, dataset="mnist"))[1].name)
"""
    run = subprocess.run([sys.executable, "-c", saving], capture_output=True, text=True,
                         cwd=REPO, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["classifier"]
