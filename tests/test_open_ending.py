"""A line without a full stop at its end (a heading) is told apart by reading its end only: the same verdict
as searching the whole line for an open ending."""

from __future__ import annotations

import pytest

from extractor.textdoc import _OPEN_ENDING, _open_ending


@pytest.mark.parametrize(("line", "open_end"), [
    ("Hiến máu tình nguyện năm 2024", True),
    ("Tiếp nhận 410 đơn vị máu.", False),
    ("“今天一共采了5万多毫升”", True),  # a closing quote after a letter
    # the closing mark itself can be the ending's last character: as the pattern reads it today, a
    # quotation closed after its full stop leaves the line open
    ("他说：“献血光荣。”", True),
    ("共有156人成功献血。）", True),
    ("共有156人成功献血。", False),
    ("绵阳市中心血站（供图）", True),
    ("Ngày hội hiến máu \u3000 ", True),
    ("Kết quả:", False),
    ("”", True),  # a closing quote is no stop of its own
    ("..", False),
    ("", False),
    ("a\n", True),
])
def test_a_line_is_open_where_searching_it_whole_finds_an_open_ending(line: str, open_end: bool) -> None:
    assert _open_ending(line) is open_end
    assert (_OPEN_ENDING.search(line) is not None) is open_end
