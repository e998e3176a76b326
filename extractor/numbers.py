"""Reading numerals: "1.635.000", "1,85 triệu", "172.9" (Vietnamese); "12万", "一千二百", "三四百" (Chinese).

The regexes that find numbers live in `patterns/<lang>/numbers.yaml` (fragment `{NUM}`); this module
turns the matched words into a value. Scale words and qualifier words are data in the same files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

from extractor import patterns
from extractor.patterns import register_example_checker

_VI_THOUSANDS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_MULTIPLIERS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
# "1,580余万": an approximation word may sit between the digits and 万/亿 (the rule reads it as a qualifier)
_ARABIC_WITH_MULTIPLIER = re.compile(r"^([0-9.,]+)(?:[余多](?=[万亿]))?([万亿千百])?([0-9一二三四五六七八九])?$")


@dataclass(frozen=True)
class Number:
    value: float
    low: float | None = None  # an approximate pair ("三四百") keeps its bounds
    high: float | None = None


def clean(value: float) -> int | float:
    """Integers as int, so JSON says 1265 and not 1265.0."""
    return int(value) if float(value).is_integer() else round(value, 6)


def parse_number(text: str, lang: str) -> Number | None:
    text = text.strip()
    try:
        return _parse_vi(text) if lang == "vi" else _parse_zh(text)
    except (ValueError, ArithmeticError):
        return None


def _parse_vi(text: str) -> Number | None:
    data = patterns.load("vi", "numbers").data
    scales: dict[str, int] = data["scales"]
    multiplier = 1
    for word, factor in scales.items():
        if text.endswith(word):
            text, multiplier = text[: -len(word)].strip(), factor
            break
    words: dict[str, int] = data.get("words") or {}
    if text.lower() in words:  # "một nghìn": a numeral word before a scale
        return Number(float(words[text.lower()]) * multiplier)
    if not text or not text[0].isdigit():
        return None
    if _VI_THOUSANDS.match(text):
        digits = text.replace(".", "").replace(",", ".")
    elif "," in text:
        digits = text.replace(",", ".")  # the decimal comma
    else:
        digits = text  # "172.9": a decimal dot, as web copy writes it
    return Number(float(digits) * multiplier)


def _parse_zh(text: str) -> Number | None:
    text = unicodedata.normalize("NFKC", text).replace("，", ",")
    if not text:
        return None
    if text[0].isdigit():
        m = _ARABIC_WITH_MULTIPLIER.match(text)
        if not m:
            return None
        base = float(m.group(1).replace(",", ""))
        unit = _CN_MULTIPLIERS.get(m.group(2) or "", 1)
        value = base * unit
        if m.group(3):  # "5万3" = 53,000: the trailing digit counts the next order down
            value += _digit(m.group(3)) * unit / 10
        return Number(value)
    if text[0] in "十百千万亿":
        text = "一" + text  # "千人" is a thousand people
    pair = _approximate_pair(text)
    if pair:
        return pair
    return Number(float(cn2an.cn2an(text.replace("〇", "零"), "normal")))


def _digit(ch: str) -> int:
    return int(ch) if ch.isdigit() else cn2an.cn2an(ch, "normal")


def _approximate_pair(text: str) -> Number | None:
    """"三四百" = 300 to 400: two adjacent digits before one multiplier."""
    if len(text) >= 3 and text[0] in _CN_DIGITS and text[1] in _CN_DIGITS and text[2] in _CN_MULTIPLIERS:
        tail = text[2:]
        low = cn2an.cn2an(text[0] + tail, "normal")
        high = cn2an.cn2an(text[1] + tail, "normal")
        if high > low:
            return Number(float(low), float(low), float(high))
    return None


def qualifier_of(word: str | None, lang: str) -> str:
    """Map a qualifier word ("hơn", "多", "约") to the contract's qualifier name."""
    if not word:
        return "exact"
    table: dict[str, str] = patterns.load(lang, "numbers").data.get("qualifiers", {})
    return table.get(word.strip().lower(), table.get(word.strip(), "exact"))


@register_example_checker("numbers")
def check_example(lang: str, example: dict) -> None:
    got = parse_number(str(example["text"]), lang)
    expected = example["expect"]
    if expected is None:
        assert got is None, f"{example['text']!r}: expected no number, got {got}"
        return
    assert got is not None, f"{example['text']!r}: no number read"
    assert abs(got.value - expected) < 1e-6, f"{example['text']!r}: {got.value} != {expected}"
    for bound in ("low", "high"):
        if bound in example:
            assert getattr(got, bound) == example[bound], f"{example['text']!r}: {bound} {got}"
