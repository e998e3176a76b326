"""Which language an article is in: one of the registered packs, or something we do not read.

underthesea's lang_detect needs a model download, so this counts scripts instead: each pack names the
letters only its language uses (Han characters; ă â đ ê ô ơ ư and the tone-marked vowels). On news
text the two never come close; an article with neither (English, Thai...) is skipped with the counts
as reason. This is the one detector: the HTML reader and the topic filter use it too (`evidence="short"`
for a page's text or a snippet, where fewer letters decide).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import regex

from extractor.lang import codes, packs

SUPPORTED = codes()
# Runs of letters, removed at once: the letters are what the removal takes away. Far cheaper than
# one match object per letter.
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# A set of plain characters and ranges ("[\u4e00-\u9fff]", "[ăâđ…]"): `re` reads it exactly as `regex`
# does, several times faster for a large set.
_PLAIN_SET = re.compile(r"\[\^?[^\[\]\\]+\]")
_DEFAULT_FLAGS = regex.compile("").flags


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None
    reason: str


def detect_language(text: str, sample: int = 5_000, evidence: str = "article") -> LanguageGuess:
    head = text[:sample]
    counts = {pack.code: _letter_count(pack.script.letters, pack.script.logographic)(head) for pack in packs()}
    logographic = sum(counts[p.code] for p in packs() if p.script.logographic)
    others = len(head) - len(_LETTER_RUNS.sub("", head)) - logographic
    described = ", ".join(f"{n} {pack.name} letters" for pack in packs() for n in [counts[pack.code]])
    described += f", {others} other letters"
    passing = [pack for pack in packs()
               if counts[pack.code] >= pack.script.min_letters[evidence]
               and counts[pack.code] >= pack.script.min_share * max(others, 1)]
    if not passing:
        names = " nor ".join(pack.name for pack in sorted(packs(), key=lambda p: p.name, reverse=True))
        return LanguageGuess(None, f"neither {names} ({described})")
    best = max(passing, key=lambda pack: counts[pack.code])  # ties: the earlier pack
    return LanguageGuess(best.code, described)


@cache
def _letter_count(letters: regex.Pattern[str], logographic: bool) -> Callable[[str], int]:
    """How many matches of a script's `letters` a text holds: `len(letters.findall(text))`, computed
    with `re` when the pattern is a set of plain characters (one character a match). A logographic
    script comes in long runs, removed at once; other scripts' letters are scattered among plain ones."""
    if letters.flags != _DEFAULT_FLAGS or not _PLAIN_SET.fullmatch(letters.pattern):
        return lambda text: len(letters.findall(text))
    if logographic:
        runs = re.compile(f"{letters.pattern}+")
        return lambda text: len(text) - len(runs.sub("", text))
    single = re.compile(letters.pattern)
    return lambda text: len(single.findall(text))
