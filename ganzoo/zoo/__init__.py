"""The registry of zoo entries: entries are data (:class:`Entry`), not subclasses."""

from ganzoo.zoo.registry import (  # noqa: F401
    ALIASES,
    ENTRIES,
    Entry,
    canonical_name,
    create,
    get_entry,
    list_models,
    register,
)
from ganzoo.zoo import entries as _entries  # noqa: F401,E402  (registers the shipped entries)
