"""Find the regex shapes that backtrack without bound: a static check over rule patterns.

Two shapes make a backtracking engine take polynomial or exponential time on a long run of the
same characters:

- nested: an unbounded repeat whose body holds another unbounded repeat that can consume a whole
  iteration on its own (`(a+)+`, `(?:\\s+x?)*`): the run splits among the iterations in every way;
- adjacent: two unbounded repeats over overlapping characters with nothing between them that the
  run could not also match (`[一二]*[一]*`, `\\s*(?:至)?\\s*`, `[一-九]*[一][一-九]*`): each split of
  the run is tried, at every start.

Possessive repeats (`*+`) and atomic groups never give characters back, and a repeat of at most
`BOUNDED` iterations costs a constant factor, so neither counts. The check parses patterns with the
standard library's regex parser (the `regex` module keeps its own tree private); character sets are
compared on a finite sample of characters: every character the patterns name, plus representatives
of the classes they use.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

BOUNDED = 100  # at most this many iterations: bounded work, whatever the overlap
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")  # rules reuse a group name in two branches; `re` refuses that
# representatives of the classes rules use (digits, letters, spaces, CJK, punctuation, the rest)
_SAMPLES = [*"059０９azAZ_đưẠ一十万中人。，,.;:-%％\t\n\u3000\xa0\u200b☃ж١", " "]
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)


@dataclass(frozen=True)
class Finding:
    shape: str  # "nested" or "adjacent"
    where: str  # the repeats involved, as the parser dumps them


@dataclass(frozen=True)
class _Repeat:
    where: str
    chars: frozenset[str]  # what its body can consume
    body: list
    flags: int


def _chars_of(tree: sre_parse.SubPattern, out: set[str]) -> None:
    for op, av in tree:
        if op in (sre.LITERAL, sre.NOT_LITERAL):
            out.add(chr(av))
        elif op == sre.IN:
            for item_op, item in av:
                if item_op == sre.LITERAL:
                    out.add(chr(item))
                elif item_op == sre.RANGE:
                    out.update({chr(item[0]), chr(item[1]), chr((item[0] + item[1]) // 2)})
        elif op == sre.BRANCH:
            for alt in av[1]:
                _chars_of(alt, out)
        elif op == sre.SUBPATTERN:
            _chars_of(av[3], out)
        elif op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
            _chars_of(av[2], out)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            _chars_of(av[1], out)
        elif op == sre.ATOMIC_GROUP:
            _chars_of(av, out)


def _in_category(category: int, ch: str) -> bool:
    name = category.name  # CATEGORY_DIGIT, CATEGORY_UNI_NOT_SPACE, ...
    digit = unicodedata.category(ch) == "Nd"
    space = ch.isspace()
    word = ch.isalnum() or ch == "_"
    table = {"DIGIT": digit, "SPACE": space, "WORD": word, "LINEBREAK": ch == "\n"}
    for key, value in table.items():
        if key in name:
            return not value if "NOT" in name else value
    raise ValueError(f"unknown category {name}")


def _single_matches(op: int, av: object, ch: str) -> bool:
    if op == sre.LITERAL:
        return ch == chr(av)  # type: ignore[arg-type]
    if op == sre.NOT_LITERAL:
        return ch != chr(av)  # type: ignore[arg-type]
    if op == sre.ANY:
        return ch != "\n"
    if op == sre.CATEGORY:
        return _in_category(av, ch)  # type: ignore[arg-type]
    if op == sre.IN:
        items = list(av)  # type: ignore[call-overload]
        negate = bool(items) and items[0][0] == sre.NEGATE
        hit = False
        for item_op, item in items[1:] if negate else items:
            if item_op == sre.RANGE:
                hit = item[0] <= ord(ch) <= item[1]
            else:
                hit = _single_matches(item_op, item, ch)
            if hit:
                break
        return hit != negate
    raise ValueError(op)


class Analyzer:
    def __init__(self, universe: set[str]) -> None:
        self.universe = frozenset(universe | set(_SAMPLES))
        self._charsets: dict[tuple[int, str, bool], frozenset[str]] = {}

    # --- what a node can match --------------------------------------------------------------------

    def charset(self, op: int, av: object, ignore_case: bool) -> frozenset[str]:
        key = (op, repr(av), ignore_case)
        if key not in self._charsets:
            self._charsets[key] = self._charset(op, av, ignore_case)
        return self._charsets[key]

    def _charset(self, op: int, av: object, ignore_case: bool) -> frozenset[str]:
        def matches(ch: str) -> bool:
            forms = {ch, ch.lower(), ch.upper()} if ignore_case else {ch}
            return any(_single_matches(op, av, f) for f in forms)

        return frozenset(ch for ch in self.universe if matches(ch))

    def consumes(self, seq: list, flags: int) -> frozenset[str]:
        """Every character some node of `seq` can consume."""
        out: set[str] = set()
        for op, av in seq:
            if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
                out |= self.charset(op, av, bool(flags & sre.SRE_FLAG_IGNORECASE))
            elif op == sre.BRANCH:
                for alt in av[1]:
                    out |= self.consumes(list(alt), flags)
            elif op == sre.SUBPATTERN:
                out |= self.consumes(list(av[3]), (flags | av[1]) & ~av[2])
            elif op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
                out |= self.consumes(list(av[2]), flags)
            elif op == sre.ATOMIC_GROUP:
                out |= self.consumes(list(av), flags)
        return frozenset(out)

    def within(self, seq: list, allowed: frozenset[str], flags: int) -> bool:
        """Whether `seq` can match some string (the empty one included) made only of `allowed`."""
        for op, av in seq:
            if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY):
                if not self.charset(op, av, bool(flags & sre.SRE_FLAG_IGNORECASE)) & allowed:
                    return False
            elif op == sre.BRANCH:
                if not any(self.within(list(alt), allowed, flags) for alt in av[1]):
                    return False
            elif op == sre.SUBPATTERN:
                if not self.within(list(av[3]), allowed, (flags | av[1]) & ~av[2]):
                    return False
            elif op in (*_REPEATS, sre.POSSESSIVE_REPEAT):
                if av[0] > 0 and not self.within(list(av[2]), allowed, flags):
                    return False
            elif op == sre.ATOMIC_GROUP:
                if not self.within(list(av), allowed, flags):
                    return False
            elif op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
                return False
            # assertions and anchors match the empty string
        return True

    def nullable(self, seq: list) -> bool:
        return self.within(seq, frozenset(), 0)

    def some_within(self, repeat: _Repeat, allowed: frozenset[str]) -> bool:
        """Whether one iteration of `repeat` can consume a non-empty string made only of `allowed`."""
        return self.within(repeat.body, allowed, repeat.flags) and bool(
            not self.nullable(repeat.body) or self.consumes(repeat.body, repeat.flags) & allowed)

    # --- the repeats at either end of a node ---------------------------------------------------------

    def _edge(self, op: int, av: object, flags: int, last: bool) -> list[_Repeat]:
        if op in _REPEATS:
            lo, hi, body = av  # type: ignore[misc]
            if hi == sre.MAXREPEAT or hi > BOUNDED:
                return [_Repeat(f"{op} {lo} {hi}", self.consumes(list(body), flags), list(body), flags)]
            return self.edges(list(body), flags, last)
        if op == sre.SUBPATTERN:
            return self.edges(list(av[3]), (flags | av[1]) & ~av[2], last)  # type: ignore[index]
        if op == sre.BRANCH:
            return [e for alt in av[1] for e in self.edges(list(alt), flags, last)]  # type: ignore[index]
        return []  # possessive and atomic give nothing back; single characters and assertions are no repeat

    def edges(self, seq: list, flags: int, last: bool) -> list[_Repeat]:
        """Unbounded repeats that can be the last (or first) thing `seq` consumes."""
        out: list[_Repeat] = []
        for op, av in reversed(seq) if last else seq:
            out += self._edge(op, av, flags, last)
            if not self.nullable([(op, av)]):
                break
        return out

    def pumpable(self, seq: list, flags: int) -> list[str]:
        """Unbounded repeats of `seq` that can match a whole iteration of an enclosing repeat alone."""
        found = []
        for index, (op, av) in enumerate(seq):
            inner: list[tuple[str, frozenset[str]]] = []
            if op in _REPEATS and (av[1] == sre.MAXREPEAT or av[1] > BOUNDED):
                inner = [(f"{op} {av[0]} {av[1]}", self.consumes(list(av[2]), flags))]
            elif op in _REPEATS:
                inner = [(w, self.consumes(list(av[2]), flags)) for w in self.pumpable(list(av[2]), flags)]
            elif op == sre.SUBPATTERN:
                sub = (flags | av[1]) & ~av[2]
                inner = [(w, self.consumes(list(av[3]), sub)) for w in self.pumpable(list(av[3]), sub)]
            elif op == sre.BRANCH:
                inner = [(w, self.consumes(list(alt), flags)) for alt in av[1] for w in self.pumpable(list(alt), flags)]
            rest = seq[:index] + seq[index + 1 :]
            found += [where for where, chars in inner if self.within(rest, chars, flags)]
        return found

    # --- the check --------------------------------------------------------------------------------

    def findings(self, seq: list, flags: int) -> list[Finding]:
        out: list[Finding] = []
        for i, (op, av) in enumerate(seq):
            tail = self._edge(op, av, flags, last=True)
            for j in range(i + 1, len(seq)):
                head = self._edge(*seq[j], flags, last=False)
                between = seq[i + 1 : j]
                for first in tail:
                    for second in head:
                        common = first.chars & second.chars
                        # both repeats can take a piece of the same run, and what lies between can too
                        if (common and self.some_within(first, common) and self.some_within(second, common)
                                and self.within(between, common, flags)):
                            out.append(Finding("adjacent", f"{first.where} then {second.where}"
                                                           f" over {''.join(sorted(common))!r}"))
                if not self.nullable([seq[j]]) and not tail:
                    break
            out += self._inside(op, av, flags)
        return out

    def _inside(self, op: int, av: object, flags: int) -> list[Finding]:
        if op in _REPEATS:
            lo, hi, body = av  # type: ignore[misc]
            found = self.findings(list(body), flags)
            if hi == sre.MAXREPEAT or hi > BOUNDED:
                found += [Finding("nested", f"{where} inside {op} {lo} {hi}")
                          for where in self.pumpable(list(body), flags)]
            return found
        if op == sre.POSSESSIVE_REPEAT:
            return self.findings(list(av[2]), flags)  # type: ignore[index]
        if op == sre.SUBPATTERN:
            return self.findings(list(av[3]), (flags | av[1]) & ~av[2])  # type: ignore[index]
        if op == sre.BRANCH:
            return [f for alt in av[1] for f in self.findings(list(alt), flags)]  # type: ignore[index]
        if op in (sre.ASSERT, sre.ASSERT_NOT):
            return self.findings(list(av[1]), flags)  # type: ignore[index]
        if op == sre.ATOMIC_GROUP:
            return self.findings(list(av), flags)
        return []


# The `regex` module's property classes the rules use, as the standard parser can read them: the
# characters they stand for (inside a class `[…]`, without the brackets).
_PROPERTIES = {r"\p{Cf}": "\u00ad\u200b-\u200f\u2060-\u2064\ufeff", r"\p{Han}": "\u3400-\u4dbf\u4e00-\u9fff",
               # upper-case letters, as far as the shape check needs (Latin with Vietnamese diacritics)
               r"\p{Lu}": "A-Z\u00c0-\u00de\u0110\u1ea0-\u1ef8"}


def _expand_properties(pattern: str) -> str:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        name = next((n for n in _PROPERTIES if pattern.startswith(n, i)), None)
        if name is not None:
            chars = _PROPERTIES[name]
            out.append(chars if in_class else f"[{chars}]")
            i += len(name)
            continue
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def parse(pattern: str) -> sre_parse.SubPattern:
    return sre_parse.parse(_NAMED_GROUP.sub("(", _expand_properties(pattern)))


def universe_of(patterns: list[str]) -> set[str]:
    chars: set[str] = set()
    for pattern in patterns:
        _chars_of(parse(pattern), chars)
    return chars


def backtracking_shapes(pattern: str, analyzer: Analyzer) -> list[Finding]:
    tree = parse(pattern)
    return analyzer.findings(list(tree), tree.state.flags)
