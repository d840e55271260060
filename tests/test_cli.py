import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO


def ganzoo(*args, env=None, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=REPO)


# What TensorFlow's C++ side writes to stderr at import whatever TF_CPP_MIN_LOG_LEVEL says (absl
# lines such as "I0000 00:00:17960... port.cc:153] oneDNN custom operations are on ...").
_TF_LOG = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\)"
                     r"|[IWEF]\d{4} \d\d:)")


def own_stderr(run):
    """The lines of ``run``'s stderr that ganzoo wrote."""
    return [line for line in run.stderr.splitlines() if not _TF_LOG.match(line)]


@pytest.mark.backend_independent
def test_list_and_info():
    run = ganzoo("list")
    assert run.returncode == 0, run.stderr
    assert "dcgan-mnist" in run.stdout and "pretrained" in run.stdout
    run = ganzoo("info", "dcgan-mnist")
    assert run.returncode == 0, run.stderr
    info = json.loads(run.stdout)
    assert info["dataset"] == "mnist" and info["training"]["command"].startswith("ganzoo train")


def test_sample_writes_the_grid(tmp_path):
    out = tmp_path / "grid.png"
    run = ganzoo("sample", "dcgan-mnist", "-n", "16", "--seed", "0", "-o", str(out), "--scale", "1")
    assert run.returncode == 0, run.stderr
    img = np.asarray(Image.open(out))
    assert img.shape == (4 * 30 + 2, 4 * 30 + 2)  # 4x4 tiles of 28 px, 2 px padding
    assert img.std() > 20  # not a blank image


@pytest.mark.backend_independent
def test_unknown_name_exits_2_with_suggestion(tmp_path):
    run = ganzoo("sample", "dcgan-mnits", "-o", str(tmp_path / "x.png"))
    assert run.returncode == 2
    assert "Did you mean: dcgan-mnist" in run.stderr


@pytest.mark.backend_independent
def test_errors_are_one_line_and_exit_2_in_the_real_process(tmp_path):
    """A Hub error (offline, not cached) and a bad -o: one line each, no traceback."""
    env = {"HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(tmp_path / "hf-cache")}
    run = ganzoo("sample", "hf://someone/nothing", "-o", str(tmp_path / "x.png"), env=env)
    assert run.returncode == 2
    assert own_stderr(run) == [
        "ganzoo sample: error: Could not download someone/nothing@main from the Hugging Face Hub: "
        "downloads are disabled (HF_HUB_OFFLINE=1). Offline? Put the checkpoint in the Hugging "
        "Face cache, or pass a local checkpoint directory to ganzoo.load()."
    ]
    run = ganzoo("sample", "dcgan-mnist", "-o", str(tmp_path) + "/")
    assert run.returncode == 2
    assert own_stderr(run) == [f"ganzoo sample: error: -o {tmp_path}/ is a folder: give a file "
                               f"name, e.g. {tmp_path}/samples.png"]
