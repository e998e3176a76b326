"""Word boundaries of an article, for the place stage: where the language tokenizer's words start and end.

A gazetteer hit counts only on word boundaries ("广泰大厦门口" holds no 厦门), so the boundaries are needed
only around gazetteer candidates: each piece of text a candidate lies in is tokenized once, on the first
question about it, and kept as sorted start and end offsets. (A spaCy Doc over the whole article gave the
same answers at about five times the cost: its only use here was reading where tokens start and end.)

A piece is a sentence, or, for a language whose pack names `token_separators`, the text between two such
characters in a sentence: characters the tokenizer always cuts at (jieba and rjieba cut their text into
blocks at punctuation and spaces and segment each block alone), so tokenizing a piece alone gives the
words the whole sentence would, for a third of the characters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

import regex

if TYPE_CHECKING:
    from extractor.textdoc import Sentence, TextDoc

Tokenizer = Callable[[str], list[tuple[int, int]]]


class WordBounds:
    """Sorted word starts and ends per piece of `tdoc`, computed when first asked for."""

    def __init__(self, tdoc: TextDoc, tokenize: Tokenizer, separators: regex.Pattern[str] | None = None) -> None:
        self._tdoc = tdoc
        self._tokenize = tokenize
        self._separators = separators
        self._by_piece: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
        self._cuts: dict[int, list[int]] = {}  # sentence index -> its separators' offsets

    def _piece(self, sentence: Sentence, pos: int) -> tuple[int, int]:
        if self._separators is None:
            return sentence.start, sentence.end
        cuts = self._cuts.get(sentence.index)
        if cuts is None:
            found = self._separators.finditer(self._tdoc.match_text, sentence.start, sentence.end)
            cuts = self._cuts[sentence.index] = [m.start() for m in found]
        i = bisect_right(cuts, pos)
        if i and cuts[i - 1] == pos:  # a separator is a word of its own: the sentence answers for it
            return sentence.start, sentence.end
        return (cuts[i - 1] + 1 if i else sentence.start), (cuts[i] if i < len(cuts) else sentence.end)

    def _tokens(self, start: int, end: int) -> tuple[list[int], list[int]]:
        found = self._by_piece.get((start, end))
        if found is None:
            # the tokenizer reads the folded text (same offsets): Traditional characters cut as Simplified
            spans = self._tokenize(self._tdoc.match_text[start:end])
            found = ([start + s for s, _ in spans], sorted(start + e for _, e in spans))
            self._by_piece[(start, end)] = found
        return found

    def _bounds(self, pos: int) -> tuple[tuple[list[int], list[int]], int] | None:
        """The bounds of the piece holding `pos`, and the piece's end."""
        sentence = self._tdoc.sentence_at(pos)
        if sentence is None:
            return None
        start, end = self._piece(sentence, pos)
        return self._tokens(start, end), end

    def starts_word(self, pos: int) -> bool:
        """Whether a word begins at `pos`."""
        found = self._bounds(pos)
        return found is not None and _holds(found[0][0], pos)

    def is_aligned(self, start: int, end: int) -> bool:
        """Whether [start, end) begins and ends on word boundaries of one sentence."""
        found = self._bounds(start)
        if found is None or not _holds(found[0][0], start):
            return False
        (_, ends), piece_end = found
        if end <= piece_end:
            return _holds(ends, end)
        sentence = self._tdoc.sentence_at(start)  # a span over a separator: the sentence's words decide
        return sentence is not None and end <= sentence.end and _holds(
            self._tokens(sentence.start, sentence.end)[1], end)

    def all_starts(self) -> set[int]:
        """Every word start of every sentence (tokenizes them all)."""
        return {pos for s in self._tdoc.sentences for pos in self._tokens(s.start, s.end)[0]}


def _holds(sorted_offsets: list[int], pos: int) -> bool:
    i = bisect_left(sorted_offsets, pos)
    return i < len(sorted_offsets) and sorted_offsets[i] == pos
