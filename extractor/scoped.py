"""Rules searched only where they can match: inside the runs of characters their matches are made of.

A rule such as Chinese site names ("…在漯河市中心血站…") or collecting centres starts at almost every
position of a text (a look-behind or a lazy prefix of Han characters): searched over a whole sentence,
the engine tries each position in turn, which made these two rules a fifth of a Chinese article's time.
A pattern file may declare a rule's `scope`:

    scope:
      run: '[\u4e00-\u9fffA-Za-z0-9·]+'   # every match is made of these characters only
      holds: '中心血站|血站|医院'            # and holds one of these (a literal its every match contains)

and the rule is then searched in each maximal run that holds one of the words, the run's bounds as the
search's bounds. That finds exactly the matches of a search over the whole span: a match lies inside
one run, the runs without the words hold none, and a run is searched from its start as the whole scan
would reach it (look-behinds still see the text before the run). Look-aheads at a match's end see the
run's end instead of the next character, which is no `run` character: a declared scope is only right
for a rule whose look-aheads test for `run` characters (e.g. "大学(?!生)"). tests/test_scoped.py holds
every scoped rule to the whole-span search on the spec tables, the seeds and the rule files' examples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import regex


@dataclass(frozen=True)
class ScopedPattern:
    """A compiled rule with its declared scope (none: searched over the whole span, as a plain pattern)."""

    rule: regex.Pattern[str]
    run: regex.Pattern[str] | None = None
    holds: regex.Pattern[str] | None = None

    @property
    def groupindex(self) -> Any:
        return self.rule.groupindex

    def finditer(self, text: str, start: int = 0, end: int | None = None) -> Iterator[regex.Match[str]]:
        end = len(text) if end is None else end
        if self.run is None:
            yield from self.rule.finditer(text, start, end)
            return
        for run in self.run.finditer(text, start, end):
            if self.holds is None or self.holds.search(text, run.start(), run.end()) is not None:
                yield from self.rule.finditer(text, run.start(), run.end())

    def unscoped(self, text: str, start: int = 0, end: int | None = None) -> Iterator[regex.Match[str]]:
        """The whole-span search the scope stands for (for the tests that hold the two equal)."""
        return self.rule.finditer(text, start, len(text) if end is None else end)


def scoped(rule: regex.Pattern[str], scope: dict[str, str] | None,
           compile_pattern: Callable[[str], regex.Pattern[str]]) -> ScopedPattern:
    """A rule with the `scope` a pattern file declares for it (`compile_pattern`: the file's compiler,
    so that fragments are expanded)."""
    if not scope:
        return ScopedPattern(rule)
    holds = scope.get("holds")
    return ScopedPattern(rule, compile_pattern(scope["run"]), compile_pattern(holds) if holds else None)
