"""Word boundaries of an article, for the place stage: where the language tokenizer's words start and end.

A gazetteer hit counts only on word boundaries ("广泰大厦门口" holds no 厦门), so the boundaries are needed
only in the sentences that hold a gazetteer candidate: each such sentence is tokenized once, on the first
question about it, and kept as sorted start and end offsets. (A spaCy Doc over the whole article gave the
same answers at about five times the cost: its only use here was reading where tokens start and end.)

Tokenizing a sentence alone gives the words the whole text would: sentences end at punctuation or a line
break, where the tokenizers (jieba, rjieba) cut their blocks anyway.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.textdoc import TextDoc

Tokenizer = Callable[[str], list[tuple[int, int]]]


class WordBounds:
    """Sorted word starts and ends per sentence of `tdoc`, computed when first asked for."""

    def __init__(self, tdoc: TextDoc, tokenize: Tokenizer) -> None:
        self._tdoc = tdoc
        self._tokenize = tokenize
        self._by_sentence: dict[int, tuple[list[int], list[int]]] = {}

    def _bounds(self, pos: int) -> tuple[list[int], list[int]] | None:
        sentence = self._tdoc.sentence_at(pos)
        if sentence is None:
            return None
        found = self._by_sentence.get(sentence.index)
        if found is None:
            start = sentence.start
            # the tokenizer reads the folded text (same offsets): Traditional characters cut as Simplified
            spans = self._tokenize(self._tdoc.match_text[start : sentence.end])
            found = ([start + s for s, _ in spans], sorted(start + e for _, e in spans))
            self._by_sentence[sentence.index] = found
        return found

    def starts_word(self, pos: int) -> bool:
        """Whether a word begins at `pos`."""
        bounds = self._bounds(pos)
        return bounds is not None and _holds(bounds[0], pos)

    def is_aligned(self, start: int, end: int) -> bool:
        """Whether [start, end) begins and ends on word boundaries of one sentence."""
        bounds = self._bounds(start)
        if bounds is None or not _holds(bounds[0], start):
            return False
        sentence = self._tdoc.sentence_at(start)
        return sentence is not None and end <= sentence.end and _holds(bounds[1], end)

    def all_starts(self) -> set[int]:
        """Every word start of every sentence (tokenizes them all)."""
        return {pos for s in self._tdoc.sentences if (b := self._bounds(s.start)) for pos in b[0]}


def _holds(sorted_offsets: list[int], pos: int) -> bool:
    i = bisect_left(sorted_offsets, pos)
    return i < len(sorted_offsets) and sorted_offsets[i] == pos
