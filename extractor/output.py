"""Writing results: one run's files in a fresh folder, swapped in for the old output in one step.

`RunFolder` writes every file of a run into `.<out>.run-<pid>-<token>` beside `--out`; `commit` puts the
whole folder in place of the old one at once (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames
whose gap the next run repairs), so a reader, a kill or a crash only ever sees the old complete output or
the new complete output, never a mix. Folders left by killed runs are removed by the next run.

Every line is strict JSON (no NaN or Infinity) and valid UTF-8: a lone surrogate (a filename byte that
is not UTF-8) is written as its JSON escape rather than crashing the write.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

import regex

T = TypeVar("T")

ARTICLES_FILE, OUTCOMES_FILE, ERRORS_FILE = "articles.jsonl", "outcomes.jsonl", "errors.jsonl"
CHECKS_FILE, RUN_FILE, REPORT_FILE = "checks.jsonl", "run.json", "report.html"
CSV_METADATA_FILE, DUCKDB_FILE = "csv-metadata.json", "extractor.duckdb"
CLAIMREVIEW_FILE = "claimreview.jsonld"
# What `extract export` writes into an output folder (by default): the tables in each format.
EXPORT_TABLES = ("figures", "outcomes", "articles")
EXPORT_FILES = frozenset({*(f"{table}.{ext}" for table in EXPORT_TABLES for ext in ("parquet", "csv")),
                          CSV_METADATA_FILE, DUCKDB_FILE})
# The files a run (or `extract check`, `extract report`, `extract export`) writes into --out: a folder holding
# anything else is not ours to replace.
OUTPUT_FILES = frozenset({ARTICLES_FILE, OUTCOMES_FILE, ERRORS_FILE, CHECKS_FILE, RUN_FILE, REPORT_FILE,
                          CLAIMREVIEW_FILE, *EXPORT_FILES})
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_RENAME_EXCHANGE = 2  # linux/fs.h


class OutputError(Exception):
    """--out cannot be written (or is not an output folder); the message says why, in one line."""


class BrokenOutput(ValueError):
    """A file of an output folder that is not what `extract run` writes; names the file and line."""


def json_line(record: Any) -> str:
    """One JSON Lines line. ValueError for NaN/Infinity: a caller reports the record, never writes it."""
    text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


class RunFolder:
    """A run's output, written beside `out` and put in its place by `commit` (or thrown away by `abort`)."""

    def __init__(self, out: Path) -> None:
        self.out = Path(os.path.abspath(out))  # "." and "a/.." named: the run folder goes beside them
        if not self.out.name:
            raise OutputError(f"--out {out} is the root folder")
        check_replaceable(self.out)
        parent = self.out.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"cannot create {parent}: {e.strerror or e}") from None
        remove_leftovers(self.out)
        self.path = parent / f".{self.out.name}.run-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(self.path)  # mode 0o777 & ~umask, like any folder the user makes
        except OSError as e:
            raise OutputError(f"cannot write to {parent}: {e.strerror or e}") from None
        self._files: list[TextIO] = []
        self.committed = False  # the new output is in place (what is left to do is tidying)

    def open(self, name: str) -> JsonlWriter:
        return JsonlWriter(self._create(name))

    def write_json(self, name: str, data: Any) -> None:
        f = self._create(name)
        f.write(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2) + "\n")

    def _create(self, name: str) -> TextIO:
        f = open(self.path / name, "x", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in commit/abort
        self._files.append(f)
        return f

    def finish_files(self) -> None:
        """Every file written so far flushed to disk and closed: readable whole (by the checks)."""
        for f in self._files:
            if not f.closed:
                f.flush()
                os.fsync(f.fileno())
                f.close()

    def commit(self) -> None:
        """The new output in place of the old, in one step; the old one removed."""
        self.finish_files()
        _fsync_dir(self.path)
        check_replaceable(self.out)  # again: a file put into --out during the run is not deleted with it
        if os.path.lexists(self.out):
            replace_folder(self.path, self.out, self)
        else:
            os.rename(self.path, self.out)
            self.committed = True
        _fsync_dir(self.out.parent)

    def abort(self) -> None:
        for f in self._files:
            f.close()
        if os.path.isdir(self.path):
            shutil.rmtree(self.path, ignore_errors=True)


class JsonlWriter:
    """Lines into one file of a run folder, counted."""

    def __init__(self, f: TextIO) -> None:
        self._file = f
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self.write_line(json_line(record))

    def write_line(self, line: str) -> None:
        self._file.write(line)
        self.count += 1

    def append_file(self, path: Path) -> None:
        """The lines of a finished shard (`extractor.shards`), copied as bytes and counted."""
        self._file.flush()
        with open(path, "rb") as src:
            while chunk := src.read(1 << 20):
                self._file.buffer.write(chunk)  # type: ignore[attr-defined]
                self.count += chunk.count(b"\n")


def check_replaceable(out: Path) -> None:
    """OutputError unless `out` is missing or a folder holding only what a run writes: replacing a
    folder means deleting what is in it."""
    if not os.path.lexists(out):
        return
    if out.is_symlink():
        raise OutputError(f"--out {out} is a symlink; name the folder it points to, or a new one")
    if not out.is_dir():
        raise OutputError(f"--out {out} is not a folder")
    try:
        here = Path.cwd()
    except OSError:  # the current folder was removed: nothing of it to protect
        here = None
    # Replacing the folder the shell is in would pull it from under the shell.
    if here is not None and (here == out or out in here.parents):
        raise OutputError(f"--out {out} holds the current folder; name a folder of its own for the output")
    try:
        names = os.listdir(out)
    except OSError as e:
        raise OutputError(f"cannot read --out {out}: {e.strerror or e}") from None
    # Hidden files count too (a .git would go with the swap); only our own temp files do not.
    foreign = sorted(n for n in names if n not in OUTPUT_FILES and not _is_temp_file(n))
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise OutputError(f"--out {out} holds files no run wrote ({shown}); refusing to replace it, "
                          "choose an empty or new folder")


def _is_temp_file(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def replace_folder(new: Path, old: Path, run: RunFolder) -> None:
    """`new` in place of `old` in one step, then `old`'s content removed."""
    if _exchange(new, old):
        run.committed = True
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old output
        return
    # No atomic exchange here: move the old aside first; a kill in between is repaired by `remove_leftovers`.
    aside = old.absolute().parent / f".{old.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(old, aside)
    os.rename(new, old)
    run.committed = True
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def remove_leftovers(out: Path) -> list[Path]:
    """Remove what killed runs left: their run folders beside `out` and temp files inside it. A run
    killed between the two renames of `replace_folder` left `out` missing: its old output comes back."""
    parent = out.absolute().parent
    removed: list[Path] = []
    for path in sorted(_ours(parent, out.name)):
        kind, pid = path.name[len(out.name) + 2 :].split("-")[:2]
        if _alive(pid):
            continue  # a run still going (another process writing the same --out)
        if kind == "old" and not os.path.lexists(out):
            os.rename(path, out)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    if out.is_dir() and not out.is_symlink():
        for name in os.listdir(out):
            if _is_temp_file(name):
                (out / name).unlink(missing_ok=True)
                removed.append(out / name)
    return removed


def _ours(parent: Path, name: str) -> Iterator[Path]:
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        if entry.startswith((f".{name}.run-", f".{name}.old-")):
            yield parent / entry


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except ValueError:
        return False
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return int(pid) != 0


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class AtomicJsonl:
    """One file replaced in place (checks.jsonl beside a run's output): a temp file, then a rename."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        # 0o666 & ~umask: the permissions any file the user makes gets (mkstemp would give 0600)
        fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.count = 0

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json_line(record))
        self.count += 1

    def commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        self._file.close()
        self._tmp.unlink(missing_ok=True)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    out = AtomicJsonl(path)
    try:
        for record in records:
            out.write(record)
    except BaseException:
        out.abort()
        raise
    out.commit()
    return out.count


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) of a JSON Lines file; BrokenOutput naming the file and line otherwise."""
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise BrokenOutput(f"{path} line {n}: not UTF-8 ({e.reason})") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line, parse_constant=_refuse_constant)
            except (ValueError, RecursionError) as e:
                truncated = "" if line.endswith("\n") else " (the file ends mid-line: truncated?)"
                raise BrokenOutput(f"{path} line {n}: not a JSON line{truncated}: {e}") from None
            if not isinstance(record, dict):
                raise BrokenOutput(f"{path} line {n}: not a JSON object")
            yield n, record


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [record for _, record in iter_jsonl(path)]


def read_output_folder(command: str, out_dir: Path, action: Callable[[Path], T]) -> tuple[T | None, int]:
    """`action(out_dir)` for a command that reads what `extract run` wrote: (its result, 0), or (None, 2)
    with the reason on stderr when the folder has no outcomes.jsonl, a broken one, or cannot be read."""
    if not (out_dir / OUTCOMES_FILE).exists():
        print(f"extract {command}: no {OUTCOMES_FILE} in {out_dir} (run `extract run CORPUS --out {out_dir}` first)",
              file=sys.stderr)
        return None, 2
    try:
        return action(out_dir), 0
    except BrokenOutput as e:
        print(f"extract {command}: {e}; rerun `extract run` to rewrite it", file=sys.stderr)
    except OSError as e:
        print(f"extract {command}: {e.filename or out_dir}: {e.strerror or e}", file=sys.stderr)
    return None, 2


def write_text_atomic(path: Path, text: str) -> Path:
    """One whole file (a report, the ClaimReview drafts) put in place in one step, with the permissions of
    any file the user writes (mkstemp's are 0600)."""
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
