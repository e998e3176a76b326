"""A polite, guarded HTTP client: robots.txt, per-host delay, retries with backoff, capped redirects,
only public addresses (or allowed ones) at every hop, and every request bounded in bytes and time.

Waits between requests go through a `Clock` so tests can check delays and Retry-After without
waiting for them; the per-request deadline is wall time (extractor.fetch.transport.Watchdog).
"""

from __future__ import annotations

import http.client
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from extractor.fetch.addresses import AddressGuard, AddressRefused, UnresolvableHost
from extractor.fetch.decoding import CHUNK, CappedDecoder, DecodeError, TooLarge
from extractor.fetch.robots import ROBOTS_PATH, Robots, parse_robots
from extractor.fetch.transport import GuardedAdapter, Watchdog, send_once
from extractor.fetch.urls import join, refused_by_rule, url_problem

RETRY_STATUSES = {429, 500, 502, 503, 504}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least the first 500 KiB; the rest is dropped


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


class _Transient(FetchError):
    """A network error worth retrying (connection refused or reset, a read timing out)."""


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
    timeout: float = 20.0  # wall-time deadline of one request: connect, headers and the whole body
    retries: int = 3
    backoff: float = 1.0  # first retry wait; doubles each time
    max_retry_after: float = 300.0  # a longer Retry-After gives up instead of stalling the crawl
    max_crawl_delay: float = 60.0  # a longer Crawl-delay is waited this long instead (and said so)
    max_redirects: int = 5
    max_bytes: int = 5_000_000  # per response, downloaded and once decompressed


@dataclass
class PoliteClient:
    policy: Policy
    clock: Clock = field(default_factory=RealClock)
    session: requests.Session = field(default_factory=requests.Session)
    guard: AddressGuard = field(default_factory=AddressGuard)
    log: list[tuple[float, str]] = field(default_factory=list)  # (clock time, URL) of every request sent
    notes: list[str] = field(default_factory=list)  # things the user should know (a Crawl-delay capped)
    announce: Callable[[str], None] | None = None  # told each note as it happens (a long wait is explained)
    _robots: dict[str, Robots] = field(default_factory=dict)
    _last_request: dict[str, float] = field(default_factory=dict)
    _watchdog: Watchdog = field(default_factory=Watchdog)

    def __post_init__(self) -> None:
        adapter = GuardedAdapter(self.guard, self._watchdog)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    # -- public -----------------------------------------------------------

    def get(self, url: str, headers: dict[str, str] | None = None, *, max_bytes: int | None = None) -> Response:
        """GET following redirects by hand, so every hop is checked: URL, scheme, address, robots.txt."""
        return self._follow(url, headers or {}, max_bytes or self.policy.max_bytes, check_robots=True)

    def robots_for(self, url: str) -> Robots:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    # -- checks -----------------------------------------------------------

    def _follow(self, url: str, headers: dict[str, str], max_bytes: int, *, check_robots: bool,
                truncate: bool = False) -> Response:
        current = url
        for hop in range(self.policy.max_redirects + 1):
            try:
                self._check_target(current)
                if check_robots:
                    self._check_robots(current)
            except FetchError as error:
                if hop:
                    error.reason = f"{error.reason} (redirected to {current})"
                raise
            response = self._get_with_retries(current, headers, max_bytes, truncate)
            if response.status not in REDIRECT_STATUSES:
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"HTTP {response.status} redirect without Location")
            current = join(current, location.strip())
        raise FetchError(f"too many redirects (> {self.policy.max_redirects})")

    def _check_target(self, url: str) -> None:
        """A well-formed http(s) URL whose host is, and resolves only to, addresses we may connect to."""
        problem = url_problem(url)
        if problem:
            raise FetchError(problem, skipped=refused_by_rule(problem))
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            self.guard.addresses(parts.hostname or "", port)
        except AddressRefused as error:
            raise FetchError(error.reason, skipped=True) from error
        except UnresolvableHost as error:
            raise FetchError(error.reason) from error

    def _check_robots(self, url: str) -> None:
        robots = self.robots_for(url)
        if robots.unreachable is not None:
            raise FetchError(f"robots.txt unreachable ({robots.unreachable}): nothing fetched from {_origin(url)}")
        if not robots.allowed(url, self.policy.robots_agent):
            raise FetchError("disallowed by robots.txt", skipped=True)

    def _load_robots(self, origin: str) -> Robots:
        """RFC 9309: 4xx means no rules; 5xx or no answer means crawl nothing there."""
        try:
            response = self._follow(origin + ROBOTS_PATH, {}, ROBOTS_MAX_BYTES, check_robots=False, truncate=True)
        except FetchError as error:
            return Robots.unreachable_because(error.reason)
        if 400 <= response.status < 500:
            return Robots.allow_all()
        if not 200 <= response.status < 300:
            return Robots.unreachable_because(f"HTTP {response.status}")
        return parse_robots(response.body.decode("utf-8", errors="replace"))

    # -- requests ---------------------------------------------------------

    def _get_with_retries(self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool) -> Response:
        attempt = 0
        while True:
            try:
                response = self._send(url, headers, max_bytes, truncate)
            except _Transient:
                if attempt >= self.policy.retries:
                    raise
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

    def _send(self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool) -> Response:
        host = self._wait_for_host(url)
        self.log.append((self.clock.now(), url))
        request_headers = {"User-Agent": self.policy.user_agent, "Accept": "text/html,application/xhtml+xml,"
                           "application/xml;q=0.9,*/*;q=0.5", "Accept-Encoding": "gzip, deflate", **headers}
        timeout = self.policy.timeout
        self._watchdog.start(timeout)
        try:
            with send_once(self.session, url, request_headers, timeout) as raw:
                names = {k.lower(): v for k, v in raw.headers.items()}
                body = b"" if raw.status_code in REDIRECT_STATUSES else self._read_capped(
                    raw, names, max_bytes, truncate)
                return Response(url=url, status=raw.status_code, headers=names, body=body)
        except FetchError:
            raise
        except AddressRefused as error:  # the connection-level guard (normally _check_target refuses first)
            raise FetchError(error.reason, skipped=True) from error
        except UnresolvableHost as error:
            raise FetchError(error.reason) from error
        except Exception as error:  # every failure of one request becomes that URL's failure
            raise self._failure(error) from error
        finally:
            self._watchdog.stop()
            # The delay runs from the end of one request to the start of the next: the host never
            # sees two requests closer than `delay`, however slow the first one was.
            self._last_request[host] = self.clock.now()

    def _failure(self, error: Exception) -> FetchError:
        if self._watchdog.fired:
            return FetchError(f"timed out: no complete response within {self.policy.timeout:g}s")
        if isinstance(error, requests.Timeout | requests.ConnectionError | urllib3.exceptions.ReadTimeoutError):
            return _Transient(f"network error: {type(error).__name__}")
        if isinstance(error, TooLarge):
            return FetchError(f"too large ({error})", skipped=True)
        if isinstance(error, DecodeError):
            return FetchError(f"bad Content-Encoding: {error}")
        if isinstance(error, urllib3.exceptions.HTTPError | http.client.HTTPException | requests.RequestException
                      | OSError | ValueError):
            return FetchError(f"broken response ({_describe(error)})")
        return FetchError(f"unexpected error ({_describe(error)})")

    def _read_capped(self, raw: requests.Response, headers: dict[str, str], cap: int, truncate: bool) -> bytes:
        """The body, decompressed; at most `cap` bytes downloaded and `cap` decoded (the rest cut off
        when `truncate`, else the response is refused as too large)."""
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > cap and not truncate:
            raise FetchError(f"too large ({declared} bytes > {cap})", skipped=True)
        decoder = CappedDecoder(headers.get("content-encoding", "").split(","), cap)
        chunks, downloaded, decoded = [], 0, 0
        for chunk in raw.raw.stream(CHUNK, decode_content=False):
            downloaded += len(chunk)
            if downloaded > cap and not truncate:
                raise FetchError(f"too large (> {cap} bytes)", skipped=True)
            try:
                part = decoder.feed(chunk)
            except TooLarge:
                if not truncate:
                    raise
                break
            chunks.append(part)
            decoded += len(part)
            if self._watchdog.fired:
                break
            if truncate and (downloaded >= cap or decoded >= cap):
                break
        else:
            decoder.finish()
        if self._watchdog.fired:  # the socket was shut down under us: what came is not the whole body
            raise FetchError(f"timed out: no complete response within {self.policy.timeout:g}s")
        return b"".join(chunks)[:cap]

    def _wait_for_host(self, url: str) -> str:
        """Sleep so two requests to one host are at least `delay` (or a longer Crawl-delay) apart."""
        host = (urlsplit(url).hostname or "").lower()  # http:// and https:// of a host are one server
        delay = max(self.policy.delay, self._crawl_delay(url) or 0.0)
        last = self._last_request.get(host)
        if last is not None:
            self.clock.sleep(last + delay - self.clock.now())
        return host

    def _crawl_delay(self, url: str) -> float | None:
        origin = _origin(url)
        robots = self._robots.get(origin)
        asked = robots.crawl_delay(self.policy.robots_agent) if robots else None
        if asked is None or asked <= self.policy.max_crawl_delay:
            return asked
        note = (f"{origin}/robots.txt asks Crawl-delay {asked:g}s; waiting {self.policy.max_crawl_delay:g}s "
                f"(the cap)")
        if note not in self.notes:
            self.notes.append(note)
            if self.announce:
                self.announce(note)
        return self.policy.max_crawl_delay


def _origin(url: str) -> str:
    """scheme://host[:port] (no user info): robots.txt and its rules belong to one origin."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}" + (f":{parts.port}" if parts.port else "")


def _describe(error: BaseException) -> str:
    """'Name: message' of the innermost cause: urllib3 wraps the telling error (InvalidChunkLength,
    IncompleteRead) in a ProtocolError whose text repeats it."""
    for _ in range(5):
        inner = next((a for a in reversed(error.args) if isinstance(a, BaseException)), None)
        if inner is None:
            break
        error = inner
    name = type(error).__name__
    text = " ".join(str(error).split())
    if text.startswith(f"{name}(") and text.endswith(")"):  # str() that is a repr: IncompleteRead(26 bytes ...)
        text = text[len(name) + 1:-1]
    return f"{name}: {text[:160]}" + ("…" if len(text) > 160 else "")


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if not math.isnan(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)
