"""robots.txt (RFC 9309) through protego: groups for one agent merged, longest match, `*` and `$`,
common typos (useragent, dissallow), fractional Crawl-delay, Sitemap lines.

Paths are matched as the server will resolve them (dot segments removed, `//` collapsed,
percent-encoding normalised), as a lenient server would (%2F and backslash as `/`), and as written:
a URL is allowed only when all three are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from protego import Protego

from extractor.fetch.urls import normalised_path

ROBOTS_PATH = "/robots.txt"


@dataclass
class Robots:
    rules: Protego | None = None  # None: no rules, everything allowed
    unreachable: str | None = None  # why robots.txt could not be read: then nothing is fetched there
    sitemaps: list[str] = field(default_factory=list)

    @classmethod
    def allow_all(cls) -> Robots:
        return cls()

    @classmethod
    def unreachable_because(cls, reason: str) -> Robots:
        return cls(unreachable=reason)

    def allowed(self, url: str, agent: str) -> bool:
        if self.unreachable is not None:
            return False
        normalised = normalised_path(url)
        if normalised == ROBOTS_PATH or self.rules is None:
            return True
        candidates = {normalised, normalised_path(url, as_lenient_server=True), _raw_path(url)}
        return all(self.rules.can_fetch(path, agent) for path in candidates)  # disallowed in any reading: refused

    def crawl_delay(self, agent: str) -> float | None:
        """The Crawl-delay of the agent's group; a non-finite or negative one is no delay."""
        if self.rules is None:
            return None
        delay = self.rules.crawl_delay(agent)
        return float(delay) if delay is not None and math.isfinite(delay) and delay >= 0 else None


def _raw_path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    path = rest[slash:] if slash >= 0 else "/"
    return path.split("#", 1)[0] or "/"


def parse_robots(text: str) -> Robots:
    text = text.removeprefix("\ufeff")  # a BOM before the first line would hide its User-agent
    rules = Protego.parse(text)
    return Robots(rules=rules, sitemaps=[s for s in rules.sitemaps if s])
