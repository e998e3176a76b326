"""Article metadata from a parsed page: title, published date, author, source, canonical URL, language.

Each field tries the outlet's selector first (patterns/outlets.yaml), then what pages declare for
machines (<meta>, JSON-LD, <time>), then what readers see (the <title> parts, elements classed like
a date or a byline, words in patterns/html.yaml), since small outlets often declare nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from extractor.html.decoding import squash
from extractor.html.selectors import ArticleSelectors, class_words, html_words
from extractor.language import detect_language

__all__ = ["author", "canonical_url", "date_from_url", "declared_lang", "guess_lang", "json_ld", "parse_date",
           "published", "published_text", "source", "title"]


def _meta(soup: BeautifulSoup, *keys: str) -> str | None:
    """First non-empty <meta> content whose property/name/itemprop is one of `keys` (case-insensitive)."""
    wanted = {k.lower() for k in keys}
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        content = (tag.get("content") or "").strip()
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (tag.get(attr) or "").strip().lower()
            if key in wanted and content and key not in found:
                found[key] = content
    return next((found[k.lower()] for k in keys if k.lower() in found), None)


def json_ld(soup: BeautifulSoup) -> list[dict]:
    """Every JSON-LD object of the page, @graph members included (broken scripts skipped)."""
    objects: list[dict] = []
    for script in soup.find_all("script", type=re.compile("ld\\+json", re.I)):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError, RecursionError):  # RecursionError: arrays nested beyond any real page
            continue
        objects.extend(_flatten_ld(data))
    return objects


def _flatten_ld(data: object) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item)
    elif isinstance(data, dict):
        yield data
        yield from _flatten_ld(data.get("@graph", []))


def _ld_value(objects: list[dict], key: str) -> str | None:
    for obj in objects:
        value = obj.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


# ---------------------------------------------------------------- dates

_YMD = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/._年]\s*(\d{1,2})\s*[-/._月]\s*(\d{1,2})(?!\d)")
_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*((?:19|20)\d{2})(?!\d)")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-/_]?(0[1-9]|1[0-2])[-/_]?(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_DATE_SPLIT = re.compile(r"(?<!\d)((?:19|20)\d{2})-(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?!\d)")


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def parse_date(text: str | None) -> str | None:
    """A date in free text ('2023-12-21T10:00', '2023年12月21日', '11/01/2025 10:30') -> 'YYYY-MM-DD'."""
    if not text:
        return None
    for match in _YMD.finditer(text):
        found = _iso(*match.groups())
        if found:
            return found
    for match in _DMY.finditer(text):
        day, month, year = match.groups()
        found = _iso(year, month, day)
        if found:
            return found
    return None


def date_from_url(url: str | None) -> str | None:
    """The date many CMSes put in article paths (/2023/12/21/, /2023-12/21/, /t20231221_1.html)."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in (_URL_DATE_SPLIT, _URL_DATE):
        for match in pattern.finditer(path):
            found = _iso(*match.groups())
            if found:
                return found
    return None


def _date_candidates(soup: BeautifulSoup, ld: list[dict], sel: ArticleSelectors | None) -> list[str | None]:
    """Where a page states its date, most trusted first: selector, <meta>, JSON-LD, <time>."""
    candidates: list[str | None] = []
    if sel and sel.date:
        candidates += [_element_date(el) for el in soup.select(sel.date)]
    candidates += [_meta(soup, *html_words().date_meta), _ld_value(ld, "datePublished"),
                   _ld_value(ld, "dateCreated")]
    candidates += [t.get("datetime") or t.get_text(" ") for t in soup.find_all("time")]
    return candidates


def published(soup: BeautifulSoup, ld: list[dict], url: str | None, sel: ArticleSelectors | None) -> str | None:
    """The publication date: selector, <meta>, JSON-LD, <time>, the URL, then a visible date."""
    for value in _date_candidates(soup, ld, sel):
        found = parse_date(value)
        if found:
            return found
    return date_from_url(url) or _visible_date(soup)


def published_text(soup: BeautifulSoup, ld: list[dict], sel: ArticleSelectors | None) -> str | None:
    """The page's own words for its date, for `extractor.published`: those `published` read its day
    from (a timestamp keeps its time and zone), else the first short ones in the same places or in an
    element classed like a date ("3 giờ trước", "Thứ Hai, 1 tháng 12, 2026")."""
    date_class = class_words("date")
    candidates = _date_candidates(soup, ld, sel) + [
        el.get_text(" ") for el in soup.find_all(True, class_=True)
        if any(date_class.search(c) for c in el.get("class", []))]
    # A byline, not a paragraph that happens to be classed "date".
    short = [text for text in (squash(value or "") for value in candidates) if 0 < len(text) <= 80]
    return next((text for text in short if parse_date(text)), short[0] if short else None)


def _element_date(el: Tag) -> str:
    return str(el.get("datetime") or el.get("content") or el.get_text(" "))


def _visible_date(soup: BeautifulSoup) -> str | None:
    """Last resort: the first element classed like a date whose text holds one."""
    date_class = class_words("date")
    for el in soup.find_all(True, class_=True):
        if any(date_class.search(c) for c in el.get("class", [])):
            found = parse_date(el.get_text(" "))
            if found:
                return found
    return None


# ---------------------------------------------------------------- title, author, source, URL

# Site-name separators: " - ", " | ", "_", and a bare "-" between Chinese characters ("漯河日报-标题").
_TITLE_SPLIT = re.compile(r"\s+[-|–—]\s+|_|\s*\|\s*|(?<=[\u4e00-\u9fff])[-—](?=[\u4e00-\u9fff“《])")


def _clean_title(value: str) -> str:
    parts = [p.strip() for p in _TITLE_SPLIT.split(value) if p.strip()]
    return max(parts, key=len) if parts else value.strip()


def title(soup: BeautifulSoup, sel: ArticleSelectors | None) -> str | None:
    """The headline: selector, else the <h1> that agrees with og:title/<title>, else <title> without
    the site name."""
    if sel and sel.title:
        el = soup.select_one(sel.title)
        if el and squash(el.get_text(" ")):
            return squash(el.get_text(" "))
    page_title = _meta(soup, "og:title", "ArticleTitle", "twitter:title") or (
        soup.title.get_text() if soup.title else "")
    headings = [squash(h.get_text(" ")) for h in soup.find_all("h1")]
    headings = [h for h in headings if len(h) >= 8]
    for heading in headings:
        if heading in page_title or _clean_title(page_title) in heading:
            return heading
    if page_title.strip():
        return _clean_title(page_title)
    return headings[0] if headings else None


def author(soup: BeautifulSoup, ld: list[dict], sel: ArticleSelectors | None) -> str | None:
    """The byline: selector, <meta>, JSON-LD, else a short element classed like an author."""
    if sel and sel.author:
        el = soup.select_one(sel.author)
        if el and squash(el.get_text(" ")):
            return squash(el.get_text(" "))
    value = _meta(soup, "author", "article:author", "dc.creator", "Author")
    if value and not value.startswith("http"):
        return value
    value = _ld_value([o for o in ld if "author" in o], "author")
    if value:
        return value
    author_class = class_words("author")
    for el in soup.find_all(True, class_=True):
        if any(author_class.search(c) for c in el.get("class", [])):
            text = squash(el.get_text(" "))
            if 0 < len(text) <= 60:
                return text
    return None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def source(soup: BeautifulSoup, ld: list[dict], url: str | None, sel: ArticleSelectors | None) -> str | None:
    """The outlet's name: og:site_name, JSON-LD publisher, the outlet table, <title>, else the host."""
    publisher = _ld_value([o.get("publisher") for o in ld if isinstance(o.get("publisher"), dict)], "name")
    return (_meta(soup, "og:site_name", "SiteName", "application-name") or publisher
            or (sel.source if sel else None) or _title_site_name(soup) or _host(url))


def _title_site_name(soup: BeautifulSoup) -> str | None:
    """The outlet part of '<title>Headline - Outlet</title>' (or 'Outlet-标题'): the last part that
    is not the headline."""
    page_title = soup.title.get_text() if soup.title else ""
    parts = [p.strip() for p in _TITLE_SPLIT.split(page_title) if p.strip()]
    if len(parts) < 2:
        return None
    headline = max(parts, key=len)
    others = [p for p in parts if p != headline and len(p) <= 40]
    return others[-1] if others else None


def canonical_url(soup: BeautifulSoup, url: str | None) -> str | None:
    """<link rel=canonical> or og:url (absolute, http(s) only), else the URL the page came from."""
    link = soup.select_one("link[rel~=canonical], link[rel~=Canonical]")
    href = (link.get("href") if link else None) or _meta(soup, "og:url")
    if href:
        try:
            href = urljoin(url or "", href.strip())
            if urlsplit(href).scheme in ("http", "https"):
                return href
        except ValueError:  # "http://[oops/x": not a URL; the page is still readable without it
            pass
    return url


# ---------------------------------------------------------------- language

def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().replace("_", "-")
    if value.startswith("vi"):
        return "vi"
    if value.startswith("zh") or value in ("cn", "chinese"):
        return "zh"
    return None


def guess_lang(text: str) -> str | None:
    """'zh' / 'vi' from the script of the text (pages without a lang attribute). One detector for the
    whole tool: extractor.language's counts, with the lower thresholds of short evidence."""
    return detect_language(text, evidence="short").lang


def declared_lang(soup: BeautifulSoup) -> str | None:
    """The language the page declares (<html lang>, xml:lang, content-language/og:locale), if vi or zh.
    Read it before main_text, which strips <meta>."""
    html = soup.find("html")
    declared = [html.get("lang") if html else None, html.get("xml:lang") if html else None,
                _meta(soup, "content-language", "language", "og:locale")]
    return next((code for code in map(_lang_code, declared) if code), None)
