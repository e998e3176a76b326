"""Where on a page to look, as data: outlets' CSS selectors and the generic class/id words.

Two files at the top of the patterns directory (`extractor.patterns.patterns_dir()`):

* `outlets.yaml`: the per-outlet table (`Outlet`, with its `ArticleSelectors`), looked up by URL
  (host suffix, else a CMS article path) or by name. extractor.fetch.adapters serves the same
  table to the crawler, so fetching and parsing can never disagree about an outlet.
* `html.yaml`: the words of page furniture, article bodies, sapos, dates and bylines in class and
  id names, compiled to the regexes the heuristics of extractor.html use, and the <meta> keys of
  the publication date.

Both are read once (functools.cache); clear `outlets`/`html_words` after changing the directory.
Outlet keys are checked against the dataclass fields, so a misspelt key fails loading with the
file and the key named instead of silently dropping a selector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from extractor.patterns import patterns_dir

__all__ = ["ArticleSelectors", "HtmlWords", "Outlet", "article_selectors", "html_words", "name_matches",
           "outlet_by_name", "outlet_for", "outlets"]

OUTLETS_FILE = "outlets.yaml"
HTML_FILE = "html.yaml"


@dataclass(frozen=True)
class ArticleSelectors:
    """CSS selectors of one outlet's article page (patterns/outlets.yaml, `article:`)."""

    body: str | None = None
    title: str | None = None
    sapo: str | None = None
    date: str | None = None
    author: str | None = None
    drop: tuple[str, ...] = field(default_factory=tuple)  # furniture inside the body
    source: str | None = None  # outlet name when the page does not say


@dataclass(frozen=True)
class Outlet:
    """One entry of patterns/outlets.yaml (extractor.fetch.adapters calls it an Adapter)."""

    name: str
    hosts: tuple[str, ...]
    lang: str
    article: ArticleSelectors
    links: str | None = None  # article links on a listing/tag page
    next_page: str | None = None  # pagination link on a listing page
    path_pattern: str | None = None  # matches article URLs of a CMS used by many sites
    extra: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- outlets.yaml

_OUTLET_KEYS = tuple(f.name for f in fields(Outlet))
_ARTICLE_KEYS = tuple(f.name for f in fields(ArticleSelectors))
_REQUIRED = ("name", "hosts", "lang", "article")


def _read(name: str) -> tuple[Path, dict[str, Any]]:
    path = patterns_dir() / name
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping at the top level")
    return path, raw


def _check_keys(path: Path, where: str, entry: object, known: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"{path}: {where}: expected a mapping, got {entry!r}")
    unknown = [k for k in entry if k not in known]
    if unknown:
        raise ValueError(f"{path}: {where}: unknown key {unknown[0]!r} (known: {', '.join(known)})")
    return entry


def _strings(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{path}: {where}: expected a list of strings, got {value!r}")
    return tuple(value)


def _outlet(path: Path, index: int, entry: object) -> Outlet:
    where = f"outlets[{index}]"
    entry = _check_keys(path, where, entry, _OUTLET_KEYS)
    where = f"outlet {entry.get('name', index)!r}"
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        raise ValueError(f"{path}: {where}: missing key {missing[0]!r}")
    article = dict(_check_keys(path, f"{where}, article", entry["article"], _ARTICLE_KEYS))
    if "drop" in article:
        article["drop"] = _strings(path, f"{where}, article.drop", article["drop"])
    pattern = entry.get("path_pattern")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"{path}: {where}: path_pattern {pattern!r}: {err}") from err
    return Outlet(**{**entry, "hosts": _strings(path, f"{where}, hosts", entry["hosts"]),
                     "article": ArticleSelectors(**article), "extra": dict(entry.get("extra") or {})})


@cache
def outlets() -> tuple[Outlet, ...]:
    """Every outlet of patterns/outlets.yaml, in file order (the first match wins)."""
    path, raw = _read(OUTLETS_FILE)
    _check_keys(path, "top level", raw, ("description", "outlets", "examples"))
    table = tuple(_outlet(path, i, e) for i, e in enumerate(raw.get("outlets") or []))
    names = [o.name for o in table]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{path}: outlet {dupes[0]!r} appears more than once")
    return table


def outlet_by_name(name: str) -> Outlet:
    for outlet in outlets():
        if outlet.name == name:
            return outlet
    known = ", ".join(o.name for o in outlets())
    raise KeyError(f"unknown outlet {name!r} (known: {known})")


def outlet_for(url: str) -> Outlet | None:
    """The outlet of `url`'s host, else of a CMS whose article path it has, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for outlet in outlets():
        if any(host == h or host.endswith("." + h) for h in outlet.hosts):
            return outlet
    for outlet in outlets():
        if outlet.path_pattern and re.search(outlet.path_pattern, parts.path):
            return outlet
    return None


def article_selectors(url: str | None) -> ArticleSelectors | None:
    """The article selectors of `url`'s outlet; None sends the page to the generic heuristics."""
    outlet = outlet_for(url) if url else None
    return outlet.article if outlet else None


# ---------------------------------------------------------------- html.yaml

_CLASS_WORDS = ("furniture", "body", "sapo", "date", "author")


@dataclass(frozen=True)
class HtmlWords:
    """patterns/html.yaml compiled: one regex per `class_words` list, plus the unanchored
    `sure_furniture` regex and the date <meta> keys."""

    classes: dict[str, re.Pattern[str]]
    sure_furniture: re.Pattern[str]
    date_meta: tuple[str, ...]


def _alternatives(path: Path, where: str, value: object) -> str:
    words = _strings(path, where, value)
    if not words:
        raise ValueError(f"{path}: {where}: empty list")
    alternatives = "|".join(words)
    try:
        re.compile(alternatives)
    except re.error as err:
        raise ValueError(f"{path}: {where}: {err}") from err
    return alternatives


@cache
def html_words() -> HtmlWords:
    path, raw = _read(HTML_FILE)
    _check_keys(path, "top level", raw, ("description", "class_words", "sure_furniture", "date_meta", "examples"))
    lists = _check_keys(path, "class_words", raw.get("class_words"), _CLASS_WORDS)
    missing = [k for k in _CLASS_WORDS if k not in lists]
    if missing:
        raise ValueError(f"{path}: class_words: missing list {missing[0]!r}")
    classes = {key: re.compile(rf"(^|[-_])({_alternatives(path, f'class_words.{key}', words)})($|[-_])", re.I)
               for key, words in lists.items()}
    sure = re.compile(_alternatives(path, "sure_furniture", raw.get("sure_furniture")), re.I)
    return HtmlWords(classes, sure, _strings(path, "date_meta", raw.get("date_meta")))


def class_words(kind: str) -> re.Pattern[str]:
    """The compiled `class_words.<kind>` list: 'furniture', 'body', 'sapo', 'date' or 'author'."""
    return html_words().classes[kind]


def name_matches(kind: str, name: str) -> bool:
    """Whether one class or id name is of `kind` (a `class_words` list, or 'sure_furniture')."""
    rx = html_words().sure_furniture if kind == "sure_furniture" else class_words(kind)
    return rx.search(name) is not None
