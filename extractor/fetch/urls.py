"""URLs from untrusted places (command line, sitemaps, feeds, Location headers): checked before use,
joined without raising, and their paths normalised the way a server reads them (for robots.txt).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_SAFE_ASCII = _UNRESERVED | frozenset("!$&'()*+,;=:@/?%")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be fetched ('bad URL (...)' or 'not http/https (...)'), or None."""
    if not isinstance(url, str) or not url:
        return "bad URL (empty)"
    if _CONTROL.search(url):
        return "bad URL (control character)"  # a space in a path is fine: it is sent percent-encoded
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"bad URL ({error})"
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return f"not http/https ({scheme or 'no scheme'})"
    if not parts.hostname:
        return "bad URL (no host)"
    if " " in parts.netloc:
        return "bad URL (space in host)"
    if port == 0:
        return "bad URL (port 0)"
    return None


def refused_by_rule(problem: str) -> bool:
    """A scheme we do not fetch is a rule (the URL is skipped); a malformed URL is a failure."""
    return problem.startswith("not http/https")


def join(base: str, href: str) -> str:
    """urljoin that never raises: a reference it cannot join is returned as it is, for url_problem to name."""
    if href.startswith(("http://", "https://")):
        return href  # already absolute (as sitemaps must be): spare urljoin, which is slow
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _percent_normalised(text: str) -> str:
    """RFC 3986 6.2.2: %XX of unreserved characters decoded, other %xx upper-cased, non-ASCII encoded."""
    text = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED
                        else f"%{m.group(1).upper()}", text)
    return "".join(c if c in _SAFE_ASCII else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if path.endswith(("/.", "/..")):
        output.append("")
    joined = "/".join(output)
    return joined if joined.startswith("/") else "/" + joined


def normalised_path(url: str, *, as_lenient_server: bool = False) -> str:
    """Path and query as the server resolves them: '/./private/a', '/x/../private/a' and '//private/a'
    all become '/private/a'. `as_lenient_server`: also as a server that decodes %2F and reads a
    backslash as a slash ('/%2Fprivate/a', '/\\private/a')."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if as_lenient_server:
        path = re.sub(r"%2[Ff]|%5[Cc]|\\", "/", path)
    path = _percent_normalised(path)
    path = remove_dot_segments(re.sub(r"/{2,}", "/", path))
    return path + (f"?{_percent_normalised(parts.query)}" if parts.query else "")
