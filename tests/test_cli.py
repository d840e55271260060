import json
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from conftest import REPO


def ganzoo(*args, env=None, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(REPO), **(env or {}))
    return subprocess.run([sys.executable, "-m", "ganzoo", *args], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=REPO)


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


def test_unknown_name_exits_2_with_suggestion(tmp_path):
    run = ganzoo("sample", "dcgan-mnits", "-o", str(tmp_path / "x.png"))
    assert run.returncode == 2
    assert "Did you mean: dcgan-mnist" in run.stderr
