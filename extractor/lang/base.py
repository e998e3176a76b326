"""What a language pack provides: everything the stages need to know about one language.

A stage never branches on a language code; it asks the article's pack (`TextDoc.pack`). Adding a
language is one new module beside `vi.py` and `zh.py`, registered in `extractor.lang`, plus its rule
files under `patterns/<code>/`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import regex

from extractor.numbers import strip_invisible, within_range

if TYPE_CHECKING:  # type hints only: textdoc imports this package
    from extractor.gazetteer.model import Gazetteer
    from extractor.numbers import Number
    from extractor.textdoc import TextDoc


class UnknownLanguage(ValueError):
    """A language code no pack is registered for."""


@dataclass(frozen=True)
class ScriptEvidence:
    """How the language shows in its script: the letters only it uses, and how many make a verdict."""

    letters: regex.Pattern[str]
    min_letters: dict[str, int]  # by evidence kind: "article" (a whole text), "short" (a page title, a snippet)
    min_share: float = 0.0  # of the letters not written in a logographic script
    logographic: bool = False


class LanguagePack(ABC):
    code: str  # ISO 639-1, the directory name under patterns/
    name: str  # in English, for messages
    country: str  # ISO 3166 alpha-2 of the country whose news this pack reads
    country_name: str
    national_name: str  # the words naming the whole country ("toàn quốc", "全国")
    spacy_code: str
    time_zone: str  # IANA name: the outlets' clock, which a publication date is a day of
    date_order: str  # how numeric dates are written: 'DMY', 'YMD' (dateparser's DATE_ORDER)
    script: ScriptEvidence
    # characters the tokenizer always cuts at, each a word of its own or a space: the text between two of
    # them is tokenized alone with the same result (extractor.wordbounds); None: tokenize whole sentences
    token_separators: regex.Pattern[str] | None = None

    # --- segmentation -------------------------------------------------------------------------

    @abstractmethod
    def sentences(self, chunk: str) -> list[str]:
        """The sentences of one line, each a substring of it."""

    @abstractmethod
    def tokens(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the words of `text`."""

    def fold(self, text: str) -> str:
        """The text the rules read: variant spellings folded, same length and offsets."""
        return text

    @cached_property
    def blank_pipeline(self) -> Any:  # spacy.Language, imported lazily
        import spacy

        return spacy.blank(self.spacy_code, config=self.spacy_config())

    def spacy_config(self) -> dict[str, Any]:
        return {}

    # The benchmark's reference: one plain pass of the language's usual tokenizer over `texts` (a list of
    # str), as a standalone script, so that its whole process is timed with nothing of ours loaded.
    reference_code: str = "for text in texts:\n    text.split()\n"

    # --- numbers ------------------------------------------------------------------------------

    def parse_number(self, text: str) -> Number | None:
        """The value of a numeral matched by `{NUM}` ("1.635.000", "12万"); None when it is none, or
        when its value is beyond what a figure can be (`extractor.numbers.within_range`). Invisible
        format characters inside it ("1\u200b265") are skipped."""
        numeral = strip_invisible(text)
        number = self.read_number(numeral)
        return number if number is not None and within_range(number, numeral) else None

    @abstractmethod
    def read_number(self, text: str) -> Number | None:
        """The language's reading of a numeral (no invisible characters in it)."""

    # --- places -------------------------------------------------------------------------------

    @abstractmethod
    def gazetteer(self) -> Gazetteer:
        """The administrative units of the pack's country."""

    def gazetteer_haystack(self, chunk: str) -> str:
        """The form of a sentence the gazetteer's keys are matched in (same length as `chunk`)."""
        return chunk

    def province_as_of(self, province: str | None, day: dt.date | None) -> str | None:
        """The province as named on `day` (a country whose provinces were redrawn renames them)."""
        return province

    def province_layouts(self, province: str | None) -> dict[str, str | None]:
        """Extra fields naming the province in other layouts, so years compare on one layout."""
        return {}

    def place_codes(self, location: dict[str, Any], written: dt.date | None) -> dict[str, str | None]:
        """The official codes of an outcome's place (`location.codes`), as far as the gazetteer knows them;
        `written`: when the article was written (the layout its province is named in)."""
        from extractor.gazetteer.model import no_codes

        return no_codes()

    def site_starts_with_unit(self, site_name: str, unit_name: str) -> bool:
        """Whether a site's name begins with the unit's name ("Bệnh viện Đa khoa Hà Nam" does not; "绵阳市中心血站"
        begins with 绵阳市): the unit is then the one the site speaks for."""
        return site_name.startswith(unit_name)

    @abstractmethod
    def place_hit_allowed(self, tdoc: TextDoc, chunk: str, offset: int, start: int, end: int, typed: bool) -> bool:
        """Whether a gazetteer key found at chunk[start:end] (the chunk begins at `offset` of the
        text) is a place mention and not part of another word; `typed` keys carry their type word."""
