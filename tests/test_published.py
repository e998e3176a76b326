"""`published` in the forms metadata comes in: read to the outlet's day, or refused with a reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.output import read_jsonl
from extractor.published import read_published

D = dt.date

READ = [  # value, article language, fetched_at, the day
    ("2024-04-10", "vi", None, D(2024, 4, 10)),
    ("14/06/2024", "vi", None, D(2024, 6, 14)),
    ("14.06.2024", "vi", None, D(2024, 6, 14)),
    ("ngày 24/04/2023", "vi", None, D(2023, 4, 24)),
    ("21 tháng 6 năm 2024", "vi", None, D(2024, 6, 21)),
    ("Thứ Hai, 01/12/2026 08:37 GMT+7", "vi", None, D(2026, 12, 1)),
    ("发布时间：2023-12-21", "zh", None, D(2023, 12, 21)),
    ("2023年12月21日", "zh", None, D(2023, 12, 21)),
    ("2024/6/14 10:30", "zh", None, D(2024, 6, 14)),
    ("June 14, 2024", "zh", None, D(2024, 6, 14)),
    ("14/06/2024", None, None, D(2024, 6, 14)),  # language not known yet: both packs' words
    # a timestamp is a moment: its day is the day on the outlets' clock
    ("2024-06-14T20:00:00Z", "vi", None, D(2024, 6, 15)),
    ("2024-06-14T15:00:00Z", "zh", None, D(2024, 6, 14)),
    ("2024-06-14T23:30:00+08:00", "vi", None, D(2024, 6, 14)),
    # relative to when the page was fetched (UTC stamps, read on the outlet's clock)
    ("3 giờ trước", "vi", "2026-12-01T02:00:00Z", D(2026, 12, 1)),
    ("hôm qua", "vi", "2024-06-14T10:00:00+07:00", D(2024, 6, 13)),
    ("Hôm qua", "vi", "2024-06-14T18:00:00Z", D(2024, 6, 14)),  # already the 15th in Hanoi
    ("昨天", "zh", "2024-06-14T10:00:00+08:00", D(2024, 6, 13)),
    ("3小时前", "zh", "2024-06-14T00:30:00+08:00", D(2024, 6, 13)),
]


@pytest.mark.parametrize("value,lang,fetched_at,day", READ, ids=[f"{r[0]} ({r[1]})" for r in READ])
def test_published_is_read(value: str, lang: str | None, fetched_at: str | None, day: dt.date) -> None:
    assert read_published(value, lang, fetched_at) == read_published(value, lang, fetched_at)  # deterministic
    reading = read_published(value, lang, fetched_at)
    assert (reading.day, reading.warning) == (day, None)


REFUSED = [  # value, language, fetched_at, words of the warning
    (12345, "vi", None, "is not a date string"),
    (["2024-04-10"], "vi", None, "is not a date string"),
    ("2024-02-30", "vi", None, "no such day (2024-02-30)"),
    ("2024-13-01", "vi", None, "no such day (2024-13-01)"),  # never swapped into January 13
    ("0001-01-01", "vi", None, "not a plausible publication day"),
    ("9999-12-31", "zh", None, "not a plausible publication day"),
    ("không rõ", "vi", None, "not a date that can be read"),
    ("10%", "vi", "2026-12-01T02:00:00Z", "names no full day"),  # not the 10th of this month
    ("1200", "zh", "2026-12-01T02:00:00Z", "names no full day"),  # not a year
    ("hôm qua", "vi", None, "no fetched_at"),
    ("3 giờ trước", "vi", "not a time", "no fetched_at"),
    ("ngày 14/06/2024 " * 10_000, "vi", None, "too long for a date"),
]


@pytest.mark.parametrize("value,lang,fetched_at,words", REFUSED, ids=[str(r[0])[:20] for r in REFUSED])
def test_published_is_refused_with_a_reason(value: object, lang: str, fetched_at: str | None, words: str) -> None:
    reading = read_published(value, lang, fetched_at)
    assert reading.day is None and words in (reading.warning or "")


def test_no_published_is_no_warning() -> None:
    assert read_published(None, "vi") == read_published("  ", "zh") == read_published(None, None)
    assert read_published(None, "vi").warning is None


VI = "Hiến máu\n\nHôm qua, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu tình nguyện."


@pytest.mark.parametrize("meta,published,words", [
    ({"published": "14/06/2024"}, "2024-06-14", None),
    ({"published": "Thứ Hai, 01/12/2026 08:37 GMT+7"}, "2026-12-01", None),
    ({"published": "3 giờ trước", "fetched_at": "2026-12-01T02:00:00Z"}, "2026-12-01", None),
    ({"published": 12345}, None, "'published' is a number (12345), not a string"),
    ({"published": "2024-02-30"}, None, "no such day"),
    ({"published": "2024-13-01"}, None, "no such day"),
    ({"published": "0001-01-01"}, None, "not a plausible publication day"),  # with "Hôm qua": no OverflowError
    ({"published": "2024-06-14", "url": ["http://a.vn/1"]}, "2024-06-14", "'url' is a list"),
    ({"published": "2024-06-14", "title": {"vi": "x"}}, "2024-06-14", "'title' is an object"),
], ids=["d/m/y", "byline", "relative", "a number", "Feb 30", "month 13", "year 1", "url list", "title object"])
def test_sidecar_and_jsonl_published(tmp_path: Path, meta: dict[str, object], published: str | None,
                                     words: str | None) -> None:
    src = tmp_path / "c"
    src.mkdir()
    (src / "a.txt").write_text(VI, encoding="utf-8")
    (src / "a.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (src / "b.jsonl").write_text(json.dumps({"id": "b", "text": VI, **meta}, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(src), "--out", str(out), "--no-progress"]) == 0  # warnings never lose the article
    articles = {a["id"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert set(articles) == {"a", "b"}
    for article_id, source in (("a", "sidecar"), ("b", "jsonl")):
        article = articles[article_id]
        assert article["published"] == published
        assert article["published_source"] == (source if published else None)
        assert article["figures"] and article["figures"][0]["value"] == 320
    warnings = read_jsonl(out / "errors.jsonl")
    if words is None:
        assert warnings == []
    else:
        assert {w["id"] for w in warnings} == {"a", "b"} and all(w["level"] == "warning" for w in warnings)
        assert all(words in w["reason"] for w in warnings), warnings


def test_a_relative_day_resolves_against_the_published_day(tmp_path: Path) -> None:
    src = tmp_path / "c"
    src.mkdir()
    (src / "a.txt").write_text(VI, encoding="utf-8")
    (src / "a.meta.json").write_text('{"published": "15/06/2024"}', encoding="utf-8")
    assert main(["run", str(src), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    [outcome] = read_jsonl(tmp_path / "out" / "outcomes.jsonl")
    assert outcome["period"]["start"] == "2024-06-14"


PAGE = """<html lang="vi"><head><meta charset="utf-8"><title>Hiến máu tại Mê Linh</title></head><body>
<article><h1>Hiến máu tại Mê Linh</h1><div class="{cls}">{byline}</div>
<p>Hôm qua, tại khu công nghiệp Quang Minh, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu.</p>
</article></body></html>"""


@pytest.mark.parametrize("cls,byline,meta,published", [
    ("date", "Thứ Hai, 01/12/2026 08:37 GMT+7", None, "2026-12-01"),
    ("time", "Thứ Hai, 1 tháng 12, 2026", None, "2026-12-01"),
    ("date", "3 giờ trước", {"fetched_at": "2026-12-01T02:00:00Z"}, "2026-12-01"),
], ids=["numeric byline", "byline in words", "relative byline, fetched_at in the sidecar"])
def test_a_page_byline_is_read(tmp_path: Path, cls: str, byline: str, meta: dict[str, str] | None,
                               published: str) -> None:
    src = tmp_path / "c"
    src.mkdir()
    (src / "page.html").write_text(PAGE.format(cls=cls, byline=byline), encoding="utf-8")
    if meta:
        (src / "page.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert main(["run", str(src), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    [article] = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert (article["published"], article["published_source"]) == (published, "html")


@pytest.mark.parametrize("stamp,published", [
    ("2024-06-14T20:00:00Z", "2024-06-15"),  # 03:00 on the 15th in Hanoi
    ("2024-06-14T20:00:00+07:00", "2024-06-14"),
    ("2024-06-14", "2024-06-14"),
])
def test_a_page_timestamp_is_a_day_on_the_outlet_s_clock(tmp_path: Path, stamp: str, published: str) -> None:
    page = PAGE.format(cls="x", byline="").replace(
        "</title>", f'</title><meta property="article:published_time" content="{stamp}">')
    src = tmp_path / "c"
    src.mkdir()
    (src / "page.html").write_text(page, encoding="utf-8")
    assert main(["run", str(src), "--out", str(tmp_path / "out"), "--no-progress"]) == 0
    [article] = read_jsonl(tmp_path / "out" / "articles.jsonl")
    assert (article["published"], article["published_source"]) == (published, "html")
