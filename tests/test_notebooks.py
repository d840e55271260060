"""The notebooks in notebooks/ are committed with the outputs of a real run (checked here; the
check reads JSON, so it runs once, under TensorFlow). Executing them top to bottom is CI's job,
once (`.ci/run`: ``python scripts/build_notebooks.py --check``, small budget, a clean copy each,
<= 3 minutes).
Needs the ``notebooks`` extra (pip install -e ".[notebooks]"); fails without it.
"""


import pytest

from conftest import REPO

# reads the committed notebooks' JSON: the same under every Keras backend (run once, under TF)
pytestmark = pytest.mark.backend_independent

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
EXPECTED = {"quickstart", "fine_tune", "mode_collapse", "techniques_tour", "conditional"}
BUDGET_SECONDS = 180  # per notebook, small budget, 2 cores

def _nbformat():
    try:
        import nbformat
    except ImportError:
        pytest.fail('the notebook tools are not installed: pip install -e ".[test,docs,notebooks]"')
    return nbformat


def test_every_notebook_is_there():
    assert EXPECTED <= {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs(path):
    nbformat = _nbformat()
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
