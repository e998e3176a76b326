"""Which language an article is in: one of the registered packs, or something we do not read.

underthesea's lang_detect needs a model download, so this counts scripts instead: each pack names the
letters only its language uses (Han characters; ă â đ ê ô ơ ư and the tone-marked vowels). On news
text the two never come close; an article with neither (English, Thai...) is skipped with the counts
as reason. This is the one detector: the HTML reader and the topic filter use it too (`evidence="short"`
for a page's text or a snippet, where fewer letters decide).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.lang import codes, packs

SUPPORTED = codes()
_ANY_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class LanguageGuess:
    lang: str | None
    reason: str


def detect_language(text: str, sample: int = 5_000, evidence: str = "article") -> LanguageGuess:
    head = text[:sample]
    counts = {pack.code: len(pack.script.letters.findall(head)) for pack in packs()}
    logographic = sum(counts[p.code] for p in packs() if p.script.logographic)
    others = len(_ANY_LETTER.findall(head)) - logographic
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
