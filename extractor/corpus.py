"""Reading the corpus: `.txt` (+ `.meta.json` sidecar), saved `.html` pages and `.jsonl` bundles.

Every input either becomes an `Article` or an `InputError` naming the file and the reason; one broken
file never stops the rest of the corpus. Finding the inputs (`find_inputs`) never follows a symlinked
folder or opens a special file; reading one (`read_guarded`) turns any failure into that file's error.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import regex
from charset_normalizer import from_bytes

# A 50 MB article is a broken export, not a news story: refuse it rather than exhaust memory.
MAX_FILE_BYTES = int(os.environ.get("EXTRACTOR_MAX_FILE_BYTES", 50 * 1024 * 1024))
# A sidecar holds a handful of fields; a big one is a mistake (or a link to /dev/zero).
MAX_SIDECAR_BYTES = 1024 * 1024
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
# Formats a user would expect read: each gets an errors.jsonl line rather than a silent skip.
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".odt", ".rtf"}
META_SUFFIX = ".meta.json"
META_FIELDS = ("url", "published", "source", "title", "lang")
# Encodings met in Vietnamese and Chinese news exports, tried when UTF-8 fails.
FALLBACK_ENCODINGS = ["gb18030", "big5", "cp1258", "utf_16"]
_SURROGATE = regex.compile(r"[\ud800-\udfff]")


@dataclass
class Article:
    id: str
    path: str
    text: str
    encoding: str = "utf-8"
    title: str | None = None
    url: str | None = None
    published: str | None = None
    source: str | None = None
    lang: str | None = None  # as declared by the input; detection happens later
    extra: dict[str, Any] = field(default_factory=dict)
    published_source: str | None = None  # where `published` came from: sidecar, jsonl, html
    origin: str = ""  # the file, or file:line of a bundle: what a colliding id's suffix derives from
    warnings: list[str] = field(default_factory=list)  # read, but something in it was ignored


@dataclass
class InputError:
    path: str
    reason: str
    id: str | None = None
    level: str = "error"  # "warning": the article was read, something in it was not

    def as_record(self) -> dict[str, Any]:
        return {"path": self.path, "id": self.id, "level": self.level, "reason": self.reason}


Item = Article | InputError


@dataclass
class Inputs:
    """What the walk found: files to read (and errors, in walk order), unsupported files by extension."""

    entries: list[Path | InputError] = field(default_factory=list)
    unsupported: Counter[str] = field(default_factory=Counter)

    @property
    def files(self) -> list[Path]:
        return [e for e in self.entries if isinstance(e, Path)]


def iter_corpus(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Iterator[Item]:
    """Articles (and errors) from files and directories (recursively), in a stable order."""
    for entry in walk_inputs(paths, exclude):
        if isinstance(entry, InputError):
            yield entry
        else:
            yield from read_guarded(entry)


def find_inputs(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Inputs:
    """Every input file under `paths` (see `walk_inputs`), collected in one list."""
    found = Inputs()
    found.entries = list(walk_inputs(paths, exclude, found.unsupported))
    return found


def walk_inputs(paths: Iterable[str | Path], exclude: Iterable[Path] = (),
                unsupported: Counter[str] | None = None) -> Iterator[Path | InputError]:
    """Every input file under `paths`, sorted within each folder, as the walk reaches it: only one
    folder's names are held at a time, so a corpus of a million files costs no list of a million paths.
    A folder in `exclude` (the run's own output) is not read; hidden entries are not read; a symlinked
    folder is named, not followed. Files of no readable type are counted by extension in `unsupported`."""
    unsupported = Counter() if unsupported is None else unsupported
    excluded = {os.path.realpath(p) for p in exclude}
    for raw in paths:
        path = Path(raw)
        kind = _kind(path, follow=True)
        if kind == "dir":
            if os.path.realpath(path) not in excluded:
                yield from _walk(path, unsupported, excluded)
        elif kind == "file":
            if _is_input(path):
                yield path
            else:
                yield InputError(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield InputError(str(path), kind)


def _kind(path: Path, follow: bool) -> str:
    """'file', 'dir', or the reason the entry is not read (a special file, a loop, a dangling link)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except OSError as e:
        return _open_reason(path, e)
    if stat.S_ISDIR(st.st_mode):
        return "dir"
    if stat.S_ISREG(st.st_mode):
        return "file"
    return f"special file ({_special_name(st.st_mode)}): not read"


def _special_name(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISLNK, "symlink")):
        if test(mode):
            return name
    return "not a regular file"


def _walk(folder: Path, unsupported: Counter[str], excluded: set[str]) -> Iterator[Path | InputError]:
    try:
        with os.scandir(folder) as it:
            names = sorted(entry.name for entry in it)
    except OSError as e:
        yield InputError(str(folder), f"unreadable folder: {e.strerror or e}")
        return
    for name in names:
        if name.startswith("."):
            continue  # hidden files and folders (.git, our own temporary run folders)
        child = folder / name
        if os.path.islink(child):
            kind = _kind(child, follow=True)
            if kind == "dir":
                yield InputError(str(child), "symlinked folder: not followed (name it to read it)")
                continue
        else:
            kind = _kind(child, follow=False)
        if kind == "dir":
            if os.path.realpath(child) not in excluded:
                yield from _walk(child, unsupported, excluded)
        elif kind == "file":
            yield from _classify(child, unsupported)
        else:
            yield InputError(str(child), kind)


def _classify(path: Path, unsupported: Counter[str]) -> Iterator[Path | InputError]:
    if path.name.lower().endswith(META_SUFFIX):
        return  # read with its article
    if _is_input(path):
        yield path
    elif path.suffix.lower() in HTML_SUFFIXES:
        return  # the raw page kept beside its text by `extract fetch`
    elif path.suffix.lower() in DOCUMENT_SUFFIXES:
        unsupported[path.suffix.lower()] += 1
        yield InputError(str(path), f"{path.suffix.lower()} document: not read; convert it to .txt (or .html) first")
    else:
        unsupported[path.suffix.lower() or "(none)"] += 1


def _is_input(path: Path) -> bool:
    if path.name.endswith(META_SUFFIX) or path.name.startswith("."):
        return False
    if path.suffix.lower() in HTML_SUFFIXES and path.with_suffix(".txt").exists():
        return False  # `extract fetch` keeps the raw page beside its text for provenance: one article
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


class UnreadableInput(Exception):
    """A file that is not opened or not read whole; the message is the reason."""


def open_regular(path: Path) -> BinaryIO:
    """The file opened for reading, if it is a regular one. Opened non-blocking, so a FIFO that
    appeared after the walk cannot hang the run, and checked as regular before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise UnreadableInput(_open_reason(path, e)) from None
    f = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        f.close()
        raise UnreadableInput(f"special file ({_special_name(mode)}): not read")
    return f


def read_bytes_capped(path: Path, cap: int) -> bytes:
    """The bytes of a regular file of at most `cap` bytes."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > cap:
            raise UnreadableInput(f"file too large ({size} bytes > {cap}); refused")
        # read what the size says (a read of cap + 1 bytes allocated that much for every file), then on to
        # the cap if there is more: it grew, or the size said nothing (a /proc file)
        raw = f.read(min(size, cap) + 1)
        if len(raw) > size:
            raw += f.read(cap + 1 - len(raw))
    if len(raw) > cap:
        raise UnreadableInput(f"file too large (over {cap} bytes); refused")
    return raw


def _open_reason(path: Path, e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop: not followed"
    if e.errno == errno.ENOENT:
        return "dangling symlink: its target does not exist" if os.path.islink(path) else "no such file or directory"
    return f"cannot read: {e.strerror or e}"


def id_from_path(path: Path) -> str:
    """The file's name without its suffix; bytes of the name that are not UTF-8 written as \\xNN, so
    the id is plain text (the path keeps the exact name)."""
    return os.fsencode(path.stem).decode("utf-8", "backslashreplace")


def read_guarded(path: Path) -> Iterator[Item]:
    """`read_file`, with any failure (a parser's crash included) as this file's error: never the run's."""
    try:
        yield from read_file(path)
    except Exception as e:  # noqa: BLE001 - whatever broke, it broke for this file only
        yield InputError(str(path), f"cannot read: {type(e).__name__}: {e}", id_from_path(path))


def read_file(path: Path) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:  # a bundle of many articles streams line by line; the cap is per line
        yield from _read_jsonl(path)
        return
    try:
        raw = read_bytes_capped(path, MAX_FILE_BYTES)
    except UnreadableInput as e:
        yield InputError(str(path), str(e), id_from_path(path))
        return
    try:
        text, encoding = decode_bytes(raw)
    except ValueError as e:
        yield InputError(str(path), str(e), id_from_path(path))
        return
    if suffix in HTML_SUFFIXES:
        article = _article_from_html(id_from_path(path), str(path), text, encoding)
    else:
        article = Article(id=id_from_path(path), path=str(path), text=text, encoding=encoding)
    article.origin = str(path)
    if not article.text.strip():
        yield InputError(str(path), "empty file: no text to read", id_from_path(path))
        return
    sidecar = path.with_name(path.stem + META_SUFFIX)
    if os.path.lexists(sidecar):
        error = _apply_sidecar(article, sidecar)
        if error:
            yield error
    _finish(article)
    yield article


def _finish(article: Article) -> None:
    """Title from the first line when none was given; lone surrogates (from a JSON escape like
    "\\ud800", which no UTF-8 file can hold) become U+FFFD, one character for one, so offsets hold."""
    article.title = article.title or first_line(article.text)
    if _SURROGATE.search(article.id):  # an id is a name to look up: written out as its escape, in ASCII
        article.id = article.id.encode("utf-8", "backslashreplace").decode("ascii")
        article.warnings.append(f"id holds a lone surrogate (not a character): the id is {article.id!r}")
    for name in ("text", "title", "url", "source", "published", "lang"):
        value = getattr(article, name)
        if isinstance(value, str) and _SURROGATE.search(value):
            setattr(article, name, _SURROGATE.sub("\ufffd", value))
            article.warnings.append(f"{name} holds a lone surrogate (not a character): replaced by U+FFFD")


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Text (NFC) and the encoding it was read with; ValueError for empty or binary input."""
    text, encoding = _decode(raw)
    return nfc(text), encoding


def nfc(text: str) -> str:
    """Composed Unicode: cp1258 and some CMSs write Vietnamese tones as combining marks, which no
    rule would match. All offsets refer to this normalized text, the `text` of articles.jsonl."""
    return unicodedata.normalize("NFC", text)


def _decode(raw: bytes) -> tuple[str, str]:
    if not raw.strip():
        raise ValueError("empty file: no text to read")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if b"\x00" in raw[:4096]:
        raise ValueError("binary file: contains NUL bytes, not text")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw, cp_isolation=FALLBACK_ENCODINGS).best()
    if best is None:
        raise ValueError("undecodable: not UTF-8 and no known encoding fits")
    text = str(best)
    if _looks_binary(text):
        raise ValueError("binary file: decodes to control characters, not text")
    return text, best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls > 0.05 * max(len(sample), 1)


def first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def _apply_sidecar(article: Article, sidecar: Path) -> InputError | None:
    try:
        meta = json.loads(read_bytes_capped(sidecar, MAX_SIDECAR_BYTES).decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (UnreadableInput, ValueError, RecursionError) as e:
        return InputError(str(sidecar), f"broken sidecar, article read without its metadata: {e}", article.id)
    _apply_meta(article, meta, "sidecar")
    return None


def _apply_meta(article: Article, meta: dict[str, Any], origin: str) -> None:
    """The metadata fields that are strings; a field of another type is ignored with a warning."""
    for key in META_FIELDS:
        value = meta.get(key)
        if isinstance(value, str):
            if value.strip():
                setattr(article, key, value.strip())
        elif value is not None:
            article.warnings.append(f"{origin} field {key!r} is {_json_type(value)} ({_preview(value)}), "
                                    "not a string: ignored")
    if isinstance(meta.get("published"), str) and meta["published"].strip():
        article.published_source = origin
    article.extra.update({k: v for k, v in meta.items() if k not in META_FIELDS and k not in ("id", "text", "html")})


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _preview(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False, default=str)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _article_from_html(given_id: str, path: str, html: str, encoding: str) -> Article:
    from extractor.html import parse_html

    page = parse_html(html)
    return Article(
        id=given_id, path=path, text=page.text, encoding=encoding, title=page.title, url=page.url,
        published=page.published_value, source=page.source, lang=page.lang,
        published_source="html" if page.published_value else None,
    )


def _read_jsonl(path: Path) -> Iterator[Item]:
    try:
        f = open_regular(path)
    except UnreadableInput as e:
        yield InputError(str(path), str(e), id_from_path(path))
        return
    with f:
        yield from read_jsonl_lines(f, str(path))


def read_jsonl_lines(f: BinaryIO, path: str) -> Iterator[Item]:
    """The articles (and errors) of a JSONL bundle opened for reading as bytes: a local file, or one on
    object storage opened through fsspec (the cluster readers). `path` names it in errors and origins."""
    for n, line in enumerate(_capped_lines(f), 1):
        where = f"{path}:{n}"
        if line is None:
            yield InputError(where, f"JSONL line longer than {MAX_FILE_BYTES} bytes; refused")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            yield InputError(where, f"malformed JSONL line: {e}")
            continue
        try:  # each line is one article: whatever breaks in it (its HTML, say) is that line's error
            yield article_from_record(record, where, path)
        except Exception as e:  # noqa: BLE001
            yield InputError(where, f"cannot read: {type(e).__name__}: {e}")


def _capped_lines(f: Any) -> Iterator[bytes | None]:
    """Lines of a binary file; None for a line over the size cap, which is skipped without being held."""
    while True:
        line = f.readline(MAX_FILE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_FILE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest of the oversized line in chunks
                line = f.readline(MAX_FILE_BYTES + 1)
            yield None
            continue
        yield line


def article_from_record(record: Any, where: str, path: str) -> Item:
    if not isinstance(record, dict):
        return InputError(where, "malformed JSONL line: not a JSON object")
    record_id = record.get("id")
    if not isinstance(record_id, str | int) or isinstance(record_id, bool) or str(record_id).strip() == "":
        return InputError(where, "JSONL line has no 'id'")
    record_id = str(record_id)
    if isinstance(record.get("text"), str) and record["text"].strip():
        article = Article(id=record_id, path=path, text=nfc(record["text"]), encoding="utf-8")
    elif isinstance(record.get("html"), str) and record["html"].strip():
        article = _article_from_html(record_id, path, record["html"], "utf-8")
    else:
        return InputError(where, "JSONL line has neither 'text' nor 'html'", record_id)
    _apply_meta(article, record, "jsonl")
    article.origin = where
    _finish(article)
    return article


class ArticleIds:
    """Unique article ids: the first article keeps its id, a later one with the same id gets a suffix
    derived from where it came from (its path, or path:line), and a warning says so."""

    def __init__(self) -> None:
        self._owners: dict[str, str] = {}

    def claim(self, article: Article) -> InputError | None:
        wanted = article.id
        if wanted not in self._owners:
            self._owners[wanted] = article.origin or article.path
            return None
        origin = article.origin or article.path
        digest = hashlib.sha1(origin.encode("utf-8", "surrogatepass")).hexdigest()
        unique, n = f"{wanted}~{digest[:8]}", 8
        while unique in self._owners:  # a second collision: a longer suffix
            n += 4
            unique = f"{wanted}~{digest[:n]}"
        self._owners[unique] = origin
        article.id = unique
        return InputError(origin, f"article id {wanted!r} is already used by {self._owners[wanted]}; "
                                  f"this article's id is {unique!r}", unique, level="warning")
