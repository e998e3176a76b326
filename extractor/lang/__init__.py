"""The language registry: one pack per supported language (see `extractor.lang.base.LanguagePack`).

Everything that lists languages (the CLI's `--lang`, the schemas' `lang` and `country`, language
detection, the topic filter, the benchmark, the checks) derives from `codes()` and the packs.
"""

from __future__ import annotations

from extractor.lang.base import LanguagePack, ScriptEvidence, UnknownLanguage
from extractor.lang.vi import Vietnamese
from extractor.lang.zh import Chinese

__all__ = ["LanguagePack", "ScriptEvidence", "UnknownLanguage", "codes", "get_pack", "packs"]

# Order matters only for language detection: on equal evidence the earlier pack wins.
_PACKS: dict[str, LanguagePack] = {pack.code: pack for pack in (Chinese(), Vietnamese())}


def get_pack(code: str) -> LanguagePack:
    try:
        return _PACKS[code]
    except KeyError:
        raise UnknownLanguage(f"unknown language {code!r} (supported: {', '.join(codes())})") from None


def codes() -> tuple[str, ...]:
    return tuple(sorted(_PACKS))


def packs() -> tuple[LanguagePack, ...]:
    return tuple(_PACKS.values())


def country_of(code: str) -> str:
    return get_pack(code).country
