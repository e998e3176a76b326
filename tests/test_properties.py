"""Properties that hold for any input, checked on generated text (hypothesis): number reading,
date finding, figure finding and the whole article never raise, every span is exact (the text at
[start, end) is the mention's words), and a second run gives the same result; the span sets the
stages de-duplicate with answer as a scan over all spans would."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.dates import find_dates
from extractor.figures import find_figures
from extractor.lang import get_pack
from extractor.numbers import MAX_VALUE
from extractor.pipeline import extract_text
from extractor.spans import CoveringSpans, DisjointSpans, SpanUnion
from extractor.textdoc import segment

# Pieces a report is made of, and the characters that break naive readers: digit runs, Chinese
# numerals, list commas, decimal and thousands marks, invisible format characters, scale words.
_VI_PIECES = ["1", "0", "9", "12", "1.265", "3,5", " ", ".", ",", "-", "%", "\u200b", "\u200d", "\u200f", "nghìn",
              "triệu", "hơn", "khoảng", " đơn vị máu", " người", " đã hiến máu", " tham gia", " đăng ký", " ml",
              "ngày 9/4/2024", "tháng 5", "năm 2023", "tại ", "phường Hòa Minh", "Đà Nẵng", "toàn quận", "kế hoạch",
              "\n\n", "(", ")", "hàng trăm"]
_ZH_PIECES = [*"一二十百千万亿两零第上几数余多约，。、, ", "1", "0", "9", "12", "1,250", "3.5", "\u200b", "\u200f",
              "单位", "毫升", "人次", "人", "名", "献血", "报名", "参加", "%", "年", "月", "日", "2023年5月4日",
              "郑州市", "金水区", "全市", "计划", "\n\n"]

# derandomized and without an example database: the same cases each run, nothing left on disk
_SETTINGS = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow])


def _texts(pieces: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces) | st.text(max_size=3), max_size=max_size).map("".join)


def _figure_tuples(text: str, lang: str) -> list[tuple]:
    return [(f.start, f.end, f.metric, f.value, f.qualifier, f.status) for f in find_figures(segment(text, lang))]


@_SETTINGS
@given(_texts(_VI_PIECES, 8), _texts(_ZH_PIECES, 8))
def test_numbers_never_raise_and_stay_in_range(vi_text: str, zh_text: str) -> None:
    for lang, text in (("vi", vi_text), ("zh", zh_text)):
        number = get_pack(lang).parse_number(text)
        assert number == get_pack(lang).parse_number(text)
        if number is not None:
            for value in (number.value, number.low, number.high):
                assert value is None or (math.isfinite(value) and abs(value) < MAX_VALUE)


@_SETTINGS
@given(_texts(_VI_PIECES), _texts(_ZH_PIECES))
def test_figures_have_exact_spans_and_repeat(vi_text: str, zh_text: str) -> None:
    for lang, text in (("vi", vi_text), ("zh", zh_text)):
        tdoc = segment(text, lang)
        figures = find_figures(tdoc)
        for f in figures:
            assert 0 <= f.start < f.end <= len(text)
            assert text[f.start : f.end] == f.text
            assert math.isfinite(f.value) and abs(f.value) < MAX_VALUE
        assert _figure_tuples(text, lang) == [(f.start, f.end, f.metric, f.value, f.qualifier, f.status)
                                              for f in figures]


@_SETTINGS
@given(_texts(_VI_PIECES), _texts(_ZH_PIECES), st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
def test_dates_have_exact_spans_and_repeat(vi_text: str, zh_text: str, published: dt.date | None) -> None:
    for lang, text in (("vi", vi_text), ("zh", zh_text)):
        dates = find_dates(segment(text, lang), published)
        for d in dates:
            assert 0 <= d.start < d.end <= len(text)
            assert text[d.start : d.end] == d.text
        again = find_dates(segment(text, lang), published)
        assert [(d.start, d.end, d.period_start, d.period_end) for d in dates] == [
            (d.start, d.end, d.period_start, d.period_end) for d in again]


@settings(_SETTINGS, max_examples=20)
@given(_texts(_VI_PIECES, 60), _texts(_ZH_PIECES, 60))
def test_whole_articles_never_raise_with_exact_spans(vi_text: str, zh_text: str) -> None:
    for lang, text in (("vi", vi_text), ("zh", zh_text)):
        result = extract_text(text, lang=lang, published="2024-06-14")
        article = result.article
        for key in ("figures", "dates", "places"):
            for item in article[key]:
                assert text[item["start"] : item["end"]] == item["text"], (key, item)
        assert extract_text(text, lang=lang, published="2024-06-14").outcomes == result.outcomes


_SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda p: (p[0], p[0] + p[1])), max_size=30)


@_SETTINGS
@given(_SPANS, _SPANS)
def test_span_sets_answer_as_a_scan_would(added: list[tuple[int, int]], queries: list[tuple[int, int]]) -> None:
    union, covering = SpanUnion(), CoveringSpans(0, 80)
    for start, end in added:
        union.add(start, end)
        covering.add(start, end)
    disjoint: list[tuple[int, int]] = []
    for start, end in sorted(added):
        if all(end <= s or e <= start for s, e in disjoint):
            disjoint.append((start, end))
    held = DisjointSpans(disjoint, disjoint)
    for start, end in queries:
        assert union.overlaps(start, end) == any(s < end and start < e for s, e in added)
        assert covering.covers(start, end) == any(s <= start and end <= e for s, e in added)
        assert held.holds(start, end) == any(s <= start and end <= e for s, e in disjoint)
        assert held.within(start, end) == [(s, e) for s, e in disjoint if start <= s and e <= end]
