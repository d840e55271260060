"""The command line prints only its own output: TensorFlow's start-up notices (absl's pre-init
warning, the oneDNN notice) are hidden from stderr -- without touching the numerics -- while real
errors still reach it; ``ganzoo --tf-logs`` (or GANZOO_TF_LOGS=1) shows the notices."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from ganzoo import _quiet

NOTICE = (b"WARNING: All log messages before absl::InitializeLog() is called are written to "
          b"STDERR\n")
ONEDNN = (b"I0000 00:00:1796076309.917351    8347 port.cc:153] oneDNN custom operations are on. "
          b"You may see slightly different numerical results due to floating-point round-off "
          b"errors from different computation orders. To turn them off, set the environment "
          b"variable `TF_ENABLE_ONEDNN_OPTS=0`.\n")
CPU = (b"I0000 00:00:1796076349.371953    8728 cpu_feature_guard.cc:227] This TensorFlow binary is "
       b"optimized to use available CPU instructions in performance-critical operations.\n"
       b"To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
       b"TensorFlow with the appropriate compiler flags.\n")


def _env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", _quiet.ENV, "TF_ENABLE_ONEDNN_OPTS")}
    env.update(PYTHONPATH=str(REPO), **extra)
    return env


def _run(cmd, **env):
    return subprocess.run(cmd, capture_output=True, text=True, env=_env(**env), cwd=REPO,
                          timeout=300)


def _ganzoo(*args, **env):
    return _run([sys.executable, "-m", "ganzoo", *args], **env)


@pytest.mark.backend_independent
def test_filter_drops_only_the_notices():
    kept = b"E0000 00:00:1.0 1 some_op.cc:12] a real error\nTraceback (most recent call last):\n"
    assert _quiet.filter_notices(NOTICE + ONEDNN + kept + CPU) == kept
    assert _quiet.filter_notices(b"") == b""


@pytest.mark.backend_independent
def test_block_hides_notices_and_keeps_the_rest():
    """In a child process (descriptor 2 is the child's real stderr): inside the block the
    notices vanish and other lines come back; after it, stderr works as before."""
    code = f"""if True:
        import os, sys
        from ganzoo import _quiet
        with _quiet.startup_notices_hidden():
            os.write(2, {NOTICE + ONEDNN!r})
            os.write(2, b"a warning during the import\\n")
            print("python-level warning", file=sys.stderr)
        os.write(2, {ONEDNN!r})  # after the block: nothing is filtered any more
        print("later error", file=sys.stderr)
        print("stdout untouched")
    """
    run = _run([sys.executable, "-c", code])
    assert run.returncode == 0, run.stderr
    assert run.stdout == "stdout untouched\n"
    assert run.stderr.splitlines() == ["a warning during the import", "python-level warning",
                                       ONEDNN.decode().rstrip("\n"), "later error"]


@pytest.mark.backend_independent
def test_block_restores_stderr_when_the_import_fails():
    code = """if True:
        import os
        from ganzoo import _quiet
        try:
            with _quiet.startup_notices_hidden():
                os.write(2, b"what the failing import said\\n")
                raise ImportError("boom")
        except ImportError:
            pass
        os.write(2, b"still here\\n")
    """
    run = _run([sys.executable, "-c", code])
    assert run.stderr.splitlines() == ["what the failing import said", "still here"]


@pytest.mark.parametrize("args", [["list"], ["info", "dcgan-mnist"]])
def test_ordinary_commands_print_nothing_on_stderr(args):
    run = _ganzoo(*args)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "dcgan-mnist" in run.stdout


def test_console_script_prints_nothing_on_stderr():
    script = shutil.which("ganzoo")
    if script is None:
        pytest.skip("the ganzoo console script is not installed (pip install -e .)")
    run = _run([script, "list", "*ring8"])
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "gan-ring8" in run.stdout


def test_errors_still_reach_stderr():
    run = _ganzoo("info", "no-such-entry")
    assert run.returncode == 2
    assert run.stderr.startswith("ganzoo info: error: Unknown model 'no-such-entry'")
    assert "absl" not in run.stderr and "oneDNN" not in run.stderr


def _notices(stderr):
    """The start-up notice lines of ``stderr``, without their time stamp and thread id."""
    return [re.sub(r"^I\d{4} [\d:. ]+\d+ ", "", line) for line in stderr.splitlines()
            if _quiet.NOTICES.match(line.encode())]


@pytest.mark.parametrize("how", ["flag", "env", "neither"])
def test_tf_logs_decides_whether_import_notices_show(how):
    """A notice written to descriptor 2 during ganzoo's import (as TensorFlow's C++ does) shows
    with ``--tf-logs`` or GANZOO_TF_LOGS=1 and is hidden otherwise. The notice is written by the
    test: whether TensorFlow prints any depends on the CPU (it turns oneDNN on, and says so, only
    on CPUs with AVX-512 VNNI/BF16; CI's machine prints none)."""
    argv = ["ganzoo", "--tf-logs", "list"] if how == "flag" else ["ganzoo", "list"]
    code = f"""if True:
        import builtins, os, sys
        sys.argv = {argv!r}
        real_import = builtins.__import__
        def notice_on_first_keras_import(name, *args, **kwargs):
            if name == "keras" and not getattr(builtins, "_noticed", False):
                builtins._noticed = True
                os.write(2, {NOTICE + ONEDNN!r})
            return real_import(name, *args, **kwargs)
        builtins.__import__ = notice_on_first_keras_import
        import ganzoo
        assert builtins._noticed, "ganzoo's import never imported keras"
    """
    run = _run([sys.executable, "-c", code], **({_quiet.ENV: "1"} if how == "env" else {}))
    assert run.returncode == 0, run.stderr
    shown = _notices(run.stderr)  # with TensorFlow's own notices, where this CPU makes any
    if how == "neither":
        assert shown == []
    else:
        assert all(line in shown for line in _notices((NOTICE + ONEDNN).decode())), shown


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
                    reason="the notices are TensorFlow's")
@pytest.mark.parametrize("how", ["flag", "env"])
def test_tf_logs_shows_what_tensorflow_prints(how):
    """The real command: ``ganzoo --tf-logs`` shows the import notices a bare ``import
    tensorflow`` prints on this machine (none on a CPU without AVX-512; the test above covers
    that case)."""
    bare = _run([sys.executable, "-c", "import tensorflow"])
    assert bare.returncode == 0, bare.stderr
    args, env = (["--tf-logs", "list"], {}) if how == "flag" else (["list"], {_quiet.ENV: "1"})
    run = _ganzoo(*args, **env)
    assert run.returncode == 0, run.stderr
    # as sets: a bare import repeats some lines (two of TensorFlow's libraries log them), and
    # the CPU-feature lines come only once a device is set up, which 'list' never does
    shown, printed = set(_notices(run.stderr)), set(_notices(bare.stderr))
    assert shown <= printed
    assert shown >= {line for line in printed if "absl::InitializeLog" in line or "oneDNN" in line}
    assert "dcgan-mnist" in run.stdout


@pytest.mark.backend_independent
def test_tf_logs_is_global_and_train_keeps_its_verbose():
    from ganzoo.cli import build_parser

    args = build_parser().parse_args(["--tf-logs", "train", "dcgan-mnist", "--out", "x",
                                      "--verbose", "2"])
    assert args.tf_logs is True and args.verbose == 2
    assert build_parser().parse_args(["list"]).tf_logs is False
