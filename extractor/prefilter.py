"""The rules' `requires_sentence` prefilters of one dimension, decided together in one pass per sentence.

A rule names the words it cannot match without and is skipped on a sentence lacking them. Run one by one,
the prefilters of a dimension were dozens of searches per sentence, many of them the same pattern
(`\\d`, '截至|截止|到'). Here each distinct pattern is searched once, and those that are plain word lists
(the usual case, `(?i:...)` ones included) are all found in one Aho-Corasick pass over the sentence (and
one over its case-folded copy). A rule runs whenever its own prefilter would have let it: case folding may
let a rule run where `(?i:...)` would not have (harmless: the rule itself then finds nothing), never the
other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ahocorasick
import regex

_META = frozenset("\\.^$*+?{}[]()|")
_CASELESS = "(?i:"


def _literal_words(rx: regex.Pattern[str]) -> tuple[list[str], bool] | None:
    """The words of a pattern that is an alternation of plain words, and whether case is ignored
    (`(?i:a|b)`); None for any other pattern."""
    if rx.flags & (regex.IGNORECASE | regex.VERBOSE | regex.FULLCASE):
        return None
    pattern, caseless = rx.pattern, False
    if pattern.startswith(_CASELESS) and pattern.endswith(")") and pattern.count("(") == 1 == pattern.count(")"):
        pattern, caseless = pattern[len(_CASELESS) : -1], True
    words = pattern.split("|")
    if any(not w or any(ch in _META for ch in w) for w in words):
        return None
    return ([w.casefold() for w in words] if caseless else words), caseless


def _automaton(by_word: dict[str, set[int]]) -> Any:
    if not by_word:
        return None
    automaton = ahocorasick.Automaton()
    for word, indexes in by_word.items():
        automaton.add_word(word, tuple(indexes))
    automaton.make_automaton()
    return automaton


class Prefilters:
    """`holding(text, start, end)[i]`: whether rule i may match in text[start:end], i.e. its prefilter
    `patterns[i].search(text, start, end)` finds its words (always True for a rule without one)."""

    def __init__(self, patterns: Sequence[regex.Pattern[str] | None]) -> None:
        distinct: dict[tuple[str, int], regex.Pattern[str]] = {}
        self._of_rule: list[int] = []  # rule -> its distinct prefilter (-1: none)
        for rx in patterns:
            if rx is None:
                self._of_rule.append(-1)
                continue
            key = (rx.pattern, rx.flags)
            distinct.setdefault(key, rx)
            self._of_rule.append(list(distinct).index(key))
        self._count = len(distinct)
        self._searched: list[tuple[int, regex.Pattern[str]]] = []
        exact: dict[str, set[int]] = {}
        folded: dict[str, set[int]] = {}
        for index, rx in enumerate(distinct.values()):
            literal = _literal_words(rx)
            if literal is None:
                self._searched.append((index, rx))
                continue
            words, caseless = literal
            for word in words:
                (folded if caseless else exact).setdefault(word, set()).add(index)
        self._exact, self._folded = _automaton(exact), _automaton(folded)

    def holding(self, text: str, start: int, end: int) -> list[bool]:
        found = [False] * self._count
        if end > start:
            if self._exact is not None:
                for _, indexes in self._exact.iter(text, start, end):
                    for index in indexes:
                        found[index] = True
            if self._folded is not None:
                for _, indexes in self._folded.iter(text[start:end].casefold()):
                    for index in indexes:
                        found[index] = True
        for index, rx in self._searched:
            found[index] = rx.search(text, start, end) is not None
        return [index < 0 or found[index] for index in self._of_rule]
