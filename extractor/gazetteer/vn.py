"""Vietnam: vietnamadminunits' data files, both layouts (63 provinces with districts and wards before
the 2025 merger, 34 provinces with wards after it), plus the districts and aliases of
patterns/vi/places.yaml (`gazetteer`)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor import patterns
from extractor.gazetteer import model
from extractor.gazetteer.cache import cached
from extractor.gazetteer.model import Gazetteer, Unit, add_key, no_codes, only_code


@cache
def _vn_data_dir() -> Path:
    """vietnamadminunits' data folder, located without importing the package: its __init__ loads its
    address parsers, half a second of a Vietnamese run's start-up spent only to find these files."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("vietnamadminunits is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _vn_data(name: str) -> dict:
    with open(_vn_data_dir() / name, encoding="utf-8") as f:
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
    return cached("vn-gazetteer", inputs, ["vietnamadminunits", "ahocorasick-rs"], _build_vn_gazetteer)


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
    return Gazetteer(by_key)


@cache
def province_2025() -> dict[str, str]:
    """Every province name of either layout -> its province in the 34-province layout of 2025
    (vietnamadminunits' converter lists, for each new province, the old ones merged into it). Built once
    and kept in the cache folder, like the tables below: reading the package's JSON files took 0.1 s
    of every Vietnamese run."""
    return cached("vn-province-2025", [Path(__file__)], ["vietnamadminunits"], _province_2025)


def _province_2025() -> dict[str, str]:
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
def renamed_provinces() -> list[tuple[str, str, dt.date]]:
    """(name in the data, the name before, the day the new name took effect): provinces renamed before the
    data's snapshot ("Huế" was "Thừa Thiên Huế" until 2025-01-01)."""
    rows = patterns.load("vi", "places").data["gazetteer"].get("renamed_provinces") or []
    return [(r["name"], r["before"], dt.date.fromisoformat(str(r["until"]))) for r in rows]


@cache
def layout_change() -> dt.date:
    return dt.date.fromisoformat(patterns.load("vi", "places").data["gazetteer"]["layout_change"])


@dataclass(frozen=True)
class VnCodes:
    """Official codes of vietnamadminunits' units (the statistics office's 2-digit province, 3-digit
    district and 5-digit ward codes), per layout: a merged province's code in 2025 is one of its parts'."""

    province_legacy: dict[str, str]
    province_modern: dict[str, str]
    district_legacy: dict[tuple[str, str], set[str]]  # (province, district) -> codes
    ward_legacy: dict[tuple[str, str], set[str]]  # (province, ward) -> codes
    ward_modern: dict[tuple[str, str], set[str]]


@cache
def vn_codes() -> VnCodes:
    return cached("vn-codes", [Path(__file__)], ["vietnamadminunits"], _vn_codes)


def _vn_codes() -> VnCodes:
    legacy, modern = _vn_data("parser_legacy.json"), _vn_data("parser_from_2025.json")
    district_legacy: dict[tuple[str, str], set[str]] = defaultdict(set)
    ward_legacy: dict[tuple[str, str], set[str]] = defaultdict(set)
    ward_modern: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pkey, prov in legacy["DICT_PROVINCE"].items():
        for dist in legacy["DICT_PROVINCE_DISTRICT"].get(pkey, {}).values():
            district_legacy[(prov["provinceShort"], dist["districtShort"])].add(dist["districtCode"])
        for wards in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].get(pkey, {}).values():
            for ward in wards.values():
                if isinstance(ward.get("wardShort"), str) and ward.get("wardCode"):
                    ward_legacy[(prov["provinceShort"], ward["wardShort"])].add(ward["wardCode"])
    for pkey, prov in modern["DICT_PROVINCE"].items():
        for ward in modern["DICT_PROVINCE_WARD_NO_ACCENTED"].get(pkey, {}).values():
            if isinstance(ward.get("wardShort"), str) and ward.get("wardCode"):
                ward_modern[(prov["provinceShort"], ward["wardShort"])].add(ward["wardCode"])
    return VnCodes(
        {p["provinceShort"]: p["provinceCode"] for p in legacy["DICT_PROVINCE"].values()},
        {p["provinceShort"]: p["provinceCode"] for p in modern["DICT_PROVINCE"].values()},
        dict(district_legacy), dict(ward_legacy), dict(ward_modern),
    )


def vn_place_codes(location: dict[str, Any], written: dt.date | None) -> dict[str, str | None]:
    """The codes of an outcome's place: its province in the layout in force when the article was written
    (the province is named in that layout), its province in the 2025 layout, its district (pre-2025
    layout: the 2025 one has no districts) and, for a ward, the ward's code in whichever layout knows
    the name within the province."""
    codes = no_codes()
    province, district = location.get("province"), location.get("district")
    if not province:
        return codes
    tables = vn_codes()
    modern_now = written is not None and written >= layout_change()
    first, second = ((tables.province_modern, tables.province_legacy) if modern_now
                     else (tables.province_legacy, tables.province_modern))
    codes["province"] = first.get(province) or second.get(province)
    merged = province_2025().get(province, province)
    codes["province_2025"] = tables.province_modern.get(merged)
    # the pre-2025 provinces the place may lie in: the one named, else (a 2025 name) those merged into it
    parts = ([province] if province in tables.province_legacy and not modern_now
             else [p for p, new in province_2025().items() if new == merged and p in tables.province_legacy])
    if district:
        codes["district"] = only_code({c for p in parts for c in tables.district_legacy.get((p, district), ())})
    if location.get("level") == "ward" and location.get("name"):
        name = location["name"]
        legacy = only_code({c for p in parts for c in tables.ward_legacy.get((p, name), ())})
        modern = only_code(set(tables.ward_modern.get((merged, name), ())))
        codes["ward"] = (modern or legacy) if modern_now else (legacy or modern)
    return codes
