"""Numbers as the figures carry them: a value, and the bounds of an approximate pair ("三四百").

The regexes that find numerals live in `patterns/<lang>/numbers.yaml` (fragment `{NUM}`); each
language pack reads the matched words into a `Number` (`LanguagePack.parse_number`), with the scale
and qualifier words of the same file.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from extractor import patterns

# No count, volume or percentage of a blood drive comes near 10^15 (world population is ~10^10, the
# blood a country collects in a year ~10^10 ml), and beyond 15 significant digits a float no longer
# holds every digit: a numeral past either bound is refused, never written rounded or as Infinity.
MAX_VALUE = 10**15
MAX_DIGITS = 15


@dataclass(frozen=True)
class Number:
    value: float
    low: float | None = None  # an approximate pair ("三四百") keeps its bounds
    high: float | None = None


def strip_invisible(text: str) -> str:
    """The numeral without the format characters (ZWSP, ZWJ, RLM, soft hyphen) a page left in it."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def within_range(number: Number, numeral: str) -> bool:
    """Whether a numeral's value is one a figure can have: finite, below MAX_VALUE, and written with
    no more significant digits than a float keeps."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", numeral) if ch.isdigit()).lstrip("0")
    values = [v for v in (number.value, number.low, number.high) if v is not None]
    return len(digits) <= MAX_DIGITS and all(math.isfinite(v) and abs(v) < MAX_VALUE for v in values)


def combine_groups(groups: list[tuple[float, int | None, bool]]) -> float | None:
    """The value of a numeral written in groups of falling scale: (number, scale, single digit) for
    "3万4000" [(3, 10⁴), (4000, None)], "25万6千", "1 nghìn 200". A group after a scale must be smaller
    than that scale; a last single digit without a scale counts the next order down ("5万3" = 53,000,
    "1 nghìn 2" = 1,200). None when the groups do not fall."""
    value, previous = 0.0, None
    for index, (number, scale, single) in enumerate(groups):
        if index and previous is None:
            return None  # only the last group may lack its scale
        if previous is not None:
            if scale is None and single and index == len(groups) - 1:
                scale = max(previous // 10, 1)
            if number * (scale or 1) >= previous:
                return None
        value += number * (scale or 1)
        previous = scale
    return value


def clean(value: float) -> int | float:
    """Integers as int, so JSON says 1265 and not 1265.0."""
    return int(value) if float(value).is_integer() else round(value, 6)


def qualifier_of(word: str | None, lang: str) -> str:
    """Map a qualifier word ("hơn", "多", "约") to the contract's qualifier name."""
    if not word:
        return "exact"
    table: dict[str, str] = patterns.load(lang, "numbers").data["qualifiers"]
    return table.get(word.strip().lower(), table.get(word.strip(), "exact"))


def scale_words(lang: str) -> list[str]:
    """The words that multiply a numeral ("triệu", "万"): a figure written with one is rounded."""
    return list(patterns.load(lang, "numbers").data["scales"])
