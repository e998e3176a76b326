"""Chinese: jieba words, sentences ending in 。！？, Traditional characters folded to Simplified for
the rules (zhconv), numerals with 万/亿 and Chinese digits (cn2an), cpca for places."""

from __future__ import annotations

import os
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

import cn2an
import regex

from extractor import patterns
from extractor.gazetteer.cn import cn_gazetteer
from extractor.gazetteer.model import Gazetteer
from extractor.lang.base import LanguagePack, ScriptEvidence
from extractor.numbers import Number

if TYPE_CHECKING:
    from extractor.textdoc import TextDoc

_SENTENCE_END = regex.compile(r"[。！？!?]+[”\"’」』）)]*")
_DIGITS = "零〇一二两三四五六七八九"
# "1,580余万": an approximation word may sit between the digits and 万/亿 (the rule reads it as a qualifier)
_ARABIC_WITH_MULTIPLIER = regex.compile(r"^([0-9.,]+)(?:[余多](?=[万亿]))?([万亿千百])?([0-9一二三四五六七八九])?$")
_HAN = regex.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")


@cache
def jieba_tokenizer() -> Any:  # jieba.Tokenizer
    import jieba

    tokenizer = jieba.Tokenizer()
    cache_dir = os.environ.get("EXTRACTOR_CACHE_DIR")
    if cache_dir:  # keep jieba's dictionary cache out of /tmp when asked (tests do)
        os.makedirs(cache_dir, exist_ok=True)
        tokenizer.tmp_dir = cache_dir
    jieba.setLogLevel(60)
    tokenizer.initialize()
    return tokenizer


@cache
def _simplified(ch: str) -> str:
    if ch.isascii():
        return ch
    import zhconv

    out = zhconv.convert(ch, "zh-cn")
    return out if len(out) == 1 else ch


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

    def tokens(self, text: str) -> list[tuple[int, int]]:
        return [(start, end) for word, start, end in jieba_tokenizer().tokenize(text) if not word.isspace()]

    def fold(self, text: str) -> str:
        """Traditional characters read as Simplified, one character for one, so every offset holds;
        the text itself when a length would change."""
        folded = "".join(_simplified(ch) for ch in text)
        return folded if len(folded) == len(text) else text

    def reference_pass(self, texts: list[str]) -> None:
        tokenizer = jieba_tokenizer()
        for text in texts:
            tokenizer.lcut(text)

    def parse_number(self, text: str) -> Number | None:
        """"12万", "1,580余万", "5万3", "一千二百", "千人", "三四百" (an approximate pair)."""
        text = unicodedata.normalize("NFKC", text.strip()).replace("，", ",")
        if not text:
            return None
        scales = _scales()
        try:
            if text[0].isdigit():
                m = _ARABIC_WITH_MULTIPLIER.match(text)
                if not m:
                    return None
                base = float(m.group(1).replace(",", ""))
                unit = scales.get(m.group(2) or "", 1)
                value = base * unit
                if m.group(3):  # "5万3" = 53,000: the trailing digit counts the next order down
                    value += _digit(m.group(3)) * unit / 10
                return Number(value)
            if text[0] in scales:
                text = "一" + text  # "千人" is a thousand people
            pair = _approximate_pair(text, scales)
            if pair:
                return pair
            return Number(float(cn2an.cn2an(text.replace("〇", "零"), "normal")))
        except (ValueError, ArithmeticError):
            return None

    def gazetteer(self) -> Gazetteer:
        return cn_gazetteer()

    def place_hit_allowed(self, tdoc: TextDoc, chunk: str, offset: int, start: int, end: int, typed: bool) -> bool:
        """A short name ("厦门") must be whole jieba words; a full name ("郾城区") need only start on one,
        since jieba glues a suffix to the next word ("郾城/区孟庙/镇")."""
        if typed:
            return offset + start in tdoc.token_starts
        return tdoc.is_word_aligned(offset + start, offset + end)


def _digit(ch: str) -> int:
    return int(ch) if ch.isdigit() else cn2an.cn2an(ch, "normal")


def _approximate_pair(text: str, scales: dict[str, int]) -> Number | None:
    """"三四百" = 300 to 400: two adjacent digits before one multiplier."""
    if len(text) >= 3 and text[0] in _DIGITS and text[1] in _DIGITS and text[2] in scales:
        tail = text[2:]
        low = cn2an.cn2an(text[0] + tail, "normal")
        high = cn2an.cn2an(text[1] + tail, "normal")
        if high > low:
            return Number(float(low), float(low), float(high))
    return None
