"""Bytes -> str: the page's charset, as declared or detected, with superset codecs.

Chinese pages labelled gb2312/gbk and Latin-1 pages labelled iso-8859-1 routinely hold characters
outside the label, so the declared codec is widened to its superset before a strict decode.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
from bs4 import BeautifulSoup

__all__ = ["decode_html", "soup_of", "squash"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Pages labelled gb2312/gbk routinely contain characters outside it; gb18030 is a superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252", "ascii": "utf-8"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _strict(raw: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_html(raw: bytes, encoding_hint: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, codec). Order: HTTP charset, BOM, <meta charset>, detection, utf-8."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec, errors="replace"), codec
    meta = _META_CHARSET.search(raw[:4096])
    declared = [_codec(encoding_hint), _codec(meta.group(1).decode("ascii") if meta else None)]
    for codec in declared:
        text = _strict(raw, codec)
        if text is not None:
            return text, codec  # type: ignore[return-value]
    best = charset_normalizer.from_bytes(raw).best()
    detected = _codec(best.encoding) if best else None
    text = _strict(raw, detected)
    if text is not None:
        return text, detected  # type: ignore[return-value]
    fallback = next((c for c in declared if c), "utf-8")
    return raw.decode(fallback, errors="replace"), fallback


def soup_of(raw: str | bytes, encoding_hint: str | None = None) -> tuple[BeautifulSoup, str | None]:
    """The parsed page and the codec its bytes were decoded with (None when given str)."""
    if isinstance(raw, bytes):
        text, codec = decode_html(raw, encoding_hint)
        return BeautifulSoup(text, "lxml"), codec
    return BeautifulSoup(raw, "lxml"), None


def squash(text: str) -> str:
    """Text as one line: runs of whitespace (no-break spaces too) become one space, ends trimmed."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()
