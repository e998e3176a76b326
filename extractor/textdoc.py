"""The article as a document: blocks (lines), sentences, clauses, furniture, and a spaCy Doc.

All positions are character offsets into the article text, which is never rewritten: every span the
later stages produce is a slice of it. Word boundaries come from the language's own tokenizer, per
sentence and only where asked (`extractor.wordbounds`); the place stage uses them to refuse gazetteer
hits that cut through a word ("广泰大厦门口" holds no 厦门).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cache, cached_property

import regex

from extractor import patterns
from extractor.gazetteer.model import Gazetteer
from extractor.lang import LanguagePack, codes, get_pack
from extractor.wordbounds import WordBounds

_CLAUSE_BREAK = re.compile(r"[;；，：]|[,:](?=\s)|\s[-–]\s")
_SENTENCE_END = regex.compile(r"[.!?。！？](?:\s|$)|[。！？]|[:：]\s*$")  # or a list's head
_BULLET = re.compile(r"\s*[-–•·+*]\s")  # a list item's mark
# A paragraph ends with one of these (closing quotes and brackets aside); a heading does not.
_CLOSERS = "”’\"'»」』)）"
_OPEN_ENDING = regex.compile(rf"[^.!?…;:。！？；：\s{_CLOSERS}]\s*+[{_CLOSERS}]*+\s*+$")
_CLOSER_OR_SPACE = regex.compile(rf"[\s{_CLOSERS}]")  # what may follow the ending's last letter


def _open_ending(line: str) -> bool:
    """Whether `_OPEN_ENDING` finds a match in the line. It can only start at the line's last character
    before its closing quotes and spaces, or among them: searched from there, not from every position."""
    i = len(line)
    while i > 0 and _CLOSER_OR_SPACE.match(line, i - 1):
        i -= 1
    return _OPEN_ENDING.search(line, max(i - 1, 0)) is not None


@dataclass
class Block:
    index: int
    start: int
    end: int
    furniture: str | None = None  # why this line is page furniture, or None
    heading: bool = False  # a title or a section heading: a line that ends no sentence


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    block: int
    clauses: list[tuple[int, int]] = field(default_factory=list)

    def clause_of(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.clauses, (pos, math.inf)) - 1  # clauses are sorted and disjoint
        if i >= 0 and self.clauses[i][0] <= pos < self.clauses[i][1]:
            return self.clauses[i]
        return self.start, self.end


@dataclass
class TextDoc:
    text: str
    lang: str
    blocks: list[Block]
    sentences: list[Sentence]
    # The text the rules read: same length and offsets as `text`, with variant spellings folded
    # (Traditional Chinese characters read as Simplified). Spans are always sliced from `text`.
    match_text: str = ""

    @cached_property
    def pack(self) -> LanguagePack:
        return get_pack(self.lang)

    def __post_init__(self) -> None:
        if len(self.match_text) != len(self.text):
            self.match_text = self.text

    @cached_property
    def lead(self) -> int:
        """The index of the lead paragraph: the first block of body text that ends a sentence or heads a
        list (a breadcrumb "Sức khỏe | Chia sẻ" is none); -1 if none."""
        return next((b.index for b in self.blocks if not b.furniture and not b.heading
                     and _SENTENCE_END.search(self.text, b.start, b.end)), -1)

    @cached_property
    def spacy_doc(self):  # noqa: ANN201 - spacy.tokens.Doc, imported lazily
        """The whole article as a spaCy Doc of the tokenizer's words: for a stage that needs token
        attributes. Word boundaries alone are cheaper from `word_bounds`."""
        return build_spacy_doc(self.text, self.lang, self.match_text)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """The pack's gazetteer, looked up once per article (the place stage asks in every sentence)."""
        return self.pack.gazetteer()

    @cached_property
    def word_bounds(self) -> WordBounds:
        return WordBounds(self, self.pack.tokens, self.pack.token_separators)

    @cached_property
    def token_starts(self) -> set[int]:
        """Every word start of the article's sentences."""
        return self.word_bounds.all_starts()

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, pos: int) -> Sentence | None:
        i = bisect.bisect_right(self._sentence_starts, pos) - 1  # sentences are sorted and disjoint
        if i >= 0 and self.sentences[i].start <= pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    def is_word_aligned(self, start: int, end: int) -> bool:
        """True when [start, end) begins and ends on token boundaries of the language tokenizer."""
        return self.word_bounds.is_aligned(start, end)


def segment(text: str, lang: str) -> TextDoc:
    pack = get_pack(lang)  # an unknown language fails here, loudly
    blocks = _blocks(text, lang)
    sentences: list[Sentence] = []
    for block in blocks:
        if block.furniture:
            continue
        for start, end in _sentence_spans(text, block, pack):
            sentence = Sentence(len(sentences), start, end, block.index)
            sentence.clauses = _clauses(text, start, end)
            sentences.append(sentence)
    return TextDoc(text, lang, blocks, sentences, pack.fold(text))


def _blocks(text: str, lang: str) -> list[Block]:
    rules = _furniture_rules(lang)
    blocks: list[Block] = []
    seen_lines: set[str] = set()
    in_related_section = False
    for start, end in _paragraph_spans(text, rules):
        stripped = text[start:end]
        block = Block(len(blocks), start, end)
        if in_related_section:
            block.furniture = "related-articles section"
        elif stripped.rstrip(":： ").casefold() in rules.section_headings:
            in_related_section = True
            block.furniture = "related-articles heading"
        elif stripped in seen_lines and len(stripped) > 15:
            block.furniture = "repeated line (teaser or caption repeating a headline)"
        else:
            block.furniture = rules.line_reason(stripped)
        # a list item without a full stop ("- Số người đăng ký: 968") is no heading
        block.heading = _COLUMN not in stripped and _open_ending(stripped) and not _BULLET.match(stripped)
        seen_lines.add(stripped)
        blocks.append(block)
    return blocks


def _paragraph_spans(text: str, rules: _FurnitureRules) -> list[tuple[int, int]]:
    """The non-empty lines, stripped, with a hard-wrapped paragraph's lines joined into one."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        start, stripped = pos, line.strip()
        pos += len(line)
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        span = (start + lead, start + lead + len(stripped))
        if spans and _continues(text, spans[-1], span, rules):
            spans[-1] = (spans[-1][0], span[1])
        else:
            spans.append(span)
    return spans


_COLUMN = "|"  # a flattened table's column separator


def _continues(text: str, previous: tuple[int, int], line: tuple[int, int], rules: _FurnitureRules) -> bool:
    last_line = text[previous[0] : previous[1]].rsplit("\n", 1)[-1]
    next_line = text[line[0] : line[1]]
    if any(_COLUMN in part for part in (last_line, next_line)):  # table rows are lines of their own
        return False
    return (
        text.count("\n", previous[1], line[0]) == 1
        and len(last_line) >= rules.wrap_min_chars
        and rules.wrap_open_end.search(last_line) is not None
        and rules.wrap_continues.search(next_line) is not None
        and rules.line_reason(next_line) is None
    )


@dataclass
class _FurnitureRules:
    section_headings: set[str]
    line_rules: list[tuple[str, regex.Pattern[str]]]
    wrap_min_chars: int
    wrap_open_end: regex.Pattern[str]
    wrap_continues: regex.Pattern[str]

    def line_reason(self, line: str) -> str | None:
        for name, pattern in self.line_rules:
            if pattern.search(line):
                return name.replace("_", " ")
        return None


@cache
def _furniture_rules(lang: str) -> _FurnitureRules:
    pf = patterns.load(lang, "furniture")
    return _FurnitureRules(
        {h.casefold() for h in pf.word_list("section_headings")},
        [(rule["name"], rx) for rule, rx in pf.compiled_rules()],
        int(pf.data["wrapped_line"]["min_chars"]),
        pf.compile(pf.data["wrapped_line"]["open_end"]),
        pf.compile(pf.data["wrapped_line"]["continues"]),
    )


def furniture_headings() -> list[str]:
    """Every language's headings of related-article and comment boxes (the HTML reader drops them too)."""
    headings: list[str] = []
    for lang in codes():
        pf = patterns.load(lang, "furniture")
        headings += pf.word_list("section_headings") + pf.word_list("box_labels")
    return headings


@cache
def widget_lines() -> list[regex.Pattern[str]]:
    """Every language's rules for lines that are buttons or players (the HTML reader drops them too)."""
    return [rx for lang in codes() for rule, rx in patterns.load(lang, "furniture").compiled_rules()
            if rule["name"] in ("share_button", "player")]


def _sentence_spans(text: str, block: Block, pack: LanguagePack) -> list[tuple[int, int]]:
    chunk = text[block.start : block.end]
    pieces = pack.sentences(chunk)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        found = chunk.find(piece, cursor)
        if found < 0:  # the splitter changed the text: keep the rest of the line as one sentence
            spans.append((block.start + cursor, block.end))
            return spans
        spans.append((block.start + found, block.start + found + len(piece)))
        cursor = found + len(piece)
    if chunk[cursor:].strip():
        spans.append((block.start + cursor, block.end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    clauses, last = [], start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        if m.start() > last:
            clauses.append((last, m.start()))
        last = m.end()
    if end > last:
        clauses.append((last, end))
    return clauses or [(start, end)]


# --- the spaCy Doc ---------------------------------------------------------------------------


def build_spacy_doc(text: str, lang: str, match_text: str | None = None):  # noqa: ANN201 - spacy.tokens.Doc
    """A Doc whose tokens are the language tokenizer's words and whose text is exactly `text`
    (the tokenizer reads `match_text`, the folded copy of the same length, when given)."""
    from spacy.tokens import Doc

    pack = get_pack(lang)
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    folded = match_text if match_text is not None and len(match_text) == len(text) else text
    for start, end in pack.tokens(folded):
        if start < pos:
            continue
        gap = text[pos:start]
        if gap:
            if words and gap == " ":
                spaces[-1] = True
            else:  # other gaps (newlines, punctuation the tokenizer skipped) become tokens of their own
                words.append(gap)
                spaces.append(False)
        words.append(text[start:end])
        spaces.append(False)
        pos = end
    if pos < len(text):
        words.append(text[pos:])
        spaces.append(False)
    doc = Doc(pack.blank_pipeline.vocab, words=words, spaces=spaces)
    assert doc.text == text, "spaCy Doc must reproduce the article text exactly"
    return doc
