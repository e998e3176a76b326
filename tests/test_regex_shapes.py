"""No rule pattern holds a shape that backtracks without bound (see tests/regex_shapes.py)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
import regex
from regex_shapes import Analyzer, backtracking_shapes, universe_of

import extractor
from extractor import patterns

_NOT_PATTERNS = {"examples", "description", "lang", "dimension"}


def _strings(value: Any) -> list[str]:
    """Every string of a rule file's data: rule patterns, fragments, cue lists (plain words are
    patterns too, with nothing to backtrack)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, v in value.items() if key not in _NOT_PATTERNS for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _rule_patterns() -> dict[str, str]:
    found: dict[str, str] = {}
    for pf in patterns.load_all():
        for text in _strings({"fragments": pf.fragments, "rules": pf.rules, **pf.data}):
            found.setdefault(pf.expand(text), f"patterns/{pf.lang}/{pf.dimension}.yaml")
    return found


RULE_PATTERNS = _rule_patterns()
ANALYZER = Analyzer(universe_of(list(RULE_PATTERNS)))

# Shapes that backtrack on a long run of one character, and their linear rewrites.
BAD = [
    r"(?:a+)+b",
    r"(?:\s+x?)*y",
    r"[一二三十]*[一二三][一二三十]*人",  # the Chinese numeral fragment before the fix
    r"\d+\s*(?:至)?\s*\d*岁",
    r"(?:ab|a)*(?:a+)c",
    r"(?i:X+)(?:x)*y",
]
GOOD = [
    r"(?=[零一二三]*+[一二三])[零一二三]++人",
    r"\d+(?:,\d{3})*(?:\.\d+)?",
    r"(?:,?\s+(?:cán bộ|công chức))*",
    r"\d+\s*(?:đơn vị|ĐVM)",
    r"[^，。；\d]{0,12}?\d+",
    r"\s*+(?:至)?\s*+\d+岁",
    r"(?>\s*)\s*x",
]


@pytest.mark.parametrize("pattern", BAD)
def test_the_check_finds_backtracking_shapes(pattern: str) -> None:
    assert backtracking_shapes(pattern, Analyzer(universe_of([pattern]))), pattern


@pytest.mark.parametrize("pattern", GOOD)
def test_the_check_passes_linear_shapes(pattern: str) -> None:
    assert backtracking_shapes(pattern, Analyzer(universe_of([pattern]))) == [], pattern


def test_rule_patterns_are_many() -> None:
    assert len(RULE_PATTERNS) > 300  # every file's rules and fragments, expanded


def test_no_rule_pattern_backtracks_without_bound() -> None:
    bad = {f"{where}: {pattern[:120]!r}": [f.where for f in found][:2]
           for pattern, where in RULE_PATTERNS.items() if (found := backtracking_shapes(pattern, ANALYZER))}
    assert not bad, bad


def _code_patterns() -> dict[str, str]:
    """The patterns the code compiles at import, module by module."""
    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(extractor.__path__, "extractor."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern | regex.Pattern) and isinstance(value.pattern, str):
                found[f"{info.name}.{name}"] = value.pattern
    return found


def test_no_pattern_in_the_code_backtracks_without_bound() -> None:
    code = _code_patterns()
    assert len(code) > 10
    analyzer = Analyzer(universe_of(list(code.values())))
    bad = {where: [f.where for f in found][:2]
           for where, pattern in code.items() if (found := backtracking_shapes(pattern, analyzer))}
    assert not bad, bad
