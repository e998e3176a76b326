"""Reading the corpus: `.txt` (+ `.meta.json` sidecar), saved `.html` pages and `.jsonl` bundles.

Every input either becomes an `Article` or an `InputError` naming the file and the reason; one broken
file never stops the rest of the corpus.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

# A 50 MB article is a broken export, not a news story: refuse it rather than exhaust memory.
MAX_FILE_BYTES = int(os.environ.get("EXTRACTOR_MAX_FILE_BYTES", 50 * 1024 * 1024))
TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
META_SUFFIX = ".meta.json"
META_FIELDS = ("url", "published", "source", "title", "lang")
# Encodings met in Vietnamese and Chinese news exports, tried when UTF-8 fails.
FALLBACK_ENCODINGS = ["gb18030", "big5", "cp1258", "utf_16"]


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


@dataclass
class InputError:
    path: str
    reason: str
    id: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {"path": self.path, "id": self.id, "reason": self.reason}


Item = Article | InputError


def iter_corpus(paths: list[str | Path]) -> Iterator[Item]:
    """Articles (and errors) from files and directories (recursively), in a stable order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if _is_input(child):
                    yield from read_file(child)
        elif path.is_file():
            if _is_input(path):
                yield from read_file(path)
            else:
                yield InputError(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield InputError(str(path), "no such file or directory")


def _is_input(path: Path) -> bool:
    if path.name.endswith(META_SUFFIX) or path.name.startswith("."):
        return False
    if path.suffix.lower() in HTML_SUFFIXES and path.with_suffix(".txt").exists():
        return False  # `extract fetch` keeps the raw page beside its text for provenance: one article
    return path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES


def read_file(path: Path) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:  # a bundle of many articles streams line by line; the cap is per line
            yield from _read_jsonl(path)
            return
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield InputError(str(path), f"file too large ({size} bytes > {MAX_FILE_BYTES}); refused", path.stem)
            return
        raw = path.read_bytes()
    except OSError as e:
        yield InputError(str(path), f"cannot read: {e.strerror or e}", path.stem)
        return
    try:
        text, encoding = decode_bytes(raw)
    except ValueError as e:
        yield InputError(str(path), str(e), path.stem)
        return
    if suffix in HTML_SUFFIXES:
        article = _article_from_html(path.stem, str(path), text, encoding)
    else:
        article = Article(id=path.stem, path=str(path), text=text, encoding=encoding)
    if not article.text.strip():
        yield InputError(str(path), "empty file: no text to read", path.stem)
        return
    article.title = article.title or first_line(article.text)
    sidecar = path.with_name(path.stem + META_SUFFIX)
    if sidecar.exists():
        error = _apply_sidecar(article, sidecar)
        if error:
            yield error
    yield article


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
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        return InputError(str(sidecar), f"broken sidecar, article read without its metadata: {e}", article.id)
    _apply_meta(article, meta)
    return None


def _apply_meta(article: Article, meta: dict[str, Any]) -> None:
    for key in META_FIELDS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            setattr(article, key, value.strip())
    article.extra.update({k: v for k, v in meta.items() if k not in META_FIELDS and k not in ("id", "text", "html")})


def _article_from_html(article_id: str, path: str, html: str, encoding: str) -> Article:
    from extractor.html import parse_html

    page = parse_html(html)
    return Article(
        id=article_id, path=path, text=page.text, encoding=encoding, title=page.title, url=page.url,
        published=page.published, source=page.source, lang=page.lang,
    )


def _read_jsonl(path: Path) -> Iterator[Item]:
    with open(path, "rb") as f:
        for n, line in enumerate(_capped_lines(f), 1):
            where = f"{path}:{n}"
            if line is None:
                yield InputError(where, f"JSONL line longer than {MAX_FILE_BYTES} bytes; refused")
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                yield InputError(where, f"malformed JSONL line: {e}")
                continue
            yield _article_from_record(record, where, str(path))


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


def _article_from_record(record: Any, where: str, path: str) -> Item:
    if not isinstance(record, dict):
        return InputError(where, "malformed JSONL line: not a JSON object")
    article_id = record.get("id")
    if not isinstance(article_id, str | int) or str(article_id).strip() == "":
        return InputError(where, "JSONL line has no 'id'")
    article_id = str(article_id)
    if isinstance(record.get("text"), str) and record["text"].strip():
        article = Article(id=article_id, path=path, text=nfc(record["text"]), encoding="utf-8")
    elif isinstance(record.get("html"), str) and record["html"].strip():
        article = _article_from_html(article_id, path, record["html"], "utf-8")
    else:
        return InputError(where, "JSONL line has neither 'text' nor 'html'", article_id)
    _apply_meta(article, record)
    article.title = article.title or first_line(article.text)
    return article
