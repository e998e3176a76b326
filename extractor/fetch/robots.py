"""robots.txt (RFC 9309): groups per user agent, longest-match Allow/Disallow with `*` and `$`,
Crawl-delay (fractional allowed) and Sitemap lines.

Our own parser rather than urllib.robotparser, which takes the first matching rule instead of the
longest one and reads Crawl-delay as an integer only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)
    rules: list[tuple[bool, str]] = field(default_factory=list)  # (allow, path pattern)
    crawl_delay: float | None = None


@dataclass
class Robots:
    groups: list[_Group] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    deny_all: bool = False  # robots.txt unreachable (5xx, network): crawl nothing on that host

    @classmethod
    def allow_all(cls) -> Robots:
        return cls()

    @classmethod
    def disallow_all(cls) -> Robots:
        return cls(deny_all=True)

    def _group_for(self, agent: str) -> _Group | None:
        product = agent.lower().split("/", 1)[0].strip()  # "BadBot/1.0" -> "badbot"
        specific = [g for g in self.groups if product in g.agents]
        if specific:
            return specific[0]
        return next((g for g in self.groups if "*" in g.agents), None)

    def allowed(self, url: str, agent: str) -> bool:
        if self.deny_all:
            return False
        parts = urlsplit(url)
        path = unquote(parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if path == "/robots.txt":
            return True
        group = self._group_for(agent)
        if group is None:
            return True
        best: tuple[int, bool] | None = None  # (pattern length, allow): longest match wins, allow on ties
        for allow, pattern in group.rules:
            if pattern and _rule_regex(pattern).match(path):
                candidate = (len(pattern), allow)
                if best is None or candidate > best:
                    best = candidate
        return True if best is None else best[1]

    def crawl_delay(self, agent: str) -> float | None:
        group = self._group_for(agent)
        return group.crawl_delay if group else None


def _rule_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = re.escape(unquote(pattern.rstrip("$"))).replace(r"\*", ".*")
    return re.compile(body + ("$" if anchored else ""))


def parse_robots(text: str) -> Robots:
    robots = Robots()
    group: _Group | None = None
    in_agents = False  # consecutive User-agent lines share one group
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if group is None or not in_agents:
                group = _Group()
                robots.groups.append(group)
            group.agents.append(value.lower())
            in_agents = True
            continue
        in_agents = False
        if key == "sitemap" and value:
            robots.sitemaps.append(value)
        elif group is None:
            continue
        elif key in ("allow", "disallow"):
            group.rules.append((key == "allow", value))
        elif key == "crawl-delay":
            group.crawl_delay = _float(value)
    return robots


def _float(value: str) -> float | None:
    try:
        delay = float(value)
    except ValueError:
        return None
    return delay if delay >= 0 else None
