"""Merged prefilters (issue 15): one pass per sentence lets every rule run that its own `requires_sentence`
search would have let run, on every rule file's prefilters and every spec table sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
import regex
import yaml

from extractor import dates, figures, patterns
from extractor.lang import codes
from extractor.prefilter import Prefilters
from extractor.textdoc import segment

REPO = Path(__file__).resolve().parents[1]


def _compile(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.VERSION0)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("截至|截止|到", "截至2024年底，全市献血", True),
    ("截至|截止|到", "全市献血3万人次", False),
    ("同比|环比|较|比|与|同期", "与去年同期相比增长", True),
    (r"\d", "hơn một nghìn người", False),
    (r"\d", "263 đơn vị máu", True),
    ("(?i:đơn vị|đvm|túi máu)", "Tiếp nhận 263 ĐƠN VỊ máu", True),
    ("(?i:đơn vị|đvm|túi máu)", "Tiếp nhận 263 bịch máu", False),
    ("(?i:tháng)", "THÁNG 6", True),
    ("hiến máu", "Hiến máu tình nguyện", False),  # case matters without (?i:)
    (r"\d[日号]", "6月14日", True),
    ("[（(]", "（新华社）", True),
    ("[（(]", "新华社）", False),
    (r"\d|今年|去年|前年", "今年全市献血", True),  # a sub-pattern and words: either finds
    (r"\d|今年|去年|前年", "6月全市献血", True),
    (r"\d|今年|去年|前年", "全市献血者", False),
    (r"\.", "6.14", True),
    (r"\.", "6月14日", False),
    (r"\|", "Ngày | Địa điểm", True),
    ("[·・•]", "6·14", True),
    ("[·・•]", "6-14", False),
    (r"a\|b|c", "a|b", True),  # an escaped bar splits nothing
    (r"a\|b|c", "ab", False),
])
def test_a_prefilter_holds_where_its_search_finds(pattern: str, text: str, expected: bool) -> None:
    rx = _compile(pattern)
    assert (rx.search(text) is not None) is expected
    merged = Prefilters([rx, None, rx])
    assert merged.holding(text, 0, len(text)) == [expected, True, expected]
    padded = "x" * 7 + text + "y" * 5  # a sentence inside an article: only its span is read
    assert merged.holding(padded, 7, 7 + len(text))[0] is expected


@pytest.mark.parametrize("lang", codes())
def test_the_merged_prefilters_never_skip_a_rule_its_own_would_run(lang: str) -> None:
    sentences = []
    for path in sorted((REPO / "tests" / "spec" / lang).glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            tdoc = segment(case["text"], lang)
            sentences += [tdoc.match_text[s.start : s.end] for s in tdoc.sentences]
    assert len(sentences) > 100
    for own in ([r.requires_sentence for r in figures._rules(lang)], [r.requires for r in dates._rules(lang)]):
        merged = Prefilters(own)
        for sentence in sentences:
            held = merged.holding(sentence, 0, len(sentence))
            for rx, holds in zip(own, held, strict=True):
                searched = rx is None or rx.search(sentence) is not None
                assert holds or not searched, (rx.pattern, sentence)
                if rx is not None and not rx.pattern.startswith("(?i:"):
                    assert holds == searched, (rx.pattern, sentence)


@pytest.mark.parametrize(("patterns", "text", "expected"), [
    (("献血|捐血", "人|名"), "共有156人成功献血", True),
    (("献血|捐血", "人|名"), "献血量达5万毫升", False),  # the first finds its words, the second none
    (("献血|捐血", "人|名"), "共有156人参加", False),
    ((r"\d", "(?i:đơn vị|túi máu)"), "Tiếp nhận 263 Đơn vị máu", True),
    ((r"\d", "(?i:đơn vị|túi máu)"), "Tiếp nhận nhiều đơn vị máu", False),
    ((), "any sentence", True),
])
def test_a_rule_with_several_prefilters_runs_where_each_finds_its_words(patterns: tuple[str, ...], text: str,
                                                                        expected: bool) -> None:
    merged = Prefilters([tuple(_compile(p) for p in patterns), None])
    assert merged.holding(text, 0, len(text)) == [expected, True]
    assert merged.rules_to_run(text, 0, len(text)) == ((0, 1) if expected else (1,))


def _texts(lang: str) -> list[str]:
    """Every spec table text and every figure and date rule example of the language."""
    texts = []
    for path in sorted((REPO / "tests" / "spec" / lang).glob("*.yaml")):
        texts += [case["text"] for case in yaml.safe_load(path.read_text(encoding="utf-8"))]
    for dimension in ("figures", "dates"):
        texts += [example["text"] for example in patterns.load(lang, dimension).examples]
    return texts


@pytest.mark.parametrize("lang", codes())
def test_every_match_of_a_rule_holds_the_words_it_requires_in_a_match(lang: str) -> None:
    """`requires_in_match` claims words that every match of its rule holds: run unfiltered over every spec
    text, each match (a date rule's with words in it) holds a hit of each."""
    checked = 0
    for text in _texts(lang):
        tdoc = segment(text, lang)
        folded = tdoc.match_text
        for s in tdoc.sentences:
            for rule in figures._rules(lang):
                for m in rule.pattern.finditer(folded, s.start, s.end):
                    for rx in rule.requires_in_match:
                        checked += 1
                        assert rx.search(folded, m.start(), s.end), (rule.name, rx.pattern, m.group())
            for rule in dates._rules(lang):
                for m in rule.pattern.finditer(folded, s.start, s.end, overlapped=True):
                    if m.end() > m.start() and m.group().strip():
                        for rx in rule.requires_in_match:
                            checked += 1
                            assert rx.search(folded, m.start(), s.end), (rule.name, rx.pattern, m.group())
    assert checked > 100
