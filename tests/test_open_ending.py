"""A line without a full stop at its end (a heading) is told apart by reading its end only: the same verdict
as searching the whole line for an open ending. Closing quotes and brackets after a full stop do not make
a paragraph a heading."""

from __future__ import annotations

import pytest

from extractor.textdoc import _OPEN_ENDING, _open_ending, segment


@pytest.mark.parametrize(("line", "open_end"), [
    ("Hiến máu tình nguyện năm 2024", True),
    ("Tiếp nhận 410 đơn vị máu.", False),
    ("“今天一共采了5万多毫升”", True),  # a closing quote after a letter
    # a quotation or bracket closed after its full stop ends the sentence: the closer is no letter
    ("他说：“献血光荣。”", False),
    ("Chị Lan chia sẻ: “Tôi sẽ tiếp tục hiến máu.”", False),
    ("共有156人成功献血。）", False),
    ("共有156人成功献血。", False),
    ("绵阳市中心血站（供图）", True),
    ("Ngày hội hiến máu \u3000 ", True),
    ("Kết quả:", False),
    ("”", False),  # closers alone: no letter the line ends on
    ("..", False),
    ("", False),
    ("a\n", True),
])
def test_a_line_is_open_where_searching_it_whole_finds_an_open_ending(line: str, open_end: bool) -> None:
    assert _open_ending(line) is open_end
    assert (_OPEN_ENDING.search(line) is not None) is open_end


def test_a_paragraph_ending_in_a_closed_quotation_is_no_heading() -> None:
    text = ("南京献血\n\n3月5日，南京市鼓楼区共有320人参加无偿献血。\n\n"
            "献血者王先生说：“献血是件光荣的事。”\n\n记者 李明")
    tdoc = segment(text, "zh")
    headings = [text[b.start : b.end] for b in tdoc.blocks if b.heading]
    assert "南京献血" in headings
    assert not any("光荣" in h for h in headings)
