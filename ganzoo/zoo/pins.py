"""Release pins: the sha256 of each shipped checkpoint's ``checksums.sha256`` (``pins.json``).

Written by ``scripts/pin_checkpoints.py`` when a checkpoint is released (entries and the domain
classifiers alike); a name without a pin has no released checkpoint yet.
"""

import functools
import json
from pathlib import Path

PINS_FILE = Path(__file__).with_name("pins.json")


@functools.lru_cache(maxsize=1)
def _pins():
    return json.loads(PINS_FILE.read_text())


def pinned(name):
    """The pinned manifest sha256 of checkpoint ``name``, or None."""
    return _pins().get(name)


def released():
    """The names of every pinned (released) checkpoint, entries and classifiers alike."""
    return frozenset(_pins())
