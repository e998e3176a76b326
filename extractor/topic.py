"""Is an article about blood donation? Keyword rules from patterns/<lang>/topic.yaml: `extract fetch
--match` and the cluster pipeline's pre-filter (`extractor.cluster`) ask the same question."""

from __future__ import annotations

from functools import cache

from extractor import patterns
from extractor.lang import codes
from extractor.language import detect_language

LANGS = codes()


@cache
def _rules(lang: str) -> tuple[list, int]:
    pattern_file = patterns.load(lang, "topic")
    compiled = [regex for _rule, regex in pattern_file.compiled_rules()]
    return compiled, int(pattern_file.data["min_hits"])


def topic_hits(lang: str, text: str) -> tuple[int, int]:
    """(rule hits in the title line, rule hits in the whole text)."""
    compiled, _ = _rules(lang)
    title = text.split("\n", 1)[0]
    return (sum(len(r.findall(title)) for r in compiled), sum(len(r.findall(text)) for r in compiled))


def matches_topic(text: str, lang: str | None = None) -> bool:
    """True when the title names blood donation or the text does at least `min_hits` times.
    Unknown language: guessed from the script, else both rule sets are tried."""
    langs = [lang] if lang in LANGS else [g] if (g := detect_language(text, evidence="short").lang) else list(LANGS)
    for code in langs:
        in_title, in_text = topic_hits(code, text)
        if in_title >= 1 or in_text >= _rules(code)[1]:
            return True
    return False
