"""Values a run would compute again at every start-up, kept on disk: compiled rule patterns, and rule
files read and checked.

`regex` parses a pattern in pure Python: compiling the rule files took 0.4-0.8 s of every run's
start-up, more than half of a one-article run. A compiled `regex` pattern pickles as its compiled code
(copyreg: `_regex.compile` on the pickled data), which loads some 40x faster than parsing again.
Reading the rule files (YAML) and checking them against their schemas (jsonschema, 0.1 s to import)
took another 0.2 s; a file whose bytes and schema are unchanged was checked before.

Each memo is one file in the user's cache folder (extractor.gazetteer.cache.cache_dir), named by the
versions of extractor, Python and its libraries, holding {key: value}. A key holds everything its value
is made from (the full expanded pattern; a rule file's digest and its schema's), so an edit computes
afresh, never reads stale. The process that loaded a memo writes it back at exit when it computed
something new (a forked worker never does); a broken or unreadable file is ignored and replaced, and a
read-only cache folder means computing as before.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Callable, Hashable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import regex

from extractor import __version__
from extractor.gazetteer.cache import cache_dir, read_pickle, write_pickle

MAX_ENTRIES = 20_000  # beyond this, a write keeps only the entries the writing process used


class DiskMemo:
    """`get(key, compute)`: compute(), or the value an earlier process stored under `key`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[Hashable, Any] | None = None
        self._used: set[Hashable] = set()
        self._new = 0
        self._owner = os.getpid()

    def _load(self) -> dict[Hashable, Any]:
        stored = read_pickle(self.path)
        return stored if isinstance(stored, dict) else {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if self._stored is None:
            self._stored = self._load()
            atexit.register(self.save)
        self._used.add(key)
        if key in self._stored:
            return self._stored[key]
        value = self._stored[key] = compute()
        self._new += 1
        return value

    def save(self) -> None:
        """Write the memo back if this process computed something new (atomically: a run beside it reads
        the old file or the new one)."""
        if not self._new or self._stored is None or os.getpid() != self._owner:
            return
        entries = self._stored
        if len(entries) > MAX_ENTRIES:
            entries = {key: value for key, value in entries.items() if key in self._used}
        if write_pickle(self.path, entries):
            self._new = 0


_MEMOS: dict[str, DiskMemo] = {}


@cache
def _versions(packages: tuple[str, ...]) -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    return f"{__version__}-py{python}" + "".join(f"-{p}{metadata.version(p)}" for p in packages)


def memo(name: str, packages: tuple[str, ...] = ()) -> DiskMemo:
    """The memo called `name`, in the current cache folder ($EXTRACTOR_CACHE_DIR may change: tests),
    for the installed versions of `packages`."""
    path = cache_dir() / f"{name}-{_versions(packages)}.pickle"
    found = _MEMOS.get(name)
    if found is None or found.path != path:
        if found is not None:
            found.save()
        found = _MEMOS[name] = DiskMemo(path)
    return found


def compiled(pattern: str, flags: int) -> regex.Pattern[str]:
    """regex.compile(pattern, flags), read from the disk when an earlier run compiled it."""
    return memo("patterns", ("regex",)).get((pattern, flags), lambda: regex.compile(pattern, flags))
