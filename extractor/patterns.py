"""Rule patterns kept as data: `patterns/<lang>/<dimension>.yaml`.

Every file has the same frame:

    lang: vi | zh
    dimension: figures | dates | places | status | furniture | topic | ...
    description: what the rules are for
    fragments: {NAME: regex}        # optional; `{NAME}` in any pattern is replaced by the fragment
    rules: [{name: ..., pattern: regex, ...dimension-specific keys}]
    examples: [{text: ..., expect: ...}]   # positives and negatives, run by tests/test_pattern_examples.py

The engine modules register a checker per dimension (`register_example_checker`) that runs one
example through the real extraction code, so a rule file and its examples can never drift apart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
import yaml

PATTERNS_ENV = "EXTRACTOR_PATTERNS"
_FRAGMENT_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def patterns_dir() -> Path:
    """The `patterns/` directory: $EXTRACTOR_PATTERNS, else the one beside the package (repo layout)."""
    env = os.environ.get(PATTERNS_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "patterns"


@dataclass
class PatternFile:
    lang: str
    dimension: str
    path: Path
    description: str
    fragments: dict[str, str]
    rules: list[dict[str, Any]]
    examples: list[dict[str, Any]]
    data: dict[str, Any] = field(default_factory=dict)  # any other top-level keys (word lists, tables)

    def expand(self, pattern: str) -> str:
        """Replace `{NAME}` fragment references, recursively (fragments may use fragments)."""
        for _ in range(10):
            new = _FRAGMENT_REF.sub(lambda m: self._fragment(m.group(1)), pattern)
            if new == pattern:
                return new
            pattern = new
        raise ValueError(f"{self.path}: fragment references nest too deep in {pattern!r}")

    def _fragment(self, name: str) -> str:
        if name not in self.fragments:
            raise KeyError(f"{self.path}: unknown fragment {{{name}}}")
        return f"(?:{self.fragments[name]})"

    def compile(self, pattern: str, flags: int = 0) -> regex.Pattern[str]:
        # `regex` rather than `re`: rules need variable-width look-behind ("(?<=tăng\s+)").
        return regex.compile(self.expand(pattern), flags | regex.VERSION0)

    def compiled_rules(self, flags: int = 0) -> list[tuple[dict[str, Any], regex.Pattern[str]]]:
        return [(rule, self.compile(rule["pattern"], flags)) for rule in self.rules if "pattern" in rule]

    def word_list(self, key: str) -> list[str]:
        return list(self.data.get(key) or [])


@cache
def load(lang: str, dimension: str) -> PatternFile:
    path = patterns_dir() / lang / f"{dimension}.yaml"
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    fragments = dict(raw.get("fragments") or {})
    if dimension != "numbers" and (path.parent / "numbers.yaml").exists():
        # The number fragments ({NUM}, {QUAL}...) are shared by every rule file of the language.
        fragments = {**load(lang, "numbers").fragments, **fragments}
    known = {"lang", "dimension", "description", "fragments", "rules", "examples"}
    return PatternFile(
        lang=raw.get("lang", lang),
        dimension=raw.get("dimension", dimension),
        path=path,
        description=raw.get("description", ""),
        fragments=fragments,
        rules=list(raw.get("rules") or []),
        examples=list(raw.get("examples") or []),
        data={k: v for k, v in raw.items() if k not in known},
    )


def all_pattern_files() -> list[tuple[str, str]]:
    """(lang, dimension) of every pattern file on disk."""
    base = patterns_dir()
    return sorted((p.parent.name, p.stem) for p in base.glob("*/*.yaml"))


ExampleChecker = Callable[[str, dict[str, Any]], None]
_CHECKERS: dict[str, ExampleChecker] = {}


def register_example_checker(dimension: str) -> Callable[[ExampleChecker], ExampleChecker]:
    """Decorator: `checker(lang, example)` raises AssertionError when the example does not hold."""

    def deco(fn: ExampleChecker) -> ExampleChecker:
        _CHECKERS[dimension] = fn
        return fn

    return deco


def example_checker(dimension: str) -> ExampleChecker:
    # The modules that own the dimensions register their checkers on import.
    import extractor.examples  # noqa: F401

    if dimension not in _CHECKERS:
        raise KeyError(f"no example checker registered for dimension {dimension!r}")
    return _CHECKERS[dimension]
