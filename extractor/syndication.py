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
    ordered = np.sort(hashes & _LOW32)  # distinct values by hand: np.unique took 5x a sort's time here
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


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

    Kept compact, since it grows with every distinct article of the corpus (about 0.5 KB each, where
    a dict of band buckets took about 2.5 KB): signatures as rows of 32-bit values in one array, band
    keys as 64-bit values in sorted arrays (`_BandTable`). A copy whose signature and size equal an
    indexed article's is not indexed again: every later text would find that article with the same
    similarity and the same original, and a corpus of many identical copies no longer makes each new
    copy compare with all the earlier ones."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._signatures = np.empty((0, PERMUTATIONS), dtype=np.uint32)
        self._sizes = np.empty(0, dtype=np.int64)
        self._originals = np.empty(0, dtype=np.int64)  # serial -> its group's first article's serial
        self._bands = _BandTable()

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
        keys = _band_keys(sig)
        candidates = list(dict.fromkeys(self._bands.serials(keys)))
        if not candidates:
            return Match(None, sig, size, band_keys=keys)
        similarities = (self._signatures[candidates] == sig).mean(axis=1)
        at = int(similarities.argmax())  # the first of the most similar, in the order candidates were indexed
        best, similarity = candidates[at], float(similarities[at])
        best_size, group = int(self._sizes[best]), int(self._originals[best])
        copied = None
        if similarity >= THRESHOLD and containment(similarity, size, best_size) >= CONTAINMENT:
            copied = self._ids[group]
        same = similarity == 1.0 and best_size == size
        return Match(copied, sig, size, None if same else group if copied else -1, keys)

    def remember(self, article_id: str, found: Match) -> None:
        """Index an article once it is written (one that failed to be written is no original of later ones)."""
        if found.signature is None or found.group is None:
            return
        serial = len(self._ids)
        if serial == len(self._sizes):  # grown by half again: appends stay amortised O(1)
            grown = max(64, serial * 3 // 2)
            self._signatures = _grown(self._signatures, grown)
            self._sizes, self._originals = _grown(self._sizes, grown), _grown(self._originals, grown)
        self._ids.append(article_id)
        self._signatures[serial] = found.signature
        self._sizes[serial] = found.size
        self._originals[serial] = serial if found.group < 0 else found.group
        self._bands.add(found.band_keys or _band_keys(found.signature), serial)


def _grown(array: np.ndarray, rows: int) -> np.ndarray:
    bigger = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


_BAND_MIX = np.uint64(0x9E3779B97F4A7C15)


def _band_keys(sig: np.ndarray) -> list[int]:
    """One 64-bit key per band: its four 32-bit values and its number, mixed. Two different bands
    sharing a key (about 2**-64 for a pair) only add a candidate, whose similarity is then computed."""
    rows = sig.astype(np.uint64).reshape(BANDS, ROWS)
    keys = np.arange(BANDS, dtype=np.uint64)
    for column in range(ROWS):
        keys = (keys * _BAND_MIX) ^ rows[:, column]
    keys ^= keys >> np.uint64(31)
    return keys.tolist()


class _BandTable:
    """Band key -> the serials indexed under it, in the order they were added. New entries wait in a
    dict; every FLUSH of them (or a quarter of those merged, if more) are merged into two sorted arrays:
12 bytes an entry, not ~150."""

    FLUSH = 1 << 16

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._serials = np.empty(0, dtype=np.int32)
        self._recent: dict[int, list[int]] = {}
        self._waiting = 0

    def serials(self, keys: list[int]) -> list[int]:
        """The serials under each key in turn (a serial under two keys comes twice)."""
        found: list[int] = []
        if len(self._keys):
            wanted = np.array(keys, dtype=np.uint64)
            lows = np.searchsorted(self._keys, wanted, side="left").tolist()
            highs = np.searchsorted(self._keys, wanted, side="right").tolist()
        else:
            lows = highs = [0] * len(keys)
        for key, low, high in zip(keys, lows, highs, strict=True):
            if high > low:
                found += self._serials[low:high].tolist()
            found += self._recent.get(key, ())
        return found

    def add(self, keys: list[int], serial: int) -> None:
        for key in keys:
            self._recent.setdefault(key, []).append(serial)
        self._waiting += len(keys)
        if self._waiting >= max(self.FLUSH, len(self._keys) // 4):  # geometric: merging stays O(n log n)
            self.flush()

    def flush(self) -> None:
        keys = [k for k, serials in self._recent.items() for _ in serials]
        serials = [s for found in self._recent.values() for s in found]
        all_keys = np.concatenate([self._keys, np.array(keys, dtype=np.uint64)])
        all_serials = np.concatenate([self._serials, np.array(serials, dtype=np.int32)])
        order = np.argsort(all_keys, kind="stable")  # equal keys keep their serials' order
        self._keys, self._serials = all_keys[order], all_serials[order]
        self._recent, self._waiting = {}, 0


@dataclass(frozen=True)
class Match:
    copied: str | None  # the original's id
    signature: np.ndarray | None  # None: too short to tell
    size: int
    # for `remember`: the serial of the group's first article when this is a copy, -1 for an original,
    # None when an indexed article stands for it (the same signature and size)
    group: int | None = -1
    band_keys: list[int] | None = None  # computed by `match`, kept for `remember`


def mark_duplicates(articles: list[dict[str, object]]) -> None:
    """Set `duplicate_of` on article records in reading order (for records built outside `extract run`)."""
    index = SyndicationIndex()
    for article in articles:
        article["duplicate_of"] = index.add(str(article["id"]), str(article.get("text") or ""))
