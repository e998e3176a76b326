"""Checkpoints of a run: its output in shards, each with a completion marker, kept beside --out.

A run cuts its input (articles and read errors, in input order) into shards of `shard_size` items and
writes each shard's lines into `.<out>.partial/`; a shard is finished when its marker
(`<n>.done`, written last and atomically) exists, the way datatrove marks finished tasks. At the end the
shards are joined into the run folder, which replaces --out in one step, and the partial folder goes.
A killed run leaves its finished shards: `extract run --resume` reads the input again (cheap next to
extraction), keeps every finished shard whose items are still the same ones, and processes the rest,
so it ends with exactly the records of an uninterrupted run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from extractor.output import ARTICLES_FILE, ERRORS_FILE, OUTCOMES_FILE, OutputError

SHARD_FILES = (ARTICLES_FILE, OUTCOMES_FILE, ERRORS_FILE)
STATE_FILE = "state.json"


@dataclass
class ShardCounts:
    items: int = 0
    articles: int = 0
    outcomes: int = 0
    figures: int = 0
    errors: int = 0
    warnings: int = 0
    skipped: int = 0
    digest: str = ""  # over the shard's items (origin and id): a resumed run checks they are the same

    def add(self, other: ShardCounts) -> None:
        for name in ("items", "articles", "outcomes", "figures", "errors", "warnings", "skipped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def item_digest() -> Any:
    return hashlib.sha256()


class ShardStore:
    """The partial folder of one --out: finished shards, and the run they belong to (`state.json`)."""

    def __init__(self, out: Path, run_key: dict[str, Any], resume: bool) -> None:
        self.path = out.parent / f".{out.name}.partial"
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise OutputError(f"another run is writing {out} (its checkpoints in {self.path} are locked)") from None
        self.resumed = 0  # finished shards kept from the interrupted run
        state = self._read_state()
        if resume and state is not None and state != run_key:
            self.close()
            changed = sorted(k for k in set(state) | set(run_key) if state.get(k) != run_key.get(k))
            raise OutputError(f"--resume: the interrupted run into {out} differs in {', '.join(changed)}; "
                              "run without --resume to start over")
        self.resuming = resume and state is not None
        if not self.resuming:
            self._clear()
            _write_atomic(self.path / STATE_FILE, json.dumps(run_key, indent=2).encode())

    def _read_state(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.path / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _clear(self) -> None:
        for name in os.listdir(self.path):  # only flat files live here
            (self.path / name).unlink(missing_ok=True)

    def finished(self, n: int) -> ShardCounts | None:
        """The counts of shard `n` when it was finished (by this run or the interrupted one)."""
        if not self.resuming:
            return None
        try:
            return ShardCounts(**json.loads((self.path / f"{n:06d}.done").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def open(self, n: int) -> ShardWriter:
        (self.path / f"{n:06d}.done").unlink(missing_ok=True)
        return ShardWriter(self.path, n)

    def files(self, n: int) -> dict[str, Path]:
        return {name: self.path / f"{n:06d}.{name}" for name in SHARD_FILES}

    def remove(self) -> None:
        self.close()
        try:
            self._clear()
            self.path.rmdir()
        except OSError:
            pass  # what is left is cleared by the next run into the same --out

    def close(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


@dataclass
class ShardWriter:
    """The three files of one shard being written; `finish` makes it a checkpoint."""

    folder: Path
    n: int
    counts: ShardCounts = field(default_factory=ShardCounts)
    _files: dict[str, BinaryIO] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._files = {name: open(self.folder / f"{self.n:06d}.{name}", "wb") for name in SHARD_FILES}  # noqa: SIM115

    def write(self, name: str, line: str) -> None:
        self._files[name].write(line.encode("utf-8"))

    def finish(self, digest: str) -> ShardCounts:
        for f in self._files.values():
            f.flush()
            os.fsync(f.fileno())
            f.close()
        self.counts.digest = digest
        _write_atomic(self.folder / f"{self.n:06d}.done", json.dumps(asdict(self.counts)).encode())
        return self.counts

    def abandon(self) -> None:
        for f in self._files.values():
            f.close()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
