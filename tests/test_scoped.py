"""Scoped rules (extractor/scoped.py): searched only in the runs of characters their matches are made of,
they find exactly what a search over the whole span finds."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
import yaml

from extractor.lang import codes
from extractor.outcomes.attribution import attribution_rules
from extractor.outcomes.rules import event_rules
from extractor.places import place_rules
from extractor.scoped import ScopedPattern, scoped
from extractor.textdoc import segment

REPO = Path(__file__).resolve().parents[1]


def _compile(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.VERSION0)


SITE = _compile(r"(?<=在|于|进|“)(?P<name>\p{Han}{2,8}?(?:血站|大学(?!生)|广场))")
SITE_SCOPE = {"run": r"\p{Han}+", "holds": "血站|大学|广场"}


@pytest.mark.parametrize(("text", "names"), [
    ("献血车开进郑州大学，师生踊跃献血", ["郑州大学"]),
    ("市民在人民广场献血，在漯河市中心血站献血", ["人民广场", "漯河市中心血站"]),
    ("献血屋设在“人民广场”旁", ["人民广场"]),  # the look-behind sees the character before the run
    ("大学生在校园献血", []),  # 大学(?!生): the look-ahead sees inside the run
    ("师生在南京大学。献血", ["南京大学"]),  # at the run's end the look-ahead sees its end, not "。"
    ("全市共采集血液", []),  # no run holds a site word: nothing searched
    ("在2024年的广场", []),  # digits end a run of Han letters
])
def test_a_scoped_rule_finds_what_the_whole_search_finds(text: str, names: list[str]) -> None:
    rule = scoped(SITE, SITE_SCOPE, _compile)
    found = [m.group("name") for m in rule.finditer(text)]
    assert found == names
    assert found == [m.group("name") for m in rule.unscoped(text)]
    padded = "。" * 3 + text + "，" * 2  # inside an article: only the span is searched
    assert [m.group("name") for m in rule.finditer(padded, 3, 3 + len(text))] == names


def test_an_unscoped_rule_is_searched_over_the_whole_span() -> None:
    rule = scoped(SITE, None, _compile)
    assert rule == ScopedPattern(SITE)
    assert [m.group("name") for m in rule.finditer("在人民广场献血")] == ["人民广场"]


def _texts(lang: str) -> list[str]:
    texts = []
    for path in sorted((REPO / "tests" / "spec" / lang).glob("*.yaml")):
        texts += [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    for path in sorted((REPO / "patterns" / lang).glob("*.yaml")):
        examples = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []
        texts += [e["text"] for e in examples if isinstance(e.get("text"), str)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
    return texts


def _scoped_rules(lang: str) -> list[ScopedPattern]:
    rules = [rx for rx in place_rules(lang).sites if rx.run is not None]
    collector = attribution_rules(lang).collector
    organizer = event_rules(lang).organizer
    return rules + [rx for rx in (collector, organizer) if rx is not None and rx.run is not None]


@pytest.mark.parametrize("lang", [lang for lang in codes() if _scoped_rules(lang)])
def test_every_declared_scope_finds_what_the_whole_search_finds(lang: str) -> None:
    """On every spec table text, rule file example and seed article, over the whole text and over each
    sentence (places are searched sentence by sentence)."""
    rules = _scoped_rules(lang)
    texts = _texts(lang)
    assert len(texts) > 100
    for text in texts:
        tdoc = segment(text, lang)
        spans = [(0, len(tdoc.match_text))] + [(s.start, s.end) for s in tdoc.sentences]
        for rule in rules:
            for start, end in spans:
                fast = [_spans(m) for m in rule.finditer(tdoc.match_text, start, end)]
                whole = [_spans(m) for m in rule.unscoped(tdoc.match_text, start, end)]
                assert fast == whole, (rule.rule.pattern[:60], text[start:end][:80])


def _spans(m: regex.Match[str]) -> tuple[int, ...]:
    return m.span() + (m.span("name") if "name" in m.re.groupindex else ())


def test_chinese_sites_collectors_and_organizers_are_scoped() -> None:
    """The rules that start at almost every position of a Chinese text (measured: sites and collectors
    a fifth of an article's time before their scopes were declared; organisers, read in every sentence with
    an outcome, 7% of the outcomes' time, halved by the scope), and towns (镇, 乡, 街道 after a county)."""
    assert len(_scoped_rules("zh")) == 4
