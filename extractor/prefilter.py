"""The rules' `requires_sentence` prefilters of one dimension, decided together in one pass per sentence.

A rule names the words it cannot match without and is skipped on a sentence lacking them; a rule may
name several such patterns, each of which must find its words. Run one by one, the prefilters of a
dimension were dozens of searches per sentence, many of them the same pattern (`\\d`, '截至|截止|到').
Here each distinct pattern is searched once, and those that are plain word lists (the usual case,
`(?i:...)` ones included) are all found in one Aho-Corasick pass over the sentence (and one over its
case-folded copy). A rule runs whenever its own prefilters would have let it: case folding may let a
rule run where `(?i:...)` would not have (harmless: the rule itself then finds nothing), never the
other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import itemgetter, or_
from typing import Any

import ahocorasick_rs
import regex

_META = frozenset("\\.^$*+?{}[]()|")
_CASELESS = "(?i:"
_WORD = itemgetter(0)  # of a hit (word index, start, end)
_MOST_REMEMBERED = 4096  # sets of found prefilters whose rules are remembered
_CASE_FLAGS = regex.IGNORECASE | regex.VERBOSE | regex.FULLCASE
_PLAIN_SET = regex.compile(r"\[[^\[\]\\^-][^\[\]\\-]*\]")  # no range, escape or negation in it
_TOP_LEVEL_BAR = regex.compile(r"(?<!\\)\|")  # in a pattern without groups or sets
_ESCAPED_MARK = regex.compile(r"\\[^\w\s]")


def _literal_words(rx: regex.Pattern[str]) -> tuple[list[str], bool] | None:
    """The words of a pattern that is an alternation of plain words, and whether case is ignored
    (`(?i:a|b)`); None for any other pattern."""
    if rx.flags & _CASE_FLAGS:
        return None
    pattern, caseless = rx.pattern, False
    if pattern.startswith(_CASELESS) and pattern.endswith(")") and pattern.count("(") == 1 == pattern.count(")"):
        pattern, caseless = pattern[len(_CASELESS) : -1], True
    words = pattern.split("|")
    if any(not w or any(ch in _META for ch in w) for w in words):
        return None
    return ([w.casefold() for w in words] if caseless else words), caseless


def _parts(rx: regex.Pattern[str]) -> tuple[list[str], list[str]]:
    """A pattern as the words and the sub-patterns it is an alternation of: it finds a match wherever one of
    its words stands or one of the sub-patterns finds one. A set of plain characters ("[（(]") is a word a
    character, an escaped mark ("\\.") a word; "\\d|今年|去年" is the sub-pattern "\\d" and two words. A
    pattern with groups or sets elsewhere stays one sub-pattern."""
    pattern = rx.pattern
    if rx.flags & _CASE_FLAGS:
        return [], [pattern]
    if _PLAIN_SET.fullmatch(pattern):
        return list(pattern[1:-1]), []
    if "(" in pattern or "[" in pattern:
        return [], [pattern]
    words, searched = [], []
    for part in _TOP_LEVEL_BAR.split(pattern):
        if part and not any(ch in _META for ch in part):
            words.append(part)
        elif _ESCAPED_MARK.fullmatch(part):
            words.append(part[1])
        else:
            searched.append(part)
    return words, searched


class _WordBits:
    """Words, each with the bits of the prefilters it satisfies: `found(text)` or-s the bits of every word
    in the text, in one Aho-Corasick pass (ahocorasick_rs) and in C, no Python step per hit."""

    def __init__(self, by_word: dict[str, int]) -> None:
        self._bits = list(by_word.values())
        self._matcher: Any = ahocorasick_rs.AhoCorasick(list(by_word), matchkind=ahocorasick_rs.MatchKind.Standard)

    def found(self, text: str) -> int:
        hits = self._matcher.find_matches_as_indexes(text, overlapping=True)
        return reduce(or_, map(self._bits.__getitem__, map(_WORD, hits)), 0)


def _word_bits(by_word: dict[str, int]) -> _WordBits | None:
    return _WordBits(by_word) if by_word else None


Requirement = regex.Pattern[str] | Sequence[regex.Pattern[str]] | None


class Prefilters:
    """`rules_to_run(text, start, end)`: the indexes, in order, of the rules that may match in
    text[start:end], i.e. each of whose prefilters `rx.search(text, start, end)` finds its words (every
    rule without one). `holding` says the same as one bool a rule."""

    def __init__(self, requirements: Sequence[Requirement]) -> None:
        distinct: dict[tuple[str, int], int] = {}  # a distinct prefilter pattern -> its bit
        patterns: list[regex.Pattern[str]] = []
        self._needs: list[int] = []  # rule -> the bits of the prefilters it needs
        for requirement in requirements:
            own = [requirement] if isinstance(requirement, regex.Pattern) else [rx for rx in requirement or () if rx]
            need = 0
            for rx in own:
                key = (rx.pattern, rx.flags)
                if key not in distinct:
                    distinct[key] = len(patterns)
                    patterns.append(rx)
                need |= 1 << distinct[key]
            self._needs.append(need)
        exact: dict[str, int] = {}  # word -> the bits of the prefilters it satisfies
        folded: dict[str, int] = {}
        searched: dict[tuple[str, int], int] = {}  # a sub-pattern searched -> the bits of the prefilters it satisfies
        for index, rx in enumerate(patterns):
            literal = _literal_words(rx)
            if literal is not None:
                words, caseless = literal
                by_word = folded if caseless else exact
            else:
                words, parts = _parts(rx)
                by_word = exact
                for part in parts:
                    searched[part, rx.flags] = searched.get((part, rx.flags), 0) | 1 << index
            for word in words:
                by_word[word] = by_word.get(word, 0) | 1 << index
        self._exact, self._folded = _word_bits(exact), _word_bits(folded)
        self._searched = [(bits, regex.compile(part, flags)) for (part, flags), bits in searched.items()]
        self._by_found: dict[int, tuple[int, ...]] = {}  # found bits -> the rules they let run

    def rules_to_run(self, text: str, start: int, end: int) -> tuple[int, ...]:
        found = 0
        if end > start:
            if self._exact is not None:
                found |= self._exact.found(text[start:end])
            if self._folded is not None:
                found |= self._folded.found(text[start:end].casefold())
        for bits, rx in self._searched:
            if bits & ~found and rx.search(text, start, end) is not None:  # not when its prefilters are found
                found |= bits
        rules = self._by_found.get(found)
        if rules is None:  # a few hundred sets of prefilters found make up nearly every sentence
            if len(self._by_found) >= _MOST_REMEMBERED:
                self._by_found.clear()
            rules = self._by_found[found] = tuple(i for i, need in enumerate(self._needs) if need & found == need)
        return rules

    def holding(self, text: str, start: int, end: int) -> list[bool]:
        held = [False] * len(self._needs)
        for i in self.rules_to_run(text, start, end):
            held[i] = True
        return held
