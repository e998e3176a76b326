"""Numbers as the figures carry them: a value, and the bounds of an approximate pair ("三四百").

The regexes that find numerals live in `patterns/<lang>/numbers.yaml` (fragment `{NUM}`); each
language pack reads the matched words into a `Number` (`LanguagePack.parse_number`), with the scale
and qualifier words of the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractor import patterns


@dataclass(frozen=True)
class Number:
    value: float
    low: float | None = None  # an approximate pair ("三四百") keeps its bounds
    high: float | None = None


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
