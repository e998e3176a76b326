"""A polite HTTP client: robots.txt, per-host delay, retries with backoff, capped redirects and size.

Time goes through a `Clock` so tests can check delays and Retry-After without waiting for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urljoin, urlsplit

import requests

from extractor.fetch.robots import Robots, parse_robots

RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class Clock(Protocol):
    def now(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class RealClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class FetchError(Exception):
    """A URL that could not be fetched; `skipped` marks a refusal by policy rather than a failure."""

    def __init__(self, reason: str, *, skipped: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.skipped = skipped


@dataclass
class Response:
    url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


@dataclass
class Policy:
    user_agent: str
    robots_agent: str = "extractor-fetch"  # token matched against robots.txt User-agent lines
    delay: float = 1.0  # seconds between requests to one host (Crawl-delay wins when longer)
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 1.0  # first retry wait; doubles each time
    max_retry_after: float = 300.0  # a longer Retry-After gives up instead of stalling the crawl
    max_redirects: int = 5
    max_bytes: int = 5_000_000


@dataclass
class PoliteClient:
    policy: Policy
    clock: Clock = field(default_factory=RealClock)
    session: requests.Session = field(default_factory=requests.Session)
    log: list[tuple[float, str]] = field(default_factory=list)  # (clock time, URL) of every request sent
    _robots: dict[str, Robots] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)

    # -- public -----------------------------------------------------------

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET following redirects by hand, so every hop is checked for scheme and robots.txt."""
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            self._check_allowed(current)
            response = self._get_with_retries(current, headers or {})
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without Location")
            current = urljoin(current, location)
        raise FetchError(f"too many redirects (> {self.policy.max_redirects})")

    def robots_for(self, url: str) -> Robots:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    # -- checks -----------------------------------------------------------

    def _check_allowed(self, url: str) -> None:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"not http/https ({scheme or 'no scheme'})", skipped=True)
        if not self.robots_for(url).allowed(url, self.policy.robots_agent):
            raise FetchError("disallowed by robots.txt", skipped=True)

    def _load_robots(self, origin: str) -> Robots:
        """RFC 9309: 4xx means no rules; 5xx or no answer means crawl nothing there."""
        try:
            response = self._get_with_retries(origin + "/robots.txt", {})
            hops = 0
            while response.status in REDIRECT_STATUSES and hops < self.policy.max_redirects:
                hops += 1
                target = urljoin(response.url, response.headers.get("location", ""))
                response = self._get_with_retries(target, {})
        except FetchError:
            return Robots.disallow_all()
        if 400 <= response.status < 500:
            return Robots.allow_all()
        if response.status != 200:
            return Robots.disallow_all()
        return parse_robots(response.body.decode("utf-8", errors="replace"))

    # -- requests ---------------------------------------------------------

    def _get_with_retries(self, url: str, headers: dict[str, str]) -> Response:
        attempt = 0
        while True:
            try:
                response = self._send(url, headers)
            except (requests.ConnectionError, requests.Timeout) as error:
                if attempt >= self.policy.retries:
                    raise FetchError(f"network error: {type(error).__name__}") from error
                self.clock.sleep(self._backoff(attempt))
                attempt += 1
                continue
            if response.status not in RETRY_STATUSES:
                return response
            if attempt >= self.policy.retries:
                raise FetchError(f"HTTP {response.status} after {attempt + 1} attempts")
            wait = max(self._backoff(attempt), _retry_after(response.headers.get("retry-after")) or 0.0)
            if wait > self.policy.max_retry_after:
                raise FetchError(f"HTTP {response.status}: Retry-After {wait:.0f}s is too long")
            self.clock.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return self.policy.backoff * (2**attempt)

    def _send(self, url: str, headers: dict[str, str]) -> Response:
        host = self._wait_for_host(url)
        self.log.append((self.clock.now(), url))
        request_headers = {"User-Agent": self.policy.user_agent, "Accept": "text/html,application/xhtml+xml,"
                           "application/xml;q=0.9,*/*;q=0.5", **headers}
        try:
            with self.session.get(url, headers=request_headers, timeout=self.policy.timeout,
                                  allow_redirects=False, stream=True) as raw:
                names = {k.lower(): v for k, v in raw.headers.items()}
                body = b"" if raw.status_code in REDIRECT_STATUSES else self._read_capped(raw, names)
                return Response(url=url, status=raw.status_code, headers=names, body=body)
        finally:
            # The delay runs from the end of one request to the start of the next: the host never
            # sees two requests closer than `delay`, however slow the first one was.
            self._last_request[host] = self.clock.now()

    def _read_capped(self, raw: requests.Response, headers: dict[str, str]) -> bytes:
        cap = self.policy.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(f"too large ({declared} bytes > {cap})", skipped=True)
        chunks, size = [], 0
        for chunk in raw.iter_content(64 * 1024):
            size += len(chunk)
            if size > cap:
                raise FetchError(f"too large (> {cap} bytes)", skipped=True)
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_for_host(self, url: str) -> str:
        """Sleep so two requests to one host are at least `delay` (or a longer Crawl-delay) apart."""
        host = (urlsplit(url).hostname or "").lower()  # http:// and https:// of a host are one server
        delay = self.policy.delay
        robots = self._robots.get(_origin(url))
        crawl_delay = robots.crawl_delay(self.policy.robots_agent) if robots else None
        if crawl_delay is not None:
            delay = max(delay, crawl_delay)
        last = self._last_request.get(host)
        if last is not None:
            self.clock.sleep(last + delay - self.clock.now())
        return host


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
