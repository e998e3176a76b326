"""Where article URLs come from: URL files, sitemaps (and indexes), RSS/Atom feeds, listing pages.

The parsers here are pure (bytes in, links out); extractor.fetch.crawler does the fetching.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from bs4 import BeautifulSoup
from lxml import etree

from extractor.fetch.adapters import Adapter
from extractor.fetch.decoding import GZIP_MAGIC, DecodeError, TooLarge, gunzip_capped
from extractor.fetch.urls import join, url_problem
from extractor.html import parse_date

SITEMAP_MAX_BYTES = 50_000_000  # the sitemap protocol's limit, uncompressed
FEED_MAX_BYTES = 5_000_000


class SourceError(Exception):
    """A sitemap or feed that cannot be read: too large once decompressed (`skipped`, a limit's rule)
    or corrupt gzip (a failure)."""

    def __init__(self, reason: str, *, skipped: bool = False) -> None:
        super().__init__(reason)
        self.skipped = skipped


@dataclass(frozen=True)
class Link:
    url: str
    date: str | None = None  # YYYY-MM-DD from a sitemap lastmod / news date or a feed pubDate
    via: str = "command line"


def read_url_file(path: str) -> list[str]:
    """One URL a line; blank lines and '#' comments ignored."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _gunzipped(body: bytes, cap: int) -> bytes:
    if body[:2] != GZIP_MAGIC:  # sitemap.xml.gz served as it is, without Content-Encoding
        return body
    try:
        return gunzip_capped(body, cap)
    except TooLarge as error:
        raise SourceError(f"too large ({error})", skipped=True) from error
    except DecodeError as error:
        raise SourceError(str(error)) from error


def _xml(body: bytes, cap: int = FEED_MAX_BYTES) -> BeautifulSoup:
    return BeautifulSoup(_gunzipped(body, cap), "xml")


def _text(node: object) -> str | None:
    text = node.get_text().strip() if node is not None else ""  # type: ignore[attr-defined]
    return text or None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _entry(element: etree._Element) -> tuple[str | None, str | None]:
    """(loc, date) of a <url> or <sitemap>: the Google News publication date, else lastmod."""
    found: dict[str, str] = {}
    for node in element.iter():
        name = _local(node.tag)
        if name in ("loc", "lastmod", "publication_date") and name not in found:
            text = "".join(node.itertext()).strip()  # an unexpanded entity stays as its literal "&name;"
            if text:
                found[name] = text
    return found.get("loc"), found.get("publication_date") or found.get("lastmod")


_sitemap_date = lru_cache(maxsize=4096)(parse_date)  # a sitemap repeats a few dates many times


def parse_sitemap(body: bytes, base: str, max_bytes: int = SITEMAP_MAX_BYTES) -> tuple[list[Link], list[str]]:
    """(article links, child sitemaps). Handles <urlset>, <sitemapindex> and Google News dates.

    Streamed with lxml (a 50 MB sitemap is legal) and no entity expansion, DTD or network access:
    a hostile sitemap can neither read local files (XXE) nor multiply entities (billion laughs).
    Links are joined but not checked: the crawler skips bad ones with a reason."""
    xml = _gunzipped(body, max_bytes)
    links: list[Link] = []
    children: list[str] = []
    via = f"sitemap {base}"
    events = etree.iterparse(io.BytesIO(xml), events=("end",), tag=("{*}url", "{*}sitemap"),
                             resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    try:
        for _event, element in events:
            loc, when = _entry(element)
            if loc and _local(element.tag) == "sitemap":
                children.append(join(base, loc))
            elif loc:
                links.append(Link(join(base, loc), _sitemap_date(when) if when else None, via=via))
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # drop finished entries: memory stays flat
                del element.getparent()[0]
    except etree.XMLSyntaxError:
        pass  # what came before the broken part is kept
    return links, children


def parse_feed(body: bytes, base: str, max_bytes: int = FEED_MAX_BYTES) -> list[Link]:
    """RSS 2.0 <item> and Atom <entry> links with their publication dates (joined, not checked)."""
    soup = _xml(body, max_bytes)
    links = []
    for item in soup.find_all("item"):
        url = _text(item.find("link")) or _text(item.find("guid"))
        if url:
            links.append(Link(join(base, url), _rss_date(_text(item.find("pubDate"))), via=f"feed {base}"))
    for entry in soup.find_all("entry"):
        link = entry.find("link", rel="alternate") or entry.find("link")
        url = link.get("href") if link else None
        when = _text(entry.find("published")) or _text(entry.find("updated"))
        if isinstance(url, str) and url.strip():
            links.append(Link(join(base, url.strip()), parse_date(when), via=f"feed {base}"))
    return links


def _rss_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return parse_date(value)


_NEXT_TEXT = re.compile(r"^\s*(trang sau|tiếp|sau|next|下一页|下页|›|»|>>|>)\s*$", re.I)
_ARTICLE_PATH = re.compile(r"(\.s?html?$|\d{4,})")


def parse_listing(body: bytes, page_url: str, adapter: Adapter | None,
                  encoding: str | None = None) -> tuple[list[Link], str | None]:
    """(article links, next page) of a listing or tag page: the adapter's selectors, else heuristics."""
    from extractor.html import soup_of

    soup, _ = soup_of(body, encoding)
    anchors = soup.select(adapter.links) if adapter and adapter.links else []
    if not anchors:
        anchors = _generic_article_anchors(soup, page_url)
    links = _unique(_absolute(page_url, a.get("href")) for a in anchors)
    via = f"listing {page_url}"
    return [Link(u, via=via) for u in links if u != page_url], _next_page(soup, page_url, adapter)


def _generic_article_anchors(soup: BeautifulSoup, page_url: str) -> list:
    """Links that look like articles: same host, title-length text, an article-like path, outside menus."""
    for furniture in soup.find_all(["nav", "header", "footer", "aside", "script", "style"]):
        furniture.decompose()
    host = urlsplit(page_url).hostname
    found = []
    for anchor in soup.find_all("a", href=True):
        url = _absolute(page_url, anchor["href"])
        if not url or urlsplit(url).hostname != host:
            continue
        if len(anchor.get_text(" ", strip=True)) >= 12 and _ARTICLE_PATH.search(urlsplit(url).path):
            found.append(anchor)
    return found


def _next_page(soup: BeautifulSoup, page_url: str, adapter: Adapter | None) -> str | None:
    candidates = soup.select(adapter.next_page) if adapter and adapter.next_page else []
    candidates += soup.select("a[rel~=next], link[rel~=next]")
    candidates += [a for a in soup.find_all("a", href=True)
                   if _NEXT_TEXT.match(a.get_text(" ", strip=True))
                   or any("next" in c.lower() for c in a.get("class", []))]
    for candidate in candidates:
        url = _absolute(page_url, candidate.get("href"))
        if url and url != page_url:
            return url
    return None


def _absolute(base: str, href: object) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    if href.strip().lower().startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = join(base, href.strip())
    if url_problem(url):  # a malformed link on a listing page is no article link
        return None
    return urldefrag(url)[0]


def _unique(urls: object) -> list[str]:
    seen: dict[str, None] = {}
    for url in urls:  # type: ignore[attr-defined]
        if url:
            seen.setdefault(url, None)
    return list(seen)
