"""A gazetteer: administrative units under every key an article may name them by."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ahocorasick


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
    automaton: Any
    by_key: dict[str, list[tuple[Unit, bool]]]  # key -> (unit, typed?) ; typed keys carry their type word


def add_key(by_key: dict[str, list[tuple[Unit, bool]]], key: str, unit: Unit, typed: bool) -> None:
    if all(existing is not unit for existing, _ in by_key[key]):
        by_key[key].append((unit, typed))


def build_automaton(keys: dict[str, Any]) -> Any:
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    automaton.make_automaton()
    return automaton


# The keys of an outcome's `location.codes`, the same for every country (null where the country has no
# such code): see the `codes` property of extractor/schemas/outcomes.schema.json for what each holds.
PLACE_CODE_KEYS = ("province", "province_2025", "district", "ward", "adcode")


def no_codes() -> dict[str, str | None]:
    return dict.fromkeys(PLACE_CODE_KEYS)


def only_code(codes: set[str]) -> str | None:
    """The code when the name picks one unit; a name two units share gets none rather than a guess."""
    return next(iter(codes)) if len(codes) == 1 else None
