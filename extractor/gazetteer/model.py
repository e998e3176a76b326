"""A gazetteer: administrative units under every key an article may name them by."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ahocorasick_rs


@dataclass
class Unit:
    """One administrative unit of a gazetteer."""

    name: str  # official short name ("Hà Nội", "郾城区")
    level: str  # province | city | district | ward
    province: str
    city: str | None = None
    district: str | None = None
    layout: str = ""


@dataclass
class Gazetteer:
    by_key: dict[str, list[tuple[Unit, bool]]]  # key -> (unit, typed?) ; typed keys carry their type word
    # built on first use, never pickled: ahocorasick_rs (Rust) builds it in about 10 ms and searches a
    # sentence 12x faster than pyahocorasick's automaton did, with the same hits
    _matcher: Any = field(default=None, init=False, repr=False, compare=False)
    _keys: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every key in `text`, overlapping ones included: (start, end, key), character offsets."""
        if self._matcher is None:
            self._keys = list(self.by_key)
            self._matcher = ahocorasick_rs.AhoCorasick(self._keys, matchkind=ahocorasick_rs.MatchKind.Standard)
        keys, hits = self._keys, self._matcher.find_matches_as_indexes(text, overlapping=True)
        return [(start, end, keys[i]) for i, start, end in hits]

    def __getstate__(self) -> dict[str, Any]:
        return {"by_key": self.by_key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.by_key, self._matcher, self._keys = state["by_key"], None, []


def add_key(by_key: dict[str, list[tuple[Unit, bool]]], key: str, unit: Unit, typed: bool) -> None:
    if all(existing is not unit for existing, _ in by_key[key]):
        by_key[key].append((unit, typed))


# The keys of an outcome's `location.codes`, the same for every country (null where the country has no
# such code): see the `codes` property of extractor/schemas/outcomes.schema.json for what each holds.
PLACE_CODE_KEYS = ("province", "province_2025", "district", "ward", "adcode")


def no_codes() -> dict[str, str | None]:
    return dict.fromkeys(PLACE_CODE_KEYS)


def only_code(codes: set[str]) -> str | None:
    """The code when the name picks one unit; a name two units share gets none rather than a guess."""
    return next(iter(codes)) if len(codes) == 1 else None
