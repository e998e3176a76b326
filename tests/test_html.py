"""parse_html: main text without furniture, metadata, charset handling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractor.fetch.adapters import adapter_by_name
from extractor.html import ArticleSelectors, HtmlArticle, date_from_url, decode_html, parse_date, parse_html

SITE = Path(__file__).parent / "fixtures" / "site"
BASE = "http://127.0.0.1:8765"

# Fixture pages with their gold text and the teaser/comment/script strings that must not leak.
PAGES = json.loads((SITE / "pages.json").read_text(encoding="utf-8"))["pages"]
PAGE_IDS = [p["plain"].removesuffix(".txt") for p in PAGES]


def page_bytes(name: str, base: str = BASE) -> bytes:
    """A fixture page as the test server serves it ({{BASE}} replaced by the server's address)."""
    return (SITE / name).read_bytes().replace(b"{{BASE}}", base.encode("ascii"))


def gold(name: str) -> str:
    return (SITE / "plain" / name).read_text(encoding="utf-8").rstrip("\n")


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_outlet_adapter_text_equals_gold_without_furniture(entry: dict) -> None:
    selectors = adapter_by_name(entry["outlet"]).article if entry["outlet"] else None
    article = parse_html(page_bytes(entry["page"]), url=f"{BASE}/{entry['page']}", selectors=selectors)
    assert article.text == gold(entry["plain"])
    for leak in entry["leaks"]:
        assert leak not in article.text


@pytest.mark.parametrize("entry", PAGES, ids=PAGE_IDS)
def test_generic_heuristics_text_equals_gold_without_furniture(entry: dict) -> None:
    """Without any outlet adapter (empty selectors), the generic heuristics still give the gold text."""
    article = parse_html(page_bytes(entry["page"]), selectors=ArticleSelectors())
    assert article.text == gold(entry["plain"])
    for leak in entry["leaks"]:
        assert leak not in article.text


def test_plain_fixtures_mention_blood_donation_figures() -> None:
    """plain/ holds what `extract run` must see: each topical article carries donation figures."""
    for entry in PAGES:
        text = gold(entry["plain"])
        assert text.count("\n\n") >= 3
        if entry["topic"]:
            assert re.search(r"\d[\d.]* (đơn vị máu|người)|\d+人.{0,4}献血|献血量达", text), entry["plain"]


def test_laodongthudo_metadata() -> None:
    page = "laodongthudo/cau-giay-tiep-nhan-263-don-vi-mau-98231.html"
    article = parse_html(page_bytes(page), url=f"{BASE}/{page}?utm_source=fb")
    assert article.title == "Quận Cầu Giấy tiếp nhận 263 đơn vị máu trong ngày hội hiến máu mùa hè"
    assert article.text.split("\n")[0] == article.title and article.text.split("\n")[1] == ""
    assert article.published == "2024-06-14"
    assert article.author == "Ngọc Anh"
    assert article.source == "Lao Động Thủ Đô"
    assert article.url == f"{BASE}/{page}"  # canonical, tracking query gone
    assert article.lang == "vi"
    assert article.encoding == "utf-8"


def test_str_input_has_no_encoding() -> None:
    html = "<html><body><h1>Tiêu đề bài viết khá dài</h1><p>Đoạn văn một có đủ chữ.</p></body></html>"
    article = parse_html(html)
    assert isinstance(article, HtmlArticle)
    assert article.encoding is None
    assert article.text == "Tiêu đề bài viết khá dài\n\nĐoạn văn một có đủ chữ."


GB_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    "<title>市中心血站开展无偿献血活动_漯河日报</title></head><body>"
    "<div class='content'><p>本报讯 12月21日，市中心血站在人民广场开展无偿献血活动，共有302人参加献血。</p>"
    "<p>献血总量达9.6万毫升，其中镕字等生僻字也能正常显示。</p></div></body></html>"
)


def test_gbk_page_decoded_from_meta_charset() -> None:
    raw = GB_PAGE.encode("gb18030")
    article = parse_html(raw)
    assert article.encoding == "gb18030"  # gb2312 label, decoded with its superset
    assert "共有302人参加献血" in article.text
    assert "镕" in article.text  # outside GB2312: needs the superset
    assert article.title == "市中心血站开展无偿献血活动"
    assert article.lang == "zh"


def test_http_charset_wins_and_detection_when_nothing_declared() -> None:
    body = "<html><body><p>" + "本报讯 共有302人参加献血，献血总量达9.6万毫升。" * 5 + "</p></body></html>"
    assert decode_html(body.encode("gbk"), "GBK") == (body, "gb18030")
    text, codec = decode_html(body.encode("gbk"))
    assert text == body and codec == "gb18030"


def test_wrong_declared_charset_falls_back_to_detection() -> None:
    body = "<html><head><meta charset='utf-8'></head><body><p>" + "共有302人参加献血。" * 20 + "</p></body>"
    text, _ = decode_html(body.encode("gb18030"))
    assert "共有302人参加献血" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-14T10:25:00+07:00", "2024-06-14"),
        ("2023年12月21日 10:20", "2023-12-21"),
        ("Thứ Sáu, 14/06/2024 10:25", "2024-06-14"),
        ("Cập nhật: 5/3/2024", "2024-03-05"),
        ("no date here 2024", None),
        ("2024-13-45", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://wsjkw.henan.gov.cn/2023/12-21/t20231221_123456.html", "2023-12-21"),
        ("http://epaper.example.cn/html/2023-12/21/content_555.htm", "2023-12-21"),
        ("https://example.vn/2024/06/14/hien-mau.html", "2024-06-14"),
        ("https://example.vn/hien-mau-post123456.html", None),
    ],
)
def test_date_from_url(url: str, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_metadata_from_json_ld_and_time_element() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle", "headline": "Hiến máu",
     "datePublished": "2024-01-11T08:00:00+07:00", "author": [{"@type": "Person", "name": "Thu Hà"}],
     "publisher": {"@type": "Organization", "name": "Báo Nhân Dân"}}]}
    </script></head><body><article><h1>Hội nghị tổng kết công tác hiến máu</h1>
    <time datetime="2024-01-12">12/01/2024</time><p>Năm 2024, toàn quốc tiếp nhận 1.747.920 đơn vị máu.</p>
    </article></body></html>"""
    article = parse_html(html, url="https://nhandan.example/hoi-nghi.html")
    assert article.published == "2024-01-11"  # JSON-LD before <time>
    assert article.author == "Thu Hà"
    assert article.source == "Báo Nhân Dân"
    assert article.lang == "vi"  # no lang attribute: guessed from the text


def test_date_falls_back_to_time_then_url() -> None:
    html = "<html lang='zh-CN'><body><h1>献血活动圆满结束啦</h1><p>共有302人参加献血。</p></body></html>"
    assert parse_html(html, url="http://x.cn/a/2023-12/21/content_1.htm").published == "2023-12-21"
    assert parse_html(html).published is None
    assert parse_html(html).lang == "zh"


def test_body_with_a_furniture_like_class_is_kept() -> None:
    """A body div classed 'share-enabled' holds prose: it must not be dropped as a share widget."""
    paragraph = "Ngày hội hiến máu tình nguyện tại phường đã tiếp nhận {n} đơn vị máu từ người dân và sinh viên."
    body = "".join(f"<p>{paragraph.format(n=n)}</p>" for n in (101, 102, 103))
    html = (f"<html lang='vi'><body><h1>Phường tổ chức ngày hội hiến máu</h1><div class='post-content share-enabled'>"
            f"{body}</div><div class='share-box'><a>Facebook</a></div></body></html>")
    text = parse_html(html).text
    assert "103 đơn vị máu" in text and "Facebook" not in text
