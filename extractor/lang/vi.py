"""Vietnamese: underthesea for sentences and words, Latin letters with Vietnamese diacritics,
numbers with a dot for thousands and a comma for decimals, vietnamadminunits for places."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import regex

from extractor import patterns
from extractor.lang.base import LanguagePack, ScriptEvidence
from extractor.numbers import Number, combine_groups

if TYPE_CHECKING:
    from extractor.gazetteer.model import Gazetteer
    from extractor.textdoc import TextDoc

_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_BASE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave acute tilde hook dot


def _is_vietnamese_letter(ch: str) -> bool:
    if ch in _BASE_LETTERS:
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    return len(decomposed) > 1 and decomposed[0].isascii() and any(c in _TONE_MARKS for c in decomposed)


# The letters only Vietnamese uses (ă â đ ê ô ơ ư and the tone-marked vowels), as one character class:
# counting with a class is ~20x faster than testing characters one by one in Python.
_LETTERS = regex.compile("[" + "".join(sorted(ch for ch in map(chr, range(0x00C0, 0x1EFA))
                                              if _is_vietnamese_letter(ch))) + "]")


# underthesea ends a sentence at "1." before an invisible character ("1.\u200f265"): such a cut is
# inside a number when the pieces touch and an invisible character sits at the cut.
_NUMBER_CUT_BEFORE = regex.compile(r"\d\p{Cf}*+(?:[.,]\p{Cf}*+)?$")
_NUMBER_CUT_AFTER = regex.compile(r"\p{Cf}*+(?:[.,]\p{Cf}*+)?\d")
_INVISIBLE = regex.compile(r"\p{Cf}")


def _rejoin_numbers(chunk: str, pieces: list[str]) -> list[str]:
    out: list[str] = []
    cursor = last_end = 0
    for piece in pieces:
        found = chunk.find(piece, cursor)
        if found < 0:
            return pieces  # the splitter changed the text: the caller copes
        cut = _NUMBER_CUT_BEFORE.search(out[-1]) if out and found == last_end else None
        after = _NUMBER_CUT_AFTER.match(piece) if cut else None
        if cut and after and _INVISIBLE.search(cut.group() + after.group()):
            out[-1] += piece
        else:
            out.append(piece)
        cursor = last_end = found + len(piece)
    return out


def _groups(text: str, scales: dict[str, int]) -> list[tuple[str, str | None]]:
    """"2 triệu 500 nghìn" -> [("2", "triệu"), ("500", "nghìn")]; [] when the text is not of groups."""
    pieces = text.split()
    groups: list[tuple[str, str | None]] = []
    for piece in pieces:
        scale = next((word for word in scales if piece.lower() == word), None)
        if scale is None:
            for word in scales:  # "2nghìn": the scale glued to the digits
                if piece.lower().endswith(word) and piece[0].isdigit():
                    groups.append((piece[: -len(word)], word))
                    break
            else:
                groups.append((piece, None))
        elif groups and groups[-1][1] is None:
            groups[-1] = (groups[-1][0], scale)
        else:
            return []
    return groups


def _digits_value(numeral: str) -> float | None:
    if not numeral or not numeral[0].isdigit():
        return None
    if _THOUSANDS.match(numeral):
        digits = numeral.replace(".", "").replace(",", ".")
    elif "," in numeral:
        digits = numeral.replace(",", ".")  # the decimal comma
    else:
        digits = numeral  # "172.9": a decimal dot, as web copy writes it
    try:
        return float(digits)
    except ValueError:
        return None


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class Vietnamese(LanguagePack):
    code = "vi"
    name = "Vietnamese"
    country = "VN"
    country_name = "Việt Nam"
    national_name = "toàn quốc"
    spacy_code = "vi"
    time_zone = "Asia/Ho_Chi_Minh"
    date_order = "DMY"
    script = ScriptEvidence(_LETTERS, {"article": 10, "short": 3}, min_share=0.03)

    def sentences(self, chunk: str) -> list[str]:
        from underthesea import sent_tokenize

        return _rejoin_numbers(chunk, [s.strip() for s in sent_tokenize(chunk) if s.strip()])

    def tokens(self, text: str) -> list[tuple[int, int]]:
        from underthesea import word_tokenize

        spans: list[tuple[int, int]] = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                # use_token_normalize=False keeps the original spelling, so tokens are substrings.
                cursor = 0
                for token in word_tokenize(line, use_token_normalize=False):
                    found = line.find(token, cursor)
                    if found < 0:
                        continue
                    spans.append((pos + found, pos + found + len(token)))
                    cursor = found + len(token)
            pos += len(line)
        return spans

    def spacy_config(self) -> dict[str, Any]:
        return {"nlp": {"tokenizer": {"use_pyvi": False}}}

    reference_code = (
        "from underthesea import word_tokenize\n"
        "for text in texts:\n"
        "    word_tokenize(text, use_token_normalize=False)\n"
    )

    def read_number(self, text: str) -> Number | None:
        """"1.635.000", "1,85 triệu", "172.9" (web copy's decimal dot), "một nghìn", "1 nghìn 200"."""
        data = patterns.load(self.code, "numbers").data
        scales: dict[str, int] = data["scales"]
        words: dict[str, int] = data["words"]
        groups: list[tuple[float, int | None, bool]] = []
        for numeral, scale in _groups(text.strip(), scales):
            value = float(words[numeral.lower()]) if numeral.lower() in words else _digits_value(numeral)
            if value is None:
                return None
            groups.append((value, scales[scale] if scale else None, numeral.isdigit() and len(numeral) == 1))
        value = combine_groups(groups) if groups else None
        return Number(value) if value is not None else None

    def gazetteer(self) -> Gazetteer:
        from extractor.gazetteer.vn import vn_gazetteer  # loaded by the first Vietnamese article only

        return vn_gazetteer()

    def gazetteer_haystack(self, chunk: str) -> str:
        lowered = chunk.lower()  # keys are lower-case; a bare name must still be capitalised in the text
        return lowered if len(lowered) == len(chunk) else chunk

    def province_as_of(self, province: str | None, day: dt.date | None) -> str | None:
        """From 2025-07-01 on, the 34 provinces of the merger: "Bình Dương" is then "Hồ Chí Minh"."""
        from extractor.gazetteer.vn import layout_change, province_2025, renamed_provinces

        if province and day is not None and day >= layout_change():
            return province_2025().get(province, province)
        if province and day is not None:  # "thành phố Huế" in 2024 is in Thừa Thiên Huế
            return next((before for name, before, until in renamed_provinces() if name == province and day < until),
                        province)
        return province

    def province_layouts(self, province: str | None) -> dict[str, str | None]:
        from extractor.gazetteer.vn import province_2025

        return {"province_2025": province_2025().get(province, province) if province else None}

    def place_codes(self, location: dict[str, Any], written: dt.date | None) -> dict[str, str | None]:
        from extractor.gazetteer.vn import vn_place_codes

        return vn_place_codes(location, written)

    def place_hit_allowed(self, tdoc: TextDoc, chunk: str, offset: int, start: int, end: int, typed: bool) -> bool:
        if (start > 0 and _is_word_char(chunk[start - 1])) or (end < len(chunk) and _is_word_char(chunk[end])):
            return False
        return typed or chunk[start].isupper()  # a bare name counts only when written as a proper noun
