"""Compiled rule patterns kept on disk, so that a run does not parse every rule again.

`regex` parses a pattern in pure Python: compiling the rule files took 0.4-0.8 s of every run's
start-up, more than half of a one-article run. A compiled `regex` pattern pickles as its compiled code
(copyreg: `_regex.compile` on the pickled data), which loads some 40x faster than parsing again. The
cache is one file in the user's cache folder (extractor.gazetteer.cache.cache_dir), named by the
versions of extractor, Python and regex, holding {(pattern, flags): compiled}. The key is the full
expanded pattern, so an edited rule is compiled afresh, never read stale. The process that loaded the
cache writes it back at exit when it compiled something new (a forked worker never does); a broken or
unreadable file is ignored and replaced, and a read-only cache folder means compiling as before.
"""

from __future__ import annotations

import atexit
import os
import pickle
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

import regex

from extractor import __version__
from extractor.gazetteer.cache import cache_dir

MAX_ENTRIES = 20_000  # beyond this, a write keeps only the patterns the writing process used


class CompiledPatterns:
    """`compile(pattern, flags)`: the compiled pattern, from the disk cache when it holds it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[tuple[str, int], regex.Pattern[str]] | None = None
        self._used: set[tuple[str, int]] = set()
        self._new = 0
        self._owner = os.getpid()

    def _load(self) -> dict[tuple[str, int], regex.Pattern[str]]:
        try:
            with open(self.path, "rb") as f:
                stored = pickle.load(f)  # noqa: S301 - the user's own cache folder, written by `save`
            if isinstance(stored, dict):
                return stored
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            pass
        return {}

    def compile(self, pattern: str, flags: int) -> regex.Pattern[str]:
        if self._stored is None:
            self._stored = self._load()
            atexit.register(self.save)
        key = (pattern, flags)
        self._used.add(key)
        found = self._stored.get(key)
        if found is None:
            found = self._stored[key] = regex.compile(pattern, flags)
            self._new += 1
        return found

    def save(self) -> None:
        """Write the cache back if this process compiled something new (atomically: a run beside it reads
        the old file or the new one)."""
        if not self._new or self._stored is None or os.getpid() != self._owner:
            return
        entries = self._stored
        if len(entries) > MAX_ENTRIES:
            entries = {key: rx for key, rx in entries.items() if key in self._used}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                pickle.dump(entries, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
            self._new = 0
        except (OSError, pickle.PicklingError):
            tmp.unlink(missing_ok=True)


@cache
def _file_name() -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    return f"patterns-{__version__}-py{python}-regex{metadata.version('regex')}.pickle"


def _cache_file() -> Path:
    return cache_dir() / _file_name()


_COMPILED: CompiledPatterns | None = None


def compiled(pattern: str, flags: int) -> regex.Pattern[str]:
    """regex.compile(pattern, flags), read from the disk cache when an earlier run compiled it."""
    global _COMPILED
    if _COMPILED is None or _COMPILED.path != _cache_file():  # EXTRACTOR_CACHE_DIR may change (tests)
        if _COMPILED is not None:
            _COMPILED.save()
        _COMPILED = CompiledPatterns(_cache_file())
    return _COMPILED.compile(pattern, flags)
