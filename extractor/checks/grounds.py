"""Solid ground for an alarm: what the words around a figure say about it (patterns/<lang>/checks.yaml).

The extraction may read numbers that are no outcome ("一" in 一直, "20多年", a bag's 350 ml, people turned away
at screening); a check that raises an alarm from them is wrong however right its arithmetic. So a figure takes
part in a check only when the text gives it a unit or measure word and nothing around it says it is a
per-donation amount, a unit definition or a count of people turned away. The same words tell a difference
from the plan ("vượt 16% so với kế hoạch") from an achievement, a blood component from whole blood, and
which clause and sentence a figure stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import regex

from extractor import patterns
from extractor.lang import codes

# The cues an example of patterns/<lang>/checks.yaml names, and the Context method that finds each.
CUES = {"unit": "has_unit", "per_item": "per_item", "definition": "definition", "ineligible": "ineligible",
        "component": "component", "difference": "difference"}
_DIGIT = regex.compile(r"[0-9〇零一二三四五六七八九十两]")
_WINDOW = 40  # characters around a figure that its cues are read from
_REACH = 600  # the longest clause or sentence looked at, each way


@dataclass(frozen=True)
class CueRules:
    """One language's compiled cues."""

    not_unit: regex.Pattern[str]
    number_tail: regex.Pattern[str]
    list_joiner: regex.Pattern[str]
    per_item_before: regex.Pattern[str]
    definition: regex.Pattern[str]
    ineligible_after: regex.Pattern[str]
    turnout: regex.Pattern[str]
    component: regex.Pattern[str]
    difference_before: regex.Pattern[str]
    difference_after: regex.Pattern[str]
    exceed_before: regex.Pattern[str]
    complete_parts: regex.Pattern[str]
    partial_parts: regex.Pattern[str]
    incomplete_list: regex.Pattern[str]
    total_row: regex.Pattern[str]
    list_item: regex.Pattern[str]
    clause_break: regex.Pattern[str]
    sentence_break: regex.Pattern[str]


@cache
def cue_rules(lang: str) -> CueRules:
    data = patterns.load(lang, "checks").data
    flags = regex.IGNORECASE | regex.VERSION0

    def rx(key: str) -> regex.Pattern[str]:
        return regex.compile(data[key], flags)

    not_unit = regex.compile(r"^\s*(?:" + "|".join(data["not_unit_words"]) + ")", flags)
    keys = [k for k in CueRules.__dataclass_fields__ if k != "not_unit"]
    return CueRules(not_unit=not_unit, **{k: rx(k) for k in keys})


def known_language(lang: str | None) -> bool:
    return lang in codes()


def _is_percent(text: str) -> bool:
    return "%" in text or "％" in text or "phần trăm" in text.casefold() or "百分之" in text


def _tail(text: str) -> str:
    """The words of a figure after its last digit: its unit word (and scale or qualifier words before it)."""
    last = max((m.end() for m in _DIGIT.finditer(text)), default=0)
    return text[last:]


@dataclass(frozen=True)
class Context:
    """The words around one figure in its article text."""

    text: str  # the article text
    start: int
    end: int
    rules: CueRules
    in_article: bool = True  # False: only the figure's own words were at hand

    @property
    def words(self) -> str:
        return self.text[self.start:self.end]

    def before(self, limit: int = _WINDOW) -> str:
        return self.text[max(0, self.start - limit):self.start]

    def after(self, limit: int = _WINDOW) -> str:
        return self.text[self.end:self.end + limit]

    def clause(self) -> tuple[int, int]:
        return self._bounded(self.rules.clause_break)

    def sentence(self) -> tuple[int, int]:
        return self._bounded(self.rules.sentence_break)

    def _bounded(self, breaks: regex.Pattern[str]) -> tuple[int, int]:
        """From the last break before the figure to the first after it, within _REACH characters each way."""
        low, high = max(0, self.start - _REACH), min(len(self.text), self.end + _REACH)
        cut = [m.end() for m in breaks.finditer(self.text, low, self.start)]
        found = breaks.search(self.text, self.end, high)
        return (cut[-1] if cut else low), (found.start() if found else high)

    def segment_around(self) -> str:
        """The clause's words from the previous number to the next one: what describes this figure alone."""
        start, end = self.clause()
        left = self.text[start:self.start]
        digits = [m.end() for m in _DIGIT.finditer(left)]
        left = left[digits[-1]:] if digits else left
        right = self.text[self.end:end]
        nxt = _DIGIT.search(right)
        right = right[:nxt.start()] if nxt else right
        return left + self.words + right

    def has_unit(self) -> bool:
        if _is_percent(self.words):
            return True
        tail = self.rules.number_tail.sub("", _tail(self.words).strip()).strip()
        if not tail:
            # A member of a list sharing one unit word: "137, 96 và 84 đơn vị máu", "120、86单位".
            following = self.after(80)
            joined = self.rules.list_joiner.match(following)
            if not joined:
                return False
            tail = self.rules.number_tail.sub("", following[joined.end():].lstrip()).strip()
        if not tail or not tail[0].isalpha():
            return False
        return not self.rules.not_unit.match(tail)

    def per_item(self) -> bool:
        return bool(self.rules.per_item_before.search(self._words_before_number()))

    def _words_before_number(self) -> str:
        """The text right before the figure's number: before its span, plus its own words up to the digits
        (a figure's words may start with a qualifier: "khoảng 350 ml")."""
        first = _DIGIT.search(self.words)
        own = self.words[:first.start()] if first else ""
        return self.before() + own

    def definition(self) -> bool:
        start, end = self.clause()
        return any(m.start() <= self.end and self.start <= m.end()
                   for m in self.rules.definition.finditer(self.text, start, end))

    def ineligible(self) -> bool:
        return bool(self.rules.ineligible_after.search(self.after()))

    def turnout(self) -> bool:
        """'hơn 450 người tham gia hiến máu': people who came, some of whom screening turned away."""
        return bool(self.rules.turnout.search(self.after()))

    def in_brackets(self) -> bool:
        """An aside in brackets: '(14.000 đơn vị)' after a plan, a comparison base."""
        before = self.before(60)
        return before.rfind("(") > before.rfind(")") or before.rfind("（") > before.rfind("）")

    def component(self) -> bool:
        return bool(self.rules.component.search(self.segment_around()))

    def difference(self) -> bool:
        """'vượt kế hoạch 12%', 'vượt 16% so với kế hoạch', '超计划16%': the percent exceeds the plan by."""
        if not _is_percent(self.words):
            return False
        before = self._words_before_number()
        if self.rules.difference_before.search(before):
            return True
        return bool(self.rules.exceed_before.search(before) and self.rules.difference_after.search(self.after()))

    def cues(self) -> set[str]:
        return {name for name, method in CUES.items() if getattr(self, method)()}


def context(text: str, start: int, end: int, lang: str) -> Context:
    return Context(text, start, end, cue_rules(lang))


def cues_of(text: str, start: int, end: int, lang: str) -> set[str]:
    """The cues found for the figure at text[start:end] (for the rule files' examples)."""
    return context(text, start, end, lang).cues()


def figure_context(article: dict[str, Any] | None, figure_text: str, start: int | None, end: int | None,
                   lang: str | None) -> Context | None:
    """The figure's context in its article, or, when the article text is not at hand (or does not hold the
    figure at its span), in its own words alone."""
    if lang is None or not known_language(lang):
        return None
    text = (article or {}).get("text") or ""
    if start is not None and end is not None and text[start:end] == figure_text and figure_text:
        return context(text, start, end, lang)
    return Context(figure_text, 0, len(figure_text), cue_rules(lang), in_article=False)
