"""Which language an article is in: Vietnamese, Chinese, or something we do not read.

underthesea's lang_detect needs a model download, so this counts scripts instead: Han characters
against the letters only Vietnamese uses (ă â đ ê ô ơ ư and the tone-marked vowels). On news text the
two never come close; an article with neither (English, Thai...) is skipped with the counts as reason.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

SUPPORTED = ("vi", "zh")
_VI_BASE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_VI_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave acute tilde hook dot


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None
    reason: str


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _is_vietnamese_letter(ch: str) -> bool:
    if ch in _VI_BASE_LETTERS:
        return True
    decomposed = unicodedata.normalize("NFD", ch)
    return len(decomposed) > 1 and decomposed[0].isascii() and any(c in _VI_TONE_MARKS for c in decomposed)


def detect_language(text: str, sample: int = 20_000) -> LanguageGuess:
    head = text[:sample]
    han = sum(1 for ch in head if _is_han(ch))
    letters = sum(1 for ch in head if ch.isalpha() and not _is_han(ch))
    vi = sum(1 for ch in head if _is_vietnamese_letter(ch))
    counts = f"{han} Han characters, {vi} Vietnamese letters, {letters} other letters"
    if han >= 20 and han >= vi:
        return LanguageGuess("zh", counts)
    if vi >= 10 and vi >= 0.03 * max(letters, 1):
        return LanguageGuess("vi", counts)
    return LanguageGuess(None, f"neither Vietnamese nor Chinese ({counts})")
