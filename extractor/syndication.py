"""Syndicated copies: one article printed by several outlets (a new title, a byline, a trimmed ending).

Near-duplicates are found with MinHash over character 5-grams of the whole text (no word segmenter needed
for Chinese), banded for locality-sensitive hashing: 64 hash functions in 16 bands of 4, so that two texts
of 5-gram Jaccard similarity 0.7 share a band with probability 1 - (1 - 0.7**4)**16 > 0.999 and two of 0.3
with probability 0.12; candidates are kept when their estimated similarity and containment reach
THRESHOLD and CONTAINMENT. Written here rather than taken from datasketch: some 60 lines over numpy
(already installed with spaCy), with hashes stable across processes (not Python's salted hash), so
a rerun marks the same copies. Measured: about 0.9 ms an article of 2,000-2,500 characters (1.9-2.5 ms
with per-gram crc32 hashes and (a·x + b) mod p), and a lookup touches only the articles sharing a band.

The first article read of a group is its original; every later copy gets `duplicate_of` = that id.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import regex

SHINGLE = 5
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
# A copy shares most of its 5-grams with the original: estimated containment (shared 5-grams over the
# smaller text's) of at least CONTAINMENT, and Jaccard of at least THRESHOLD so that a short item quoted
# inside a long review is not taken for a copy of it. Measured in tests/test_syndication.py: copies with
# a new title, byline or a trimmed last paragraph reach containment 0.9+, distinct reports of one
# province's year (the development set's closest pair) 0.3.
CONTAINMENT = 0.8
THRESHOLD = 0.5
MIN_SHINGLES = 40  # shorter texts (a caption, a teaser) are no evidence of copying
_rng = np.random.default_rng(20241201)  # fixed: the same functions in every run
_A = _rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64) * np.uint64(2)


# Everything but letters, marks and digits (space, punctuation, symbols, controls): a copy often
# re-punctuates or re-wraps.
_FOLDED_AWAY = regex.compile(r"[\W_]+")
# 5 code points into one 64-bit value (a polynomial, wrapping), then mixed (splitmix64's finaliser) and cut
# to 32 bits.
_BASE = np.uint64(0x100000001B3)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_LOW32 = np.uint64(0xFFFFFFFF)


def normalised(text: str) -> str:
    """Case, spacing and punctuation folded."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return _FOLDED_AWAY.sub(" ", folded).strip()


def shingles(text: str) -> np.ndarray:
    """The distinct character 5-grams of the text, as 32-bit hashes (computed over the code points at
    once, not gram by gram: this was most of the fingerprint's cost)."""
    points = np.frombuffer(normalised(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    count = points.size - SHINGLE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    wide = points.astype(np.uint64)
    hashes = wide[:count].copy()
    for k in range(1, SHINGLE):
        hashes *= _BASE
        hashes += wide[k:k + count]
    hashes ^= hashes >> np.uint64(30)
    hashes *= _MIX1
    hashes ^= hashes >> np.uint64(27)
    hashes *= _MIX2
    hashes ^= hashes >> np.uint64(31)
    return np.unique(hashes & _LOW32)


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: per hash function, the minimum over the shingles of a multiply-shift hash
    (a·x + b mod 2**64, its top 32 bits): no modulo, which made (a·x + b) mod p most of the cost."""
    if hashes.size == 0:
        return np.full(PERMUTATIONS, 0xFFFFFFFF, dtype=np.uint32)
    values = hashes[None, :] * _A[:, None]
    values += _B[:, None]
    values >>= np.uint64(32)
    return values.min(axis=1).astype(np.uint32)


def estimated_similarity(one: np.ndarray, other: np.ndarray) -> float:
    return float(np.mean(one == other))


def containment(similarity: float, size: int, other_size: int) -> float:
    """Shared 5-grams over the smaller set's, from the Jaccard similarity and the two set sizes."""
    shared = similarity * (size + other_size) / (1 + similarity)
    return shared / max(1, min(size, other_size))


def jaccard(one: str, other: str) -> float:
    """Exact 5-gram Jaccard similarity (what the signatures estimate)."""
    a, b = set(shingles(one).tolist()), set(shingles(other).tolist())
    return len(a & b) / len(a | b) if a or b else 0.0


def fingerprint(text: str) -> tuple[np.ndarray | None, int]:
    """A text's MinHash signature (None when it is too short to tell) and its number of shingles."""
    hashes = shingles(text)
    if hashes.size < MIN_SHINGLES:
        return None, int(hashes.size)
    return signature(hashes), int(hashes.size)


class SyndicationIndex:
    """Articles as they are read; `add` says which earlier article one copies.

    Kept compact, since it grows with the corpus: articles by serial number, signatures as 32-bit
    values, one bucket table keyed by band and band values. A copy whose signature and size equal an
    indexed article's is not indexed again: every later text would find that article with the same
    similarity and the same original, and a corpus of many identical copies no longer makes each new
    copy compare with all the earlier ones."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._signatures: list[np.ndarray] = []
        self._sizes: list[int] = []
        self._originals: list[int] = []  # serial -> its group's first article's serial
        self._buckets: dict[bytes, list[int]] = {}

    def __len__(self) -> int:
        """The articles indexed."""
        return len(self._ids)

    def add(self, article_id: str, text: str) -> str | None:
        """The id of the earlier article this one copies (None for an original), and this one remembered."""
        found = self.match(text)
        self.remember(article_id, found)
        return found.copied

    def match(self, text: str) -> Match:
        """Which earlier article the text copies, without remembering it (until `remember`)."""
        return self.match_fingerprint(*fingerprint(text))

    def match_fingerprint(self, sig: np.ndarray | None, size: int) -> Match:
        """`match` on a text's `fingerprint`, which a worker process computed."""
        if sig is None:
            return Match(None, None, size)
        candidates = list(dict.fromkeys(
            other for key in _band_keys(sig) for other in self._buckets.get(key, ())))
        if not candidates:
            return Match(None, sig, size)
        similarities = (np.stack([self._signatures[c] for c in candidates]) == sig).mean(axis=1)
        at = int(similarities.argmax())  # the first of the most similar, in the order candidates were indexed
        best, similarity = candidates[at], float(similarities[at])
        copied = None
        if similarity >= THRESHOLD and containment(similarity, size, self._sizes[best]) >= CONTAINMENT:
            copied = self._ids[self._originals[best]]
        same = similarity == 1.0 and self._sizes[best] == size
        return Match(copied, sig, size, None if same else self._originals[best] if copied else -1)

    def remember(self, article_id: str, found: Match) -> None:
        """Index an article once it is written (one that failed to be written is no original of later ones)."""
        if found.signature is None or found.group is None:
            return
        serial = len(self._ids)
        self._ids.append(article_id)
        self._signatures.append(found.signature)
        self._sizes.append(found.size)
        self._originals.append(serial if found.group < 0 else found.group)
        for key in _band_keys(found.signature):
            self._buckets.setdefault(key, []).append(serial)


def _band_keys(sig: np.ndarray) -> list[bytes]:
    raw = sig.astype(np.uint32, copy=False).tobytes()
    width = ROWS * 4
    return [bytes((band,)) + raw[band * width:(band + 1) * width] for band in range(BANDS)]


@dataclass(frozen=True)
class Match:
    copied: str | None  # the original's id
    signature: np.ndarray | None  # None: too short to tell
    size: int
    # for `remember`: the serial of the group's first article when this is a copy, -1 for an original,
    # None when an indexed article stands for it (the same signature and size)
    group: int | None = -1


def mark_duplicates(articles: list[dict[str, object]]) -> None:
    """Set `duplicate_of` on article records in reading order (for records built outside `extract run`)."""
    index = SyndicationIndex()
    for article in articles:
        article["duplicate_of"] = index.add(str(article["id"]), str(article.get("text") or ""))
