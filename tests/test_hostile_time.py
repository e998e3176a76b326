"""Hostile shapes take time in proportion to their length: each is timed against a plain pass of
the same stage over ordinary text of the same size, and must stay within a small multiple of it.
A ratio, never an absolute time: the bound holds on a slow machine as on a fast one, while the
shapes it guards against grew as n^2 to n^4.5 (a 752-byte sentence took 14 s)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from extractor.figures import find_figures
from extractor.html import parse_html
from extractor.pipeline import extract_text
from extractor.places import find_places
from extractor.textdoc import TextDoc, segment

# Linear code sits at 0.2-4x a plain pass; before the fixes these shapes took 10x (place
# de-duplication, which grows with the article) to 170x (figures in one sentence) at these sizes,
# and the numeral run and the nested page never finished or crashed.
MAX_RATIO = 6

# Ordinary reports, written for this test: varied sentences, a few places, one or two figures each.
_VI = [
    "Sáng {i}/4, tại Nhà văn hóa phường Hòa Minh, quận Liên Chiểu, Đà Nẵng, đã tiếp nhận {n} đơn vị máu.",
    "Chương trình thu hút {n} người tham gia, trong đó nhiều sinh viên lần đầu hiến máu.",
    "Ban tổ chức cho biết năm nay sẽ tổ chức thêm các điểm hiến máu lưu động tại các xã vùng cao.",
    "Theo Bệnh viện Chợ Rẫy, lượng máu dự trữ hiện đủ dùng trong khoảng {i} ngày.",
]
_ZH = [
    "{i}月4日，在郑州市金水区文化广场，市中心血站共采集全血{n}单位。",
    "当天共有{n}人次参加献血，其中不少是首次献血的大学生。",
    "血站工作人员表示，将继续在各县区开展流动采血活动，保障临床用血。",
    "据统计，今年以来全市献血人次同比增长{i}%。",
]


def _ordinary(templates: list[str], size: int) -> str:
    parts: list[str] = []
    i = 0
    while sum(map(len, parts)) < size:
        parts.append(templates[i % len(templates)].format(i=i % 28 + 1, n=100 + 7 * i))
        parts.append("\n\n" if i % 3 == 2 else " ")
        i += 1
    return "".join(parts)[:size]


def _best_time(fn: Callable[[], object], runs: int = 2) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(stage: Callable[[str], object], hostile: str, ordinary: str) -> float:
    stage(ordinary[:200])  # load rules, dictionaries and models outside the timing
    if isinstance(stage, _Places):
        stage.prepare(hostile, ordinary)
    return _best_time(lambda: stage(hostile)) / max(_best_time(lambda: stage(ordinary)), 1e-4)


def _pipeline(lang: str) -> Callable[[str], object]:
    return lambda text: extract_text(text, lang=lang)


def _figures(lang: str) -> Callable[[str], object]:
    return lambda text: find_figures(segment(text, lang))


class _Places:
    """find_places alone: the article is segmented and tokenized (jieba, underthesea) before the
    clock starts, so the ratio is that of the place stage itself."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.docs: dict[str, TextDoc] = {}

    def __call__(self, text: str) -> object:
        if text not in self.docs:
            self.docs[text] = tdoc = segment(text, self.lang)
            tdoc.token_starts  # noqa: B018 - the tokenizer's pass, kept out of the timing
        return find_places(self.docs[text])

    def prepare(self, *texts: str) -> None:
        for text in texts:
            self.docs.pop(text, None)
            self(text)


def _places(lang: str) -> _Places:
    return _Places(lang)


def _page(paragraphs: list[str], nested: bool, box: str = "div") -> str:
    if nested:
        body = "".join(f"<{box}>{p} " for p in paragraphs) + "</div>" * len(paragraphs)
    else:
        body = "".join(f"<{box}>{p}</div>" for p in paragraphs)
    return f"<html><head><title>Hiến máu</title></head><body>{body}</body></html>"


def _html_paragraphs(count: int) -> list[str]:
    return [f"Đoạn {i}: người dân phường {i % 40} đã tham gia hiến máu tình nguyện." for i in range(count)]


SHAPES = [
    # (id, stage, hostile text, language of the ordinary text)
    ("zh-numeral-run", _pipeline("zh"), "共有" + "一" * 1000 + "人献血，年满18岁。", "zh"),
    ("vi-figures-in-one-sentence", _figures("vi"), "Tiếp nhận " + "1 đơn vị máu, " * 1500 + ".", "vi"),
    ("zh-figures-in-one-sentence", _figures("zh"), "共采集" + "1单位、" * 1500 + "。", "zh"),
    ("vi-digit-run", _figures("vi"), "Tiếp nhận " + "1" * 20000 + " đơn vị máu.", "vi"),
    # two repeats of spaces with nothing between: each split of the run was tried, and failed
    ("zh-space-run", _figures("zh"), "献血者须年满18岁，体重50" + " " * 6000 + "人。", "zh"),
    # thousands of units, sites and "toàn quận" in one article: de-duplication compared each with each
    ("vi-places-dense", _places("vi"),
     "".join(f"Tại Trường THPT Số {i}, phường {i % 9 + 1}, quận Liên Chiểu, Đà Nẵng, toàn quận có {i} người.\n\n"
             for i in range(1000)), "vi"),
    # one sentence that never ends, naming a site and its units thousands of times
    ("zh-places-one-sentence", _places("zh"),
     "".join(f"在金水区第{i}中学、开封市，" for i in range(3000)) + "。", "zh"),
    ("zh-places-dense", _places("zh"),
     "".join(f"在郑州市金水区第{i}中学、开封市、洛阳市和新乡市，全市共有{i}人献血。\n\n" for i in range(1500)), "zh"),
]


@pytest.mark.parametrize(("stage", "hostile", "lang"), [pytest.param(*s[1:], id=s[0]) for s in SHAPES])
def test_hostile_shape_takes_a_small_multiple_of_a_plain_pass(stage: Callable[[str], object], hostile: str,
                                                              lang: str) -> None:
    ordinary = _ordinary(_VI if lang == "vi" else _ZH, len(hostile))
    assert len(ordinary) == len(hostile)
    ratio = _ratio(stage, hostile, ordinary)
    assert ratio < MAX_RATIO, f"{ratio:.1f}x a plain pass over {len(hostile)} characters"


@pytest.mark.parametrize("box", ["div", 'div class="related-news"'], ids=["divs", "teaser-boxes"])
def test_deeply_nested_html_takes_a_small_multiple_of_a_flat_page(box: str) -> None:
    # teaser boxes are furniture: each was searched for prose beneath it, the whole page again
    paragraphs = _html_paragraphs(5_000)
    nested, flat = _page(paragraphs, nested=True, box=box), _page(paragraphs, nested=False, box=box)
    parse_html(flat[:2000])
    ratio = _best_time(lambda: parse_html(nested), runs=1) / _best_time(lambda: parse_html(flat), runs=1)
    assert ratio < MAX_RATIO, f"{ratio:.1f}x a flat page of the same paragraphs"


def test_deeply_nested_html_keeps_its_text() -> None:
    page = parse_html(_page(_html_paragraphs(3000), nested=True))
    assert "Đoạn 2999:" in page.text  # no RecursionError, and the innermost paragraph is read
