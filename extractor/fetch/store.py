"""The corpus directory `extract fetch` writes and `extract run` reads.

Per article: `<id>.txt` (parse_html's text, first line the title), `<id>.meta.json` and the raw
page `<id>.html`. `<id>` comes from the canonical URL, so a rerun overwrites rather than
duplicates. `.fetch-state.json` remembers fetched URLs (with ETag/Last-Modified for conditional
GETs) and text fingerprints (the same article under another URL is stored once).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from extractor.html import HtmlArticle

STATE_FILE = ".fetch-state.json"
# Query parameters that only track a click, never select content.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|zaloapp|ref|refer|source|spm|from|share)$", re.I)


def normalize_url(url: str) -> str:
    """Lower-case scheme/host, no fragment, no tracking parameters, no default port."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host  # an IPv6 address keeps its brackets
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def article_id(canonical_url: str) -> str:
    """'<slug>_<hash>': readable, filesystem-safe, and stable for one canonical URL."""
    url = normalize_url(canonical_url)
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]
    last = [p for p in urlsplit(url).path.split("/") if p]
    name = last[-1] if last else urlsplit(url).hostname or "page"
    stem = re.sub(r"\.(s?html?|php|aspx?)$", "", name, flags=re.I)
    ascii_stem = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.encode("ascii", "ignore").decode().lower()).strip("-")[:48]
    return f"{slug.strip('-') or 'page'}_{digest}"


def text_fingerprint(text: str) -> str:
    """Whitespace- and case-insensitive hash of the body (title line excluded: outlets re-title copies)."""
    body = text.split("\n\n", 1)[-1]
    return hashlib.sha1(re.sub(r"\s+", " ", body).strip().lower().encode("utf-8")).hexdigest()


def _is_state(state: object) -> bool:
    """{"urls": {url: {record}}, "fingerprints": {hash: id}}, either part possibly missing."""
    if not isinstance(state, dict):
        return False
    urls, fingerprints = state.get("urls"), state.get("fingerprints")
    return isinstance(urls, dict | None) and isinstance(fingerprints, dict | None) and all(
        isinstance(record, dict) for record in (urls or {}).values())


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same directory and os.replace: no half-written files."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass
class Corpus:
    out: Path
    urls: dict[str, dict[str, Any]] = field(default_factory=dict)  # normalized URL -> record
    fingerprints: dict[str, str] = field(default_factory=dict)  # text fingerprint -> article id

    @classmethod
    def open(cls, out: str | Path) -> Corpus:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        corpus = cls(path)
        state_path = path / STATE_FILE
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if not _is_state(state):
                raise ValueError(f"{STATE_FILE} is not a fetch state (an object with 'urls' and 'fingerprints'); "
                                 f"move it away to start afresh")
            corpus.urls = dict(state.get("urls") or {})
            corpus.fingerprints = dict(state.get("fingerprints") or {})
        return corpus

    def record(self, url: str) -> dict[str, Any] | None:
        return self.urls.get(normalize_url(url))

    def has_article(self, url: str) -> bool:
        """True when `url` was stored before and its text file is still there."""
        record = self.record(url)
        return bool(record and record.get("id") and (self.out / f"{record['id']}.txt").exists())

    def remember(self, url: str, **record: Any) -> None:
        self.urls[normalize_url(url)] = {**(self.record(url) or {}), **record}

    def duplicate_of(self, article: HtmlArticle, article_id_: str) -> str | None:
        owner = self.fingerprints.get(text_fingerprint(article.text))
        return owner if owner and owner != article_id_ else None

    def store(self, article: HtmlArticle, raw: bytes, article_id_: str, fetched_at: str) -> None:
        # A byline in words ("3 giờ trước") is kept as written: `extract run` reads it against fetched_at.
        meta = {"url": article.url, "published": article.published or article.published_text,
                "source": article.source, "title": article.title, "lang": article.lang, "author": article.author,
                "fetched_at": fetched_at}
        write_atomic(self.out / f"{article_id_}.html", raw)
        write_atomic(self.out / f"{article_id_}.meta.json",
                     (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        # Exactly parse_html's text: no trailing newline added.
        write_atomic(self.out / f"{article_id_}.txt", article.text.encode("utf-8"))
        self.fingerprints[text_fingerprint(article.text)] = article_id_

    def save_state(self) -> None:
        state = {"urls": self.urls, "fingerprints": self.fingerprints}
        write_atomic(self.out / STATE_FILE, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
