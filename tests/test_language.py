"""Language detection counts each script's letters exactly as one match per letter would (the reason names
the counts), whichever way a pack's letter pattern is counted."""

from __future__ import annotations

import pytest
import regex

from extractor.language import _letter_count, detect_language


@pytest.mark.parametrize(("text", "lang", "reason"), [
    ("Ngày 12/3, Tỉnh đoàn tổ chức ngày hội hiến máu tình nguyện, tiếp nhận 410 đơn vị máu an toàn.", "vi",
     "0 Chinese letters, 19 Vietnamese letters, 64 other letters"),
    ("2023年5月8日，绵阳市中心血站在涪城区开展无偿献血活动，共有156人成功献血，献血量达5万毫升。", "zh",
     "36 Chinese letters, 0 Vietnamese letters, 0 other letters"),
    ("台北捐血中心：「熱血青年」響應捐血，Blood drive 2024！", None,
     "neither Vietnamese nor Chinese (14 Chinese letters, 0 Vietnamese letters, 10 other letters)"),
    # circled and superscript digits and Roman numerals are letters to the count, "_" and 500 are not
    ("ĐÀ NẴNG – Hơn 500 sinh viên_tham gia ①②³ Ⅻ", None,
     "neither Vietnamese nor Chinese (0 Chinese letters, 5 Vietnamese letters, 28 other letters)"),
    ("", None, "neither Vietnamese nor Chinese (0 Chinese letters, 0 Vietnamese letters, 0 other letters)"),
])
def test_the_reason_counts_every_script_letter(text: str, lang: str | None, reason: str) -> None:
    guess = detect_language(text)
    assert (guess.lang, guess.reason) == (lang, reason)


@pytest.mark.parametrize("pattern", [
    "[\u4e00-\u9fff]",  # a plain set: counted with `re`
    "[ăâđ]",
    r"\p{Han}",  # not a plain set: counted by its own matches
    r"(?<=\s)[ăâđ]",
    "[^a-z ]",
])
@pytest.mark.parametrize("logographic", [True, False])
def test_every_way_of_counting_counts_what_findall_finds(pattern: str, logographic: bool) -> None:
    letters = regex.compile(pattern)
    text = "Đà Nẵng ăn đi â 献血活动 ,献 a_b 血123"
    assert _letter_count(letters, logographic)(text) == len(letters.findall(text))
