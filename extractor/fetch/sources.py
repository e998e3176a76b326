"""Where article URLs come from: URL files, sitemaps (and indexes), RSS/Atom feeds, listing pages.

The parsers here are pure (bytes in, links out); extractor.fetch.crawler does the fetching.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from bs4 import BeautifulSoup

from extractor.fetch.adapters import Adapter
from extractor.html import parse_date


@dataclass(frozen=True)
class Link:
    url: str
    date: str | None = None  # YYYY-MM-DD from a sitemap lastmod / news date or a feed pubDate
    via: str = "command line"


def read_url_file(path: str) -> list[str]:
    """One URL a line; blank lines and '#' comments ignored."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _xml(body: bytes) -> BeautifulSoup:
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz
        body = gzip.decompress(body)
    return BeautifulSoup(body, "xml")


def _text(node: object) -> str | None:
    text = node.get_text().strip() if node is not None else ""  # type: ignore[attr-defined]
    return text or None


def parse_sitemap(body: bytes, base: str) -> tuple[list[Link], list[str]]:
    """(article links, child sitemaps). Handles <urlset>, <sitemapindex> and Google News dates."""
    soup = _xml(body)
    children = [urljoin(base, loc) for s in soup.find_all("sitemap") if (loc := _text(s.find("loc")))]
    links = []
    for entry in soup.find_all("url"):
        loc = _text(entry.find("loc"))
        if not loc:
            continue
        when = _text(entry.find("publication_date")) or _text(entry.find("lastmod"))
        links.append(Link(urljoin(base, loc), parse_date(when), via=f"sitemap {base}"))
    return links, children


def parse_feed(body: bytes, base: str) -> list[Link]:
    """RSS 2.0 <item> and Atom <entry> links with their publication dates."""
    soup = _xml(body)
    links = []
    for item in soup.find_all("item"):
        url = _text(item.find("link")) or _text(item.find("guid"))
        if url:
            links.append(Link(urljoin(base, url), _rss_date(_text(item.find("pubDate"))), via=f"feed {base}"))
    for entry in soup.find_all("entry"):
        link = entry.find("link", rel="alternate") or entry.find("link")
        url = link.get("href") if link else None
        when = _text(entry.find("published")) or _text(entry.find("updated"))
        if url:
            links.append(Link(urljoin(base, url), parse_date(when), via=f"feed {base}"))
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
    url = urldefrag(urljoin(base, href.strip()))[0]
    return url if urlsplit(url).scheme in ("http", "https") else None


def _unique(urls: object) -> list[str]:
    seen: dict[str, None] = {}
    for url in urls:  # type: ignore[attr-defined]
        if url:
            seen.setdefault(url, None)
    return list(seen)
