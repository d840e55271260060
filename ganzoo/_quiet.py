"""Keep TensorFlow's start-up notices out of ganzoo's output, and nothing else.

Importing TensorFlow writes, from C++ and straight to file descriptor 2 (so neither
``TF_CPP_MIN_LOG_LEVEL`` nor Python's ``sys.stderr`` catches all of it)::

    WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
    I0000 00:00:... port.cc:153] oneDNN custom operations are on. You may see slightly ...
    I0000 00:00:... cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use ...
    To enable the following instructions: AVX2 ..., in other operations, rebuild TensorFlow ...

:func:`startup_notices_hidden` points descriptor 2 at a temporary file while the block runs (the
import of ganzoo's modules, which imports TensorFlow), then restores it and writes back to stderr
every line that is *not* one of these notices -- a warning or an error printed during the import
still shows, and everything after the block goes to stderr as usual. Nothing else changes: no
environment variable is set (``TF_ENABLE_ONEDNN_OPTS`` stays as it is, and so do the numerics).

``GANZOO_TF_LOGS=1`` (or the command line's global ``--tf-logs``) shows the notices. This module
imports nothing heavy: ``ganzoo/__init__.py`` uses it before anything else.
"""

import contextlib
import os
import re
import sys
import tempfile

# The start-up notices (absl's pre-init warning, oneDNN and CPU-feature INFO lines and the
# latter's continuation line). Anything else is written back.
NOTICES = re.compile(
    rb"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|I\d{4} [\d:. ]+\d+ (port|cpu_feature_guard|cpu_utils)\.cc:\d+\] .*"
    rb"|To enable the following instructions: .* rebuild TensorFlow with the appropriate "
    rb"compiler flags\.)\r?$"
)

FLAG = "--tf-logs"
ENV = "GANZOO_TF_LOGS"


def _is_cli():
    """Whether this process is the ``ganzoo`` command (the console script or ``python -m
    ganzoo``)."""
    if os.path.basename(sys.argv[0] or "") in ("ganzoo", "ganzoo.exe"):
        return True
    argv = list(getattr(sys, "orig_argv", ()))
    return "-m" in argv[:-1] and argv[argv.index("-m") + 1] == "ganzoo"


def show_startup_logs():
    """True when the notices are wanted: ``GANZOO_TF_LOGS`` set to a true value, or the command
    line called with ``--tf-logs`` (looked at here because the import happens before argparse
    runs; argparse checks the flag properly afterwards)."""
    if os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    if not _is_cli():
        return False
    args = sys.argv[1:]
    return FLAG in args[:args.index("--")] if "--" in args else FLAG in args


def filter_notices(data):
    """``data`` (bytes written to stderr) without the start-up notice lines."""
    lines = data.splitlines(keepends=True)
    return b"".join(line for line in lines if not NOTICES.match(line.rstrip(b"\n")))


@contextlib.contextmanager
def startup_notices_hidden(enabled=True):
    """Run the block with file descriptor 2 sent to a temporary file; afterwards restore it and
    write back everything but the start-up notices (see the module docstring)."""
    if not enabled:
        yield
        return
    fd = 2  # where C++ writes, whatever Python's sys.stderr is (Jupyter, pytest's capture)
    try:
        saved = os.dup(fd)
        capture = tempfile.TemporaryFile()
    except OSError:  # no descriptor 2 (a daemon): nothing to hide
        yield
        return
    try:
        if sys.stderr is not None:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
        os.dup2(capture.fileno(), fd)
        yield
    finally:
        if sys.stderr is not None:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
        os.dup2(saved, fd)
        os.close(saved)
        capture.seek(0)
        rest = filter_notices(capture.read())
        capture.close()
        while rest:
            rest = rest[os.write(fd, rest):]
