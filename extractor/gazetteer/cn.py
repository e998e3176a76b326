"""China: cpca's adcode table (province, city, county), each unit under its full name and, where
patterns/zh/places.yaml's admin suffixes leave two characters or more, its short name."""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from extractor import patterns
from extractor.gazetteer import model
from extractor.gazetteer.cache import cached
from extractor.gazetteer.model import Gazetteer, Unit, add_key, no_codes, only_code


def _adcodes() -> Path:
    """cpca's table, found without importing cpca (whose import loads pkg_resources: 0.1 s)."""
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("cpca is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


@cache
def cn_gazetteer() -> Gazetteer:
    """Built once per change of its inputs, then read from the disk cache (`extractor.gazetteer.cache`)."""
    inputs = [patterns.patterns_dir() / "zh" / "places.yaml", Path(__file__), Path(model.__file__)]
    return cached("cn-gazetteer", inputs, ["cpca", "ahocorasick-rs"], _build_cn_gazetteer)


def _build_cn_gazetteer() -> Gazetteer:
    with open(_adcodes(), encoding="utf-8") as f:
        rows = [(r["adcode"], r["name"]) for r in csv.DictReader(f)]
    names = {code[:6]: name for code, name in rows}
    data = patterns.load("zh", "places").data["gazetteer"]
    suffixes, peoples = data["admin_suffixes"], data["ethnic_names"]
    by_key: dict[str, list[tuple[Unit, bool]]] = defaultdict(list)
    for code, name in rows:
        code = code[:6]
        province = names.get(code[:2] + "0000", name)
        city = names.get(code[:4] + "00") if code[2:4] != "00" else None
        if code[2:] == "0000":
            unit = Unit(name, "province", province, layout="cpca")
        elif code[4:] == "00":
            unit = Unit(name, "city", province, city=name, layout="cpca")
        else:
            unit = Unit(name, "district", province, city=city or province, district=name, layout="cpca")
        add_key(by_key, name, unit, True)
        short = short_name(name, suffixes)
        if short and len(short) >= 2:
            add_key(by_key, short, unit, False)
        prefecture = prefecture_name(name, peoples)
        if prefecture:
            add_key(by_key, prefecture, unit, True)
    for extra in data.get("extra_units") or []:
        name, level, province = extra["name"], extra["level"], extra["province"]
        unit = Unit(name, level, province, city=name if level == "city" else None,
                    district=name if level == "district" else None, layout="cpca")
        add_key(by_key, name, unit, True)
        short = short_name(name, suffixes)
        if short and len(short) >= 2:
            add_key(by_key, short, unit, False)
    return Gazetteer(by_key)


def short_name(name: str, suffixes: list[str]) -> str | None:
    """"郾城区" -> "郾城": the name without its admin suffix, when two characters or more remain."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def prefecture_name(name: str, peoples: list[str]) -> str | None:
    """"恩施土家族苗族自治州" -> "恩施州": an autonomous prefecture by its place name and 州."""
    if not name.endswith("自治州"):
        return None
    base = name[: -len("自治州")]
    stripped = True
    while stripped:
        stripped = False
        for people in sorted(peoples, key=len, reverse=True):
            if base.endswith(people) and len(base) - len(people) >= 2:
                base, stripped = base[: -len(people)], True
    return base + "州" if base != name[: -len("自治州")] else None


@dataclass(frozen=True)
class CnCodes:
    """cpca's adcodes (GB/T 2260, six digits): provinces by name, cities and counties by province and name."""

    province: dict[str, str]
    city: dict[tuple[str, str], set[str]]  # (province, city) -> adcodes
    county: dict[tuple[str, str], set[str]]  # (province, county-level unit) -> adcodes


@cache
def cn_codes() -> CnCodes:
    with open(_adcodes(), encoding="utf-8") as f:
        rows = [(r["adcode"][:6], r["name"]) for r in csv.DictReader(f)]
    province_of = {code[:2]: name for code, name in rows if code[2:] == "0000"}
    city: dict[tuple[str, str], set[str]] = defaultdict(set)
    county: dict[tuple[str, str], set[str]] = defaultdict(set)
    for code, name in rows:
        if code[2:] == "0000" or code[:2] not in province_of:
            continue
        table = city if code[4:] == "00" else county
        table[(province_of[code[:2]], name)].add(code)
    return CnCodes({name: code[:2] + "0000" for code, name in province_of.items()}, dict(city), dict(county))


def cn_place_codes(location: dict[str, Any]) -> dict[str, str | None]:
    """The adcodes of an outcome's place: its province's, its county-level unit's (`district`), and the
    most specific unit's it is known to lie in (`adcode`: the county, else the city it names, else the
    province)."""
    codes = no_codes()
    province = location.get("province")
    if not province:
        return codes
    tables = cn_codes()
    codes["province"] = tables.province.get(province)
    county = location.get("district") or (location.get("name") if location.get("level") == "district" else None)
    if county:
        codes["district"] = only_code(set(tables.county.get((province, county), ())))
    named_city = None
    if location.get("level") == "city" and location.get("name"):
        named_city = only_code(set(tables.city.get((province, location["name"]), ())))
    codes["adcode"] = codes["district"] or named_city or codes["province"]
    return codes
