"""Vietnam: vietnamadminunits' data files, both layouts (63 provinces with districts and wards before
the 2025 merger, 34 provinces with wards after it), plus the districts and aliases of
patterns/vi/places.yaml (`gazetteer`)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path

from extractor import patterns
from extractor.gazetteer import model
from extractor.gazetteer.cache import cached
from extractor.gazetteer.model import Gazetteer, Unit, add_key, build_automaton


def _vn_data(name: str) -> dict:
    with resources.files("vietnamadminunits").joinpath(f"data/{name}").open(encoding="utf-8") as f:
        return json.load(f)


def _vn_units() -> list[tuple[Unit, str]]:
    """(unit, its type word) for every Vietnamese unit, legacy layout first."""
    units: list[tuple[Unit, str]] = []
    legacy = _vn_data("parser_legacy.json")
    for pkey, prov in legacy["DICT_PROVINCE"].items():
        short = prov["provinceShort"]
        units.append((Unit(short, "province", short, layout="legacy"), prov["province"].split(" " + short)[0]))
        for dist in legacy["DICT_PROVINCE_DISTRICT"].get(pkey, {}).values():
            units.append((Unit(dist["districtShort"], "district", short, district=dist["districtShort"],
                               layout="legacy"), dist["districtType"]))
        for dkey, wards in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].get(pkey, {}).items():
            dist = legacy["DICT_PROVINCE_DISTRICT"].get(pkey, {}).get(dkey, {})
            for ward in wards.values():
                units.append((Unit(ward["wardShort"], "ward", short, district=dist.get("districtShort"),
                                   layout="legacy"), ward["wardType"]))
    modern = _vn_data("parser_from_2025.json")
    for pkey, prov in modern["DICT_PROVINCE"].items():
        short = prov["provinceShort"]
        units.append((Unit(short, "province", short, layout="2025"), prov["province"].split(" " + short)[0]))
        for ward in modern["DICT_PROVINCE_WARD_NO_ACCENTED"].get(pkey, {}).values():
            units.append((Unit(ward["wardShort"], "ward", short, layout="2025"), ward["wardType"]))
    return units


@cache
def vn_gazetteer() -> Gazetteer:
    """Built once per change of its inputs, then read from the disk cache (`extractor.gazetteer.cache`)."""
    inputs = [patterns.patterns_dir() / "vi" / "places.yaml", Path(__file__), Path(model.__file__)]
    return cached("vn-gazetteer", inputs, ["vietnamadminunits", "pyahocorasick"], _build_vn_gazetteer)


def _build_vn_gazetteer() -> Gazetteer:
    data = patterns.load("vi", "places").data["gazetteer"]
    type_words: dict[str, list[str]] = data["type_words"]
    by_key: dict[str, list[tuple[Unit, bool]]] = defaultdict(list)
    bare_count: dict[str, set[tuple[str, str]]] = defaultdict(set)
    own_type: set[tuple[str, int]] = set()
    units = _vn_units() + [  # districts abolished before the gazetteer's snapshot, still in older reports
        (Unit(d["name"], "district", d["province"], district=d["name"], layout="legacy"), d["type"])
        for d in data["former_districts"]
    ]
    for unit, _type in units:
        if not isinstance(unit.name, str) or not unit.name.strip():
            continue  # a few legacy wards have no short name in the data
        for word in type_words.get(unit.level, []):
            add_key(by_key, f"{word} {unit.name}".lower(), unit, True)
            if word.endswith("."):
                add_key(by_key, f"{word}{unit.name}".lower(), unit, True)
            if isinstance(_type, str) and word == _type.lower():
                own_type.add((f"{word} {unit.name}".lower(), id(unit)))
        if unit.level in ("province", "district"):
            bare_count[unit.name.lower()].add((unit.level, unit.province))
    for key in {k for k, _ in own_type}:  # "thị xã Hoàng Mai": the unit of that very type first
        by_key[key].sort(key=lambda entry, k=key: (k, id(entry[0])) not in own_type)
    for unit, _type in units:  # bare names: provinces, and districts named nowhere else
        if not isinstance(unit.name, str) or not unit.name.strip():
            continue
        key = unit.name.lower()
        if unit.level == "province" or (unit.level == "district" and len(bare_count[key]) == 1
                                        and len(unit.name.split()) >= 2):
            add_key(by_key, key, unit, False)
    for alias, province in data["aliases"].items():
        add_key(by_key, alias.lower(), Unit(province, "province", province, layout="alias"), True)
    return Gazetteer(build_automaton(by_key), by_key)


@cache
def province_2025() -> dict[str, str]:
    """Every province name of either layout -> its province in the 34-province layout of 2025
    (vietnamadminunits' converter lists, for each new province, the old ones merged into it)."""
    legacy = _vn_data("parser_legacy.json")["DICT_PROVINCE"]
    modern = _vn_data("parser_from_2025.json")["DICT_PROVINCE"]
    mapping: dict[str, str] = {}
    for new_key, old_keys in _vn_data("converter_2025.json")["DICT_PROVINCE"].items():
        for old_key in old_keys:
            mapping[legacy[old_key]["provinceShort"]] = modern[new_key]["provinceShort"]
    for province in modern.values():
        mapping.setdefault(province["provinceShort"], province["provinceShort"])
    return mapping


@cache
def layout_change() -> dt.date:
    return dt.date.fromisoformat(patterns.load("vi", "places").data["gazetteer"]["layout_change"])
