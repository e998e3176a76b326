"""Chinese: jieba words, sentences ending in 。！？, Traditional characters folded to Simplified for
the rules (zhconv), numerals with 万/亿 and Chinese digits (cn2an), cpca for places."""

from __future__ import annotations

import datetime as dt
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from extractor import patterns
from extractor.lang.base import LanguagePack, ScriptEvidence
from extractor.numbers import Number, combine_groups

if TYPE_CHECKING:
    from extractor.gazetteer.model import Gazetteer
    from extractor.textdoc import TextDoc

_SENTENCE_END = regex.compile(r"[。！？!?]+[”\"’」』）)]*")
_DIGITS = "零〇一二两三四五六七八九"
# A numeral of Arabic groups: "12万", "1,580余万" (an approximation word may sit between the digits and
# 万/亿; the rule reads it as a qualifier), "3万4000", "25万6千", "1亿2000万", "5万3".
_ARABIC_HEAD = regex.compile(r"([0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)(?:[余多](?=[万亿]))?([百千]?[万亿]|[百千])?")
_ARABIC_TAIL = regex.compile(r"([0-9]+(?:,[0-9]{3})*|[一二三四五六七八九])([百千]?[万亿]|[百千])?")
_HAN = regex.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


@cache
def jieba_tokenizer() -> Any:  # jieba.Tokenizer: what rjieba is held to (tests/test_wordbounds.py)
    import jieba

    from extractor.gazetteer.cache import cache_dir

    tokenizer = jieba.Tokenizer()
    folder = cache_dir()  # jieba's dictionary cache beside ours, not in /tmp
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(folder)
    except OSError:
        pass
    jieba.setLogLevel(60)
    tokenizer.initialize()
    return tokenizer


def _simplified(ch: str) -> str:
    import zhconv

    out = zhconv.convert(ch, "zh-cn")
    return out if len(out) == 1 else ch


def _changed_characters() -> dict[int, str]:
    """Every character zhconv reads as another single one: those of its tables' one-character entries
    (a character in none of them converts to itself)."""
    import zhconv.zhconv

    zhconv.convert("", "zh-cn")  # loads the tables
    singles = {key for table in zhconv.zhconv.zhcdicts.values() if isinstance(table, dict)
               for key in table if len(key) == 1}
    changed = {ch: _simplified(ch) for ch in sorted(singles)}
    return {ord(ch): out for ch, out in changed.items() if out != ch}


@cache
def _changed() -> dict[int, str]:
    """The changed characters, built once and kept in the user's cache folder: importing zhconv (and the
    pkg_resources it loads) was a tenth of a second of every Chinese run's start-up."""
    from extractor.gazetteer.cache import cached

    return cached("zh-fold", [Path(__file__)], ["zhconv"], _changed_characters)


class _FoldTable(dict[int, str]):
    """str.translate's table, filled on demand: each character looked up in C after its first time."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _changed().get(code, chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


@cache
def _scales() -> dict[str, int]:
    return dict(patterns.load("zh", "numbers").data["scales"])


class Chinese(LanguagePack):
    code = "zh"
    name = "Chinese"
    country = "CN"
    country_name = "China"
    national_name = "全国"
    spacy_code = "zh"
    time_zone = "Asia/Shanghai"
    date_order = "YMD"
    script = ScriptEvidence(_HAN, {"article": 20, "short": 5}, logographic=True)

    def sentences(self, chunk: str) -> list[str]:
        pieces, last = [], 0
        for m in _SENTENCE_END.finditer(chunk):
            pieces.append(chunk[last : m.end()].strip())
            last = m.end()
        pieces.append(chunk[last:].strip())
        return [p for p in pieces if p]

    # jieba and rjieba segment each block of Han letters, Latin letters, digits and +#&._%- alone, cutting
    # at anything else: these punctuation marks and spaces are never inside a block
    token_separators = regex.compile(r"[\s，。；：！？、“”‘’（）《》【】,;:!?()\"']")

    def tokens(self, text: str) -> list[tuple[int, int]]:
        """rjieba's words (jieba's algorithm and dictionary in Rust, about 13x faster): on the dev set and
        the spec tables every gazetteer decision made from its boundaries equals jieba's
        (`tests/test_wordbounds.py`), though about 1% of its tokens differ."""
        import rjieba

        return [(start, end) for word, start, end in rjieba.tokenize(text) if not word.isspace()]

    def fold(self, text: str) -> str:
        """Traditional characters read as Simplified, one character for one, so every offset holds;
        the text itself when a length would change."""
        folded = text.translate(_FOLD_TABLE)
        return folded if len(folded) == len(text) else text

    reference_code = (
        "import jieba\n"
        "jieba.setLogLevel(60)\n"
        "for text in texts:\n"
        "    jieba.lcut(text)\n"
    )

    def read_number(self, text: str) -> Number | None:
        """"12万", "1,580余万", "5万3", "3万4000", "一千二百", "千人", "三四百" (an approximate pair)."""
        text = unicodedata.normalize("NFKC", text.strip())
        if not text:
            return None
        scales = _scales()
        try:
            if text[0].isdigit():
                return _arabic(text, scales)
            if text[0] in scales:
                text = "一" + text  # "千人" is a thousand people
            pair = _approximate_pair(text, scales)
            if pair:
                return pair
            return Number(float(_cn2an(text.replace("〇", "零"))))
        except (ValueError, ArithmeticError, KeyError):  # cn2an raises these on what is no numeral
            return None

    def gazetteer(self) -> Gazetteer:
        from extractor.gazetteer.cn import cn_gazetteer  # loaded by the first Chinese article only

        return cn_gazetteer()

    def place_codes(self, location: dict[str, Any], written: dt.date | None) -> dict[str, str | None]:
        from extractor.gazetteer.cn import cn_place_codes

        return cn_place_codes(location)

    def site_starts_with_unit(self, site_name: str, unit_name: str) -> bool:
        """"恩施州血液中心" begins with 恩施土家族苗族自治州 as it is called (恩施州), "绵阳市中心血站" with 绵阳市."""
        return site_name.startswith((unit_name, unit_name[:2] + "市", unit_name[:2] + "州"))

    def place_hit_allowed(self, tdoc: TextDoc, chunk: str, offset: int, start: int, end: int, typed: bool) -> bool:
        """A short name ("厦门") must be whole jieba words; a full name ("郾城区") need only start on one,
        since jieba glues a suffix to the next word ("郾城/区孟庙/镇")."""
        if typed:
            return tdoc.word_bounds.starts_word(offset + start)
        return tdoc.word_bounds.is_aligned(offset + start, offset + end)


def _scale(word: str | None, scales: dict[str, int]) -> int | None:
    if not word:
        return None
    value = 1
    for ch in word:  # "千万" is a thousand times ten thousand
        value *= scales[ch]
    return value


def _arabic(text: str, scales: dict[str, int]) -> Number | None:
    head = _ARABIC_HEAD.match(text)
    if head is None:
        return None
    groups = [(float(head.group(1).replace(",", "")), _scale(head.group(2), scales), len(head.group(1)) == 1)]
    pos = head.end()
    while pos < len(text):
        tail = _ARABIC_TAIL.match(text, pos)
        if tail is None or groups[-1][1] is None:
            return None
        groups.append((float(_digit(tail.group(1).replace(",", ""))),
                       _scale(tail.group(2), scales), len(tail.group(1)) == 1))
        pos = tail.end()
    value = combine_groups(groups)
    return Number(value) if value is not None else None


def _cn2an(text: str) -> float:
    import cn2an  # loaded on the first Chinese numeral: a Vietnamese run never needs it

    return cn2an.cn2an(text, "normal")


def _digit(ch: str) -> int:
    return int(ch) if ch.isdigit() else int(_cn2an(ch))


def _approximate_pair(text: str, scales: dict[str, int]) -> Number | None:
    """"三四百" = 300 to 400: two adjacent digits before one multiplier."""
    if len(text) >= 3 and text[0] in _DIGITS and text[1] in _DIGITS and text[2] in scales:
        tail = text[2:]
        low = _cn2an(text[0] + tail)
        high = _cn2an(text[1] + tail)
        if high > low:
            return Number(float(low), float(low), float(high))
    return None
