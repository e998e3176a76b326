"""Fetch articles into a corpus directory: discover URLs, fetch politely, parse, filter, store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from tqdm import tqdm

from extractor.fetch.adapters import Adapter, adapter_by_name, adapter_for
from extractor.fetch.http import FetchError, PoliteClient, Response
from extractor.fetch.sources import SITEMAP_MAX_BYTES, Link, SourceError, parse_feed, parse_listing, parse_sitemap
from extractor.fetch.store import Corpus, article_id, normalize_url
from extractor.fetch.topic import matches_topic
from extractor.fetch.urls import refused_by_rule, url_problem
from extractor.html import HtmlArticle, parse_html

HTML_TYPES = {"text/html", "application/xhtml+xml"}
MAX_SITEMAPS = 500  # a sitemap index can nest; stop following children after this many
MIN_BODY_CHARS = 80  # less than this after the title is a stub, a gallery or an error page


@dataclass
class Options:
    since: str | None = None  # YYYY-MM-DD, kept when published on or after it
    match: bool = False
    max_pages: int = 5
    outlet: str | None = None
    refresh: bool = False
    limit: int | None = None
    progress: bool = False


@dataclass
class Outcome:
    url: str
    status: str  # fetched | unchanged | known | skipped | failed
    reason: str = ""
    id: str | None = None


@dataclass
class Seeds:
    urls: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)


def _utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Crawler:
    client: PoliteClient
    corpus: Corpus
    options: Options
    timestamp: Callable[[], str] = _utc_now
    outcomes: list[Outcome] = field(default_factory=list)
    _stored_ids: set[str] = field(default_factory=set)

    # -- the whole run ------------------------------------------------------

    def run(self, seeds: Seeds) -> list[Outcome]:
        links = self.discover(seeds)
        if self.options.limit is not None:
            links = links[: self.options.limit]
        bar = tqdm(links, desc="fetch", unit="page", disable=not self.options.progress, leave=False)
        try:
            for link in bar:
                self.outcomes.append(self._fetch_or_fail(link))
                self.corpus.save_state()  # after each article: an interrupted run resumes from here
        finally:
            bar.close()
            self.corpus.save_state()
        return self.outcomes

    def _fetch_or_fail(self, link: Link) -> Outcome:
        """One URL's outcome; whatever goes wrong with it is its failure, never the end of the crawl."""
        try:
            return self.fetch_article(link)
        except Exception as error:  # a bug or an input nobody foresaw: recorded, and the crawl goes on
            return Outcome(link.url, "failed", f"unexpected error ({type(error).__name__}: {error})")

    # -- discovery ------------------------------------------------------------

    def discover(self, seeds: Seeds) -> list[Link]:
        links = [Link(u) for u in seeds.urls]  # checked when fetched: a bad one given by the user fails
        for url in seeds.sitemaps:
            links += self._checked(self._from_sitemaps(url))
        for url in seeds.feeds:
            links += self._checked(self._from_feed(url))
        for url in seeds.listings:
            links += self._checked(self._from_listing(url))
        return _unique_links(links)

    def _checked(self, links: list[Link]) -> list[Link]:
        """The discovered links that are fetchable URLs; each other one is skipped with its reason."""
        good = []
        for link in links:
            problem = url_problem(link.url)
            if problem:
                self.outcomes.append(Outcome(link.url, "skipped", f"{problem} in {link.via.split()[0]}"))
            else:
                good.append(link)
        return good

    def _index_page(self, url: str, max_bytes: int | None = None) -> Response | None:
        """Fetch a sitemap/feed/listing page; a failure is recorded and yields None."""
        try:
            response = self.client.get(url, max_bytes=max_bytes)
        except FetchError as error:
            self.outcomes.append(Outcome(url, "skipped" if error.skipped else "failed", error.reason))
            return None
        if response.status != 200:
            self.outcomes.append(Outcome(url, "failed", f"HTTP {response.status}"))
            return None
        return response

    def _from_sitemaps(self, url: str) -> list[Link]:
        problem = url_problem(url)
        if problem:
            self.outcomes.append(Outcome(url, "failed", problem))
            return []
        queue = self._sitemap_roots(url)
        seen: set[str] = set()
        links: list[Link] = []
        while queue and len(seen) < MAX_SITEMAPS:
            sitemap = queue.pop(0)
            if sitemap in seen:
                continue
            seen.add(sitemap)
            problem = url_problem(sitemap)
            if problem:
                self.outcomes.append(Outcome(sitemap, "skipped", f"{problem} in sitemap index"))
                continue
            response = self._index_page(sitemap, SITEMAP_MAX_BYTES)
            if response is None:
                continue
            try:
                found, children = parse_sitemap(response.body, response.url)
            except SourceError as error:
                self.outcomes.append(Outcome(sitemap, "skipped" if error.skipped else "failed", f"sitemap: {error}"))
                continue
            links += found
            queue += children
        return links

    def _sitemap_roots(self, url: str) -> list[str]:
        """A sitemap URL as given; a site root or robots.txt means the sitemaps robots.txt lists."""
        path = urlsplit(url).path
        if path not in ("", "/", "/robots.txt"):
            return [url]
        listed = self.client.robots_for(url).sitemaps
        origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        return listed or [origin + "/sitemap.xml"]

    def _from_feed(self, url: str) -> list[Link]:
        response = self._index_page(url)
        if response is None:
            return []
        try:
            return parse_feed(response.body, response.url)
        except SourceError as error:
            self.outcomes.append(Outcome(url, "skipped" if error.skipped else "failed", f"feed: {error}"))
            return []

    def _from_listing(self, url: str) -> list[Link]:
        adapter = self._adapter(url)
        links: list[Link] = []
        page: str | None = url
        visited: set[str] = set()
        while page and page not in visited and len(visited) < self.options.max_pages:
            visited.add(page)
            response = self._index_page(page)
            if response is None:
                break
            found, page = parse_listing(response.body, response.url, adapter, response.charset)
            links += found
        return links

    def _adapter(self, url: str) -> Adapter | None:
        return adapter_by_name(self.options.outlet) if self.options.outlet else adapter_for(url)

    # -- one article ------------------------------------------------------------

    def fetch_article(self, link: Link) -> Outcome:
        url = link.url
        problem = url_problem(url)
        if problem:
            return Outcome(url, "skipped" if refused_by_rule(problem) else "failed", problem)
        if self.options.since and link.date and link.date < self.options.since:
            source = link.via.split()[0]
            return Outcome(url, "skipped", f"published {link.date} (per {source}), before --since")
        record = self.corpus.record(url)
        if record and self.corpus.has_article(url) and not self.options.refresh:
            return Outcome(url, "known", "already fetched", record.get("id"))
        try:
            response = self.client.get(url, _conditional_headers(record if self.options.refresh else None))
        except FetchError as error:
            return Outcome(url, "skipped" if error.skipped else "failed", error.reason)
        if response.status == 304 and record:
            return Outcome(url, "unchanged", "not modified (304)", record.get("id"))
        if response.status != 200:
            return Outcome(url, "failed", f"HTTP {response.status}")
        if not _is_html(response):
            return Outcome(url, "skipped", f"not HTML ({response.content_type or 'unknown type'})")
        return self._keep_article(url, response)

    def _keep_article(self, url: str, response: Response) -> Outcome:
        adapter = self._adapter(response.url)
        article = parse_html(response.body, url=response.url, encoding_hint=response.charset,
                             selectors=adapter.article if adapter else None)
        article.url = _canonical(article.url, response.url)
        reason = self._filter(article)
        if reason:
            return Outcome(url, "skipped", reason)
        aid = article_id(article.url)
        owner = self.corpus.duplicate_of(article, aid) or (aid if aid in self._stored_ids else None)
        if owner:
            self.corpus.remember(url, id=owner)
            return Outcome(url, "skipped", f"duplicate of {owner}", owner)
        self.corpus.store(article, response.body, aid, self.timestamp())
        self._stored_ids.add(aid)
        validators = {"etag": response.headers.get("etag"),
                      "last_modified": response.headers.get("last-modified")}
        for alias in {url, response.url, article.url}:
            self.corpus.remember(alias, id=aid, fetched_at=self.timestamp(), **validators)
        return Outcome(url, "fetched", "", aid)

    def _filter(self, article: HtmlArticle) -> str | None:
        """Why the article is not kept (empty page, --since, --match), or None."""
        body = article.text.split("\n\n", 1)[1] if "\n\n" in article.text else ""
        if len(body) < MIN_BODY_CHARS:
            return "no article text found"
        since = self.options.since
        if since and not article.published:
            return "no published date (needed by --since)"
        if since and article.published and article.published < since:
            return f"published {article.published}, before --since"
        if self.options.match and not matches_topic(article.text, article.lang):
            return "not about blood donation (--match)"
        return None


def _conditional_headers(record: dict | None) -> dict[str, str]:
    headers = {}
    if record and record.get("etag"):
        headers["If-None-Match"] = record["etag"]
    if record and record.get("last_modified"):
        headers["If-Modified-Since"] = record["last_modified"]
    return headers


def _is_html(response: Response) -> bool:
    if response.content_type in HTML_TYPES:
        return True
    if response.content_type:
        return False
    head = response.body[:1024].lstrip().lower()  # no Content-Type: sniff
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head


def _canonical(declared: str | None, fetched: str) -> str:
    """The page's canonical URL unless it is a bare site root (broken templates point every page there)."""
    if declared and urlsplit(declared).path.strip("/"):
        return normalize_url(declared)
    return normalize_url(fetched)


def _unique_links(links: Iterable[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        try:
            key = normalize_url(link.url)
        except ValueError:  # a bad URL given on the command line: it fails later, alone
            key = link.url
        if key not in seen or (link.date and not seen[key].date):
            seen[key] = link if key not in seen else Link(seen[key].url, link.date, seen[key].via)
    return list(seen.values())


def summarize(outcomes: list[Outcome]) -> str:
    """Counts by status, skip reasons grouped, every failure with its URL."""
    counts = Counter(o.status for o in outcomes)
    head = (f"fetched {counts['fetched']}, unchanged {counts['unchanged'] + counts['known']}, "
            f"skipped {counts['skipped']}, failed {counts['failed']}")
    lines = [head]
    reasons = Counter(_reason_kind(o.reason) for o in outcomes if o.status == "skipped")
    lines += [f"  skipped {n}: {reason}" for reason, n in reasons.most_common()]
    lines += [f"  failed: {o.url}: {o.reason}" for o in outcomes if o.status == "failed"]
    return "\n".join(lines)


def _reason_kind(reason: str) -> str:
    """Group 'duplicate of X' / 'published 2023-01-02, before --since' under one line each."""
    if reason.startswith("duplicate of"):
        return "duplicate article"
    if reason.startswith("published"):
        return "published before --since"
    return reason
