"""The documentation site: generated from checkpoints/, built with warnings as errors, and every
registered entry with a checkpoint in its gallery."""

import re

import pytest

from conftest import REPO

# the site is generated from checkpoints/' files and built by mkdocs; no model is loaded: the same
# under every Keras backend (run once, under TensorFlow)
pytestmark = pytest.mark.backend_independent

CHECKPOINTS = REPO / "checkpoints"


@pytest.fixture(scope="module")
def generated():
    from ganzoo import site

    return site.pages(CHECKPOINTS, floors=REPO / "docs" / "floors.json", readme=REPO / "README.md")


def _shipped():
    from ganzoo.zoo import ENTRIES

    names = sorted(n for n in ENTRIES if (CHECKPOINTS / n / "config.json").exists())
    assert names, f"no registered entry has a checkpoint under {CHECKPOINTS}"
    return names


def test_gallery_lists_every_registered_entry_with_a_checkpoint(generated):
    from ganzoo import site

    gallery = generated[site.GALLERY]
    assert site.missing_from_gallery(gallery, CHECKPOINTS) == []
    assert "## Retired names" in gallery and "- `r1-mnist` → `dcgan-mnist`: R1" in gallery
    for name in _shipped():
        assert generated[site.grid_uri(name)] == CHECKPOINTS / name / "samples.png"
        card = generated[site.card_uri(name)]
        assert card.startswith(f"# {name}\n") and "![samples](samples.png)" in card


def test_a_dropped_entry_is_reported(generated):
    from ganzoo import site

    name = _shipped()[0]
    gallery = generated[site.GALLERY]
    cut = re.sub(rf"-   \[\*\*{re.escape(name)}\*\*\].*?(?=\n-   |\n</div>)", "", gallery, flags=re.S)
    assert cut != gallery
    assert site.missing_from_gallery(cut, CHECKPOINTS) == [name]


def test_gallery_shows_metrics_with_their_seed_note_and_budget(generated):
    from ganzoo import site, zootable

    gallery = generated[site.GALLERY]
    for row in zootable.collect(CHECKPOINTS):
        headline = zootable._headline(row)
        if row["metrics"]:
            assert "seed 0 only" in headline or "seeds" in headline
        assert f"**{headline}**" in gallery, row["name"]
        t = row["training"]
        if isinstance(t.get("epochs"), int) and isinstance(t.get("images_seen"), int):
            seen = "points" if row["dataset"] in ("ring8", "grid25") else "images"
            assert f"Budget: {t['epochs']} epochs, {t['images_seen']:,} real {seen} seen" in gallery
    assert "Budget: 50 epochs, 2,998,400 real images seen" in gallery  # dcgan-mnist's
    assert zootable.METRICS_NOTE in gallery


def test_one_page_per_technique_with_its_entries(generated):
    from ganzoo import site, zootable
    from ganzoo.techniques import TECHNIQUES

    rows = zootable.collect(CHECKPOINTS)
    for key, cls in TECHNIQUES.items():
        page = generated[site.technique_uri(key)]
        assert cls.paper in page and "## What it does" in page
        for row in rows:
            if key in row["techniques"]:
                assert f"[`{row['name']}`](../zoo/{row['dir']}/index.md)" in page


def test_getting_started_has_readmes_two_commands(generated):
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Two commands\n.*?```bash\n(.*?)```", readme, flags=re.S).group(1)
    assert block in generated["index.md"]


def test_built_site_has_every_entry_and_its_image(built_site):
    html = (built_site / "gallery.html").read_text()
    for name in _shipped():
        assert f'href="zoo/{name}/index.html"' in html, name
        assert f'src="zoo/{name}/samples.png"' in html, name
        assert (built_site / "zoo" / name / "samples.png").stat().st_size > 0
        assert (built_site / "zoo" / name / "index.html").exists()
    # the API reference is rendered from the docstrings
    assert "ganzoo.gan.GAN" in (built_site / "api" / "gan.html").read_text()
