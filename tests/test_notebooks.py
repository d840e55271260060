"""The notebooks in notebooks/: committed with the outputs of a real run, and each executed top to
bottom here (nbclient, GANZOO_NOTEBOOK_BUDGET=small, in a temporary copy) within 3 minutes.

Executed under the TensorFlow backend only (CI runs the suite once per backend; the notebooks once).
Needs the ``notebooks`` extra (pip install -e ".[notebooks]"); fails without it.
"""

import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import REPO, SHARED_DATA

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXPECTED = {"quickstart", "fine_tune", "mode_collapse", "techniques_tour"}
BUDGET_SECONDS = 180  # per notebook, small budget, 2 cores

tf_only = pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
                             reason="the notebooks run once, under the TensorFlow backend")


def test_every_notebook_is_there():
    assert EXPECTED <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs(path):
    nbformat = pytest.importorskip("nbformat", reason='pip install -e ".[notebooks]"')
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count for c in code), f"{path.name}: not executed"
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"], f"{path.name}: an error output"
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name}: no picture"
    assert "GANZOO_NOTEBOOK_BUDGET" in "".join(code[0].source)
    # the start-up notices of TensorFlow are hidden (ganzoo._quiet), not part of any output
    text = "".join(o.get("text", "") for o in outputs)
    assert "absl::InitializeLog" not in text and "oneDNN custom operations" not in text


@pytest.mark.slow
@tf_only
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason='pip install -e ".[notebooks]"')
    from nbclient import NotebookClient

    for name in ("mnist", "fashion_mnist"):
        if not (SHARED_DATA / name / "train-images-idx3-ubyte.gz").exists():
            pytest.fail(f"the notebooks need the real {name} IDX files in {SHARED_DATA / name}")
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    monkeypatch.setenv("GANZOO_NOTEBOOK_BUDGET", "small")
    monkeypatch.setenv("GANZOO_TEST_DATA", str(Path(SHARED_DATA).resolve()))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    start = time.monotonic()
    # a cell error raises CellExecutionError, with the cell and its traceback
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    seconds = time.monotonic() - start
    nbformat.write(nb, copy)
    print(f"{path.stem}: {seconds:.0f} s")
    assert seconds <= BUDGET_SECONDS, f"{path.name} took {seconds:.0f} s (budget small)"
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)
