"""Places: administrative units from real gazetteers, named sites, and words pointing back to them.

Vietnam: vietnamadminunits' data files, both layouts (63 provinces with districts and wards before
the 2025 merger, 34 provinces with wards after it). China: cpca's adcode table (province, city,
county). Candidates are found with an Aho-Corasick automaton over the article, then kept only where
they sit on word boundaries (Vietnamese letters; jieba tokens for Chinese), and homonyms are resolved
against the other places of the same article, never by the first gazetteer hit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import regex

from extractor import patterns
from extractor.gazetteer.model import Gazetteer, Unit
from extractor.scoped import ScopedPattern, scoped
from extractor.spans import CoveringSpans, DisjointSpans, SpanUnion
from extractor.textdoc import TextDoc

LEVEL_RANK = {"national": 0, "province": 1, "city": 2, "district": 3, "ward": 4, "town": 4, "site": 5}


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    name: str
    level: str
    province: str | None
    country: str | None
    district: str | None = None
    city: str | None = None
    anaphor: bool = False
    sentence: int = -1
    candidates: list[Unit] = field(default_factory=list, repr=False)
    # a site placed only by a district's name its own name starts with ("江南大学" by 江南区): weak evidence
    placed_by_prefix: bool = field(default=False, repr=False)

    @property
    def rank(self) -> int:
        return LEVEL_RANK.get(self.level, 0)

    def as_record(self) -> dict[str, Any]:
        return {
            "name": self.name, "text": self.text, "start": self.start, "end": self.end,
            "province": self.province, "district": self.district, "level": self.level, "country": self.country,
        }


# --- finding places ----------------------------------------------------------------------------


@dataclass
class _PlaceRules:
    sites: list[ScopedPattern]
    site_levels: list[str]
    anaphora: list[tuple[str, regex.Pattern[str]]]
    known_sites: dict[str, str]
    # (type words, {proper name: province}): sites known by the name after their type word
    site_names: list[tuple[regex.Pattern[str], dict[str, str]]] = field(default_factory=list)
    street_words: regex.Pattern[str] | None = None  # "望江校区", "中山路": a bare name before them is no unit
    generic_names: regex.Pattern[str] | None = None  # "城区": a unit only right after its parent
    not_places: regex.Pattern[str] | None = None  # spans holding no place (a quoted campaign name)
    # per site anaphor ("该公司"): the ending its antecedent's name must have
    site_refers: list[tuple[regex.Pattern[str], regex.Pattern[str]]] = field(default_factory=list)


@cache
def place_rules(lang: str) -> _PlaceRules:
    pf = patterns.load(lang, "places")
    compiled = pf.compiled_rules()
    return _PlaceRules(
        sites=[scoped(rx, rule.get("scope"), pf.compile) for rule, rx in compiled],
        site_levels=["town" if rule["name"] == "town" else "site" for rule, _ in compiled],
        anaphora=[(a["level"], pf.compile(a["pattern"])) for a in pf.data["anaphora"]],
        site_refers=[(pf.compile(a["pattern"]), pf.compile("(?:" + a["refers"] + r")\s*+$"))
                     for a in pf.data["anaphora"] if a["level"] == "site"],
        known_sites=dict(pf.data["known_sites"]),
        site_names=[(pf.compile(group["types"]), {k.casefold(): v for k, v in group["names"].items()})
                    for group in pf.data["site_names"]],
        street_words=_optional(pf, "street_words"),
        generic_names=_optional(pf, "generic_names"),
        not_places=_optional(pf, "not_places"),
    )


def _optional(pf: patterns.PatternFile, key: str) -> regex.Pattern[str] | None:
    return pf.compile(pf.data[key]) if pf.data[key] else None


def find_places(tdoc: TextDoc) -> list[PlaceMention]:
    """Every place mention of the article's sentences, in reading order, provinces resolved."""
    spans = [(s.start, s.end) for s in tdoc.sentences]
    admin_by_sentence = [_admin_mentions(tdoc, start, end) for start, end in spans]
    admin = [m for found in admin_by_sentence for m in found]
    _resolve_homonyms(admin, _shared_type_words(tdoc.lang))
    sites = [m for (start, end), inner in zip(spans, admin_by_sentence, strict=True)
             for m in _site_mentions(tdoc, start, end, inner)]
    mentions = _drop_inside(admin, sites) + sites
    anaphors = [m for start, end in spans for m in _anaphor_mentions(tdoc, start, end)]
    mentions = _drop_overlapping(mentions, anaphors)
    mentions.sort(key=lambda m: m.start)
    resolved = _resolve_anaphors(mentions, tdoc)
    for m in resolved:
        sentence = tdoc.sentence_at(m.start)
        m.sentence = sentence.index if sentence else -1
    _local_subareas(resolved)
    return resolved


def _local_subareas(mentions: list[PlaceMention]) -> None:
    """"许昌市血液中心联合东城区管委会…": a district the gazetteer knows only in another province (Beijing's
    东城区), named in a sentence about a city of the article's own province, is that city's sub-area, and
    so are the sites named after it ("东城区管委会")."""
    votes: dict[str | None, int] = defaultdict(int)
    for m in mentions:
        if m.province and m.level in ("province", "city"):
            votes[m.province] += 1
    moved: dict[str, tuple[str | None, str | None]] = {}  # district's words → (old province, new one)
    for i, m in enumerate(mentions):
        if m.level not in ("district", "ward") or len({u.province for u in m.candidates}) != 1:
            continue
        city = next((c for c in reversed(mentions[:i]) if c.sentence == m.sentence and c.province
                     and c.level in ("city", "site") and m.text not in c.text), None)
        if city is not None and city.province != m.province and votes[city.province] + 1 > votes[m.province]:
            moved[m.text] = (m.province, city.province)
            m.province, m.city = city.province, city.city
    for m in mentions:
        if m.level == "site":
            for words, (old, new) in moved.items():
                if words in m.text and m.province == old:
                    m.province = new
    # "江南大学" in an article about 无锡, "南湖捐血室" in one about Taipei: a site placed only by a district
    # name it starts with, in a province the article names nowhere else, is in the article's province.
    if votes:
        main = max(votes, key=lambda p: votes[p])
        for m in mentions:
            if m.placed_by_prefix and votes[m.province] == 0:
                m.province, m.district, m.city = main, None, None


def _admin_mentions(tdoc: TextDoc, start: int, end: int) -> list[PlaceMention]:
    pack, text = tdoc.pack, tdoc.match_text
    gaz = tdoc.gazetteer
    chunk = text[start:end]
    hay = pack.gazetteer_haystack(chunk)
    rules = place_rules(tdoc.lang)
    hidden = DisjointSpans([m.span() for m in rules.not_places.finditer(chunk)] if rules.not_places else [])
    hits: list[tuple[int, int, str]] = []
    for s, e, key in gaz.find(hay):
        if hidden.holds(s, e):
            continue
        typed = any(t for _, t in gaz.by_key[key])
        if rules.street_words and not typed and rules.street_words.match(chunk, e):
            continue  # "四川大学望江校区", "中山路": a campus or a street named after the place
        if not pack.place_hit_allowed(tdoc, chunk, start, s, e, typed):
            continue
        hits.append((s, e, key))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
    kept: list[tuple[int, int, str]] = []
    taken = SpanUnion()
    for hit in hits:
        if not taken.overlaps(hit[0], hit[1]):
            kept.append(hit)
            taken.add(hit[0], hit[1])
    if rules.generic_names:  # "城区" alone is any downtown; "阳泉市城区" is the district
        kept = [k for k in kept if not rules.generic_names.fullmatch(k[2]) or any(o[1] == k[0] for o in kept)]
    mentions = []
    for s, e, key in sorted(kept):
        units = [u for u, _ in gaz.by_key[key]]
        first = units[0]
        mentions.append(PlaceMention(
            start + s, start + e, tdoc.text[start + s : start + e], first.name, first.level, first.province,
            pack.country, district=first.district, city=first.city, candidates=units,
        ))
    return mentions


@cache
def _shared_type_words(lang: str) -> frozenset[str]:
    """Type words both a province and a district may carry ("thành phố", "TP"): before a name that is both,
    they name the district-level city ("TP Thái Bình"), since a province-level city has no namesake district."""
    words = (patterns.load(lang, "places").data.get("gazetteer") or {}).get("type_words") or {}
    return frozenset(w.casefold() for w in words.get("province", [])) & frozenset(
        w.casefold() for w in words.get("district", []))


def _namesake_city(m: PlaceMention, shared: frozenset[str]) -> Unit | None:
    typed = m.text[: max(0, len(m.text) - len(m.name))].strip().casefold()
    if typed not in shared:
        return None
    provinces = {u.name for u in m.candidates if u.level == "province"}
    return next((u for u in m.candidates if u.level == "district" and u.name in provinces
                 and u.province in provinces), None)


def _resolve_homonyms(mentions: list[PlaceMention], shared_type_words: frozenset[str] = frozenset()) -> None:
    """Pick, for an ambiguous name, the unit whose province (or city) the article names elsewhere."""
    provinces = defaultdict(int)
    cities = defaultdict(int)
    for m in mentions:
        if len({u.province for u in m.candidates}) == 1:
            provinces[m.candidates[0].province] += 1
            if m.candidates[0].city:
                cities[m.candidates[0].city] += 1
    for i, m in enumerate(mentions):
        previous = mentions[i - 1] if i and mentions[i - 1].end == m.start else None
        if len(m.candidates) > 1:
            best = _namesake_city(m, shared_type_words) or max(
                m.candidates, key=lambda u, p=previous: _homonym_score(u, p, provinces, cities))
            m.name, m.level, m.province = best.name, best.level, best.province
            m.district, m.city = best.district, best.city
        if previous is not None and previous.province != m.province and previous.rank < m.rank:
            # "许昌市东城区": a sub-area the gazetteer lists elsewhere only; it keeps its parent's province.
            m.province, m.city = previous.province, previous.city


def _homonym_score(u: Unit, previous: PlaceMention | None, provinces: dict[str, int],
                   cities: dict[str, int]) -> tuple[int, int, int, int]:
    adjacent = int(previous is not None and previous.province == u.province)
    layout = int(u.layout in ("legacy", "cpca", "alias"))
    return adjacent, cities.get(u.city or "", 0), provinces.get(u.province, 0), layout


def _site_mentions(tdoc: TextDoc, start: int, end: int, admin: list[PlaceMention]) -> list[PlaceMention]:
    rules = place_rules(tdoc.lang)
    text = tdoc.match_text
    found: list[PlaceMention] = []
    covered = CoveringSpans(start, end)
    for name, province in rules.known_sites.items():
        pos = text.find(name, start, end)
        while pos >= 0:
            found.append(PlaceMention(pos, pos + len(name), name, name, "site", province, tdoc.pack.country))
            covered.add(pos, pos + len(name))
            pos = text.find(name, pos + 1, end)
    inside = DisjointSpans([(a.start, a.end) for a in admin], admin)  # the sentence's units never overlap
    for rx, level in zip(rules.sites, rules.site_levels, strict=True):
        for m in rx.finditer(text, start, end):
            s, e = (m.start("name"), m.end("name")) if "name" in rx.groupindex else (m.start(), m.end())
            s, e = _trim(text, s, e)
            if e - s < 2 or covered.covers(s, e):
                continue
            inner = inside.within(s, e)
            unit = _site_unit(text, s, inner)
            best = _named_site(text[s:e], rules) or unit
            # a campus or street named with a bare county name is no place in that county ("望江校区")
            street = rules.street_words.search(text, e - 2, e) if rules.street_words is not None else None
            campus = street is not None and text[s : street.start()] in tdoc.gazetteer.by_key
            leading = None if best or campus else _leading_unit(text[s:e], tdoc.gazetteer)
            best = best or leading
            # placed only by a bare district name its own name starts with ("江南大学": 江南, not 江南区)
            by_prefix = (leading is not None and leading.level in ("district", "ward")) or (
                unit is not None and best is unit and unit.level in ("district", "ward") and unit.start == s
                and unit.text != unit.name)
            found.append(PlaceMention(
                s, e, tdoc.text[s:e], text[s:e], level, best.province if best else None, tdoc.pack.country,
                district=_site_district(best, inner),
                city=best.city if best else None,
                placed_by_prefix=by_prefix,
            ))
            covered.add(s, e)
    found.sort(key=lambda f: (-(f.end - f.start), f.start))
    kept: list[PlaceMention] = []
    taken = SpanUnion()
    for f in found:
        if not taken.overlaps(f.start, f.end):
            kept.append(f)
            taken.add(f.start, f.end)
    return kept


_BRACKETED_TAIL = regex.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def _named_site(name: str, rules: _PlaceRules) -> Unit | None:
    """A site the pattern file knows by its proper name after the type word ("KCN Bắc Thăng Long");
    a bracket closing the name ("(Hà Nội)") is no part of it."""
    for types, names in rules.site_names:
        m = types.match(name)
        if m is None:
            continue
        proper = _BRACKETED_TAIL.sub("", name[m.end():]).strip().casefold()
        if proper in names:
            return Unit(name, "site", names[proper], layout="pattern")
    return None


def _site_district(best: PlaceMention | Unit | None, inner: list[PlaceMention]) -> str | None:
    """The district a site lies in: the placing unit's, else a district its name holds in the same province
    ("Nhà văn hóa huyện Yên Phong (Bắc Ninh)": placed by the bracketed province, in Yên Phong)."""
    if best is None:
        return None
    district = best.district or (best.name if best.level == "district" else None)
    if district is None:
        district = next((a.district or a.name for a in inner if a.level == "district"
                         and a.province == best.province), None)
    return district


def _site_unit(text: str, start: int, inner: list[PlaceMention]) -> PlaceMention | None:
    """The unit that places a site: the province most of its inner units agree on, then one named in
    brackets ("KCN Đồng Văn (Hà Nam)"), then the most specific."""
    if not inner:
        return None
    votes: dict[str | None, int] = defaultdict(int)
    for a in inner:
        votes[a.province] += 1

    def score(a: PlaceMention) -> tuple[int, int, int]:
        bracketed = int(text.count("(", start, a.start) > text.count(")", start, a.start))
        return votes[a.province], bracketed, a.rank

    return max(inner, key=score)


def _leading_unit(name: str, gaz: Gazetteer) -> Unit | None:
    """The unit a site's name starts with when the tokenizer glued it into one word ("南京大学",
    "郑州大学第一附属医院"): the longest gazetteer name at the start, if it names one province only; a
    lone "县" or "市" ("县人民广场": the county's own square) names none."""
    keys = [key for start, _, key in gaz.find(name) if start == 0 and len(key) >= 2]
    for key in sorted(keys, key=len, reverse=True):
        units = [u for u, _ in gaz.by_key[key]]
        if len({u.province for u in units}) == 1:
            return units[0]
    return None


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and text[e - 1] in " ,.;:-–":
        e -= 1
    return s, e


def _anaphor_mentions(tdoc: TextDoc, start: int, end: int) -> list[PlaceMention]:
    found = []
    for level, rx in place_rules(tdoc.lang).anaphora:
        for m in rx.finditer(tdoc.match_text, start, end):
            country = tdoc.pack.country
            words = tdoc.text[m.start() : m.end()]
            found.append(PlaceMention(m.start(), m.end(), words, m.group(), level, None, country,
                                      anaphor=True))
    return found


def _drop_inside(admin: list[PlaceMention], sites: list[PlaceMention]) -> list[PlaceMention]:
    held = DisjointSpans([(s.start, s.end) for s in sites])  # kept sites never overlap
    return [a for a in admin if not held.holds(a.start, a.end)]


def _drop_overlapping(mentions: list[PlaceMention], anaphors: list[PlaceMention]) -> list[PlaceMention]:
    taken = SpanUnion()
    for m in mentions:
        taken.add(m.start, m.end)
    return mentions + [a for a in anaphors if not taken.overlaps(a.start, a.end)]


def _resolve_anaphors(mentions: list[PlaceMention], tdoc: TextDoc) -> list[PlaceMention]:
    """"toàn quận", "全市": the last place of that level named before; dropped when there is none.
    "在此", "当地" (level `here`): the last place named before the anaphor's clause, whose own subject
    ("血站在此开展") is not where it points; else the last place before it."""
    last: dict[str, PlaceMention] = {}
    named: list[PlaceMention] = []
    resolved: list[PlaceMention] = []
    for m in mentions:
        if not m.anaphor:
            for level in ("province", "city", "district"):
                if m.level == level:
                    last[level] = m
                elif level == "province" and m.province and m.level != "national" and level not in last:
                    last[level] = _province_of(m)
            if m.level == "site" and m.district:  # "Nhà văn hóa huyện Yên Phong": "toàn huyện" later is Yên Phong
                last["district"] = replace(m, name=m.district, level="district")
            if (m.level == "site" and m.city and m.city != m.province
                    and tdoc.pack.site_starts_with_unit(m.name, m.city)):
                # "绵阳市中心血站消息，…全市": the city the site's name starts with
                last["city"] = replace(m, name=m.city, level="city", district=None)
            if m.level != "national":
                named.append(m)
            resolved.append(m)
            continue
        if m.level == "national":
            resolved.append(replace(m, name=tdoc.pack.national_name, province=None))
            continue
        if m.level == "site":  # "该公司", "学校": the last site of that kind named before
            refers = next((r for rx, r in place_rules(tdoc.lang).site_refers if rx.fullmatch(m.name)), None)
            site = next((p for p in reversed(named) if p.level == "site" and refers is not None
                         and refers.search(p.name)), None)
            if site is not None:
                resolved.append(replace(site, start=m.start, end=m.end, text=m.text, anaphor=True))
            continue
        if m.level == "here":
            sentence = tdoc.sentence_at(m.start)
            clause_start = sentence.clause_of(m.start)[0] if sentence else m.start
            # the last place named before the clause: only the clause's own places lie after it
            earlier = next((p for p in reversed(named) if p.end <= clause_start), None)
            antecedent = earlier or (named[-1] if named else None)
        else:
            antecedent = last.get(m.level) or (last.get("district") if m.level == "city" else None)
        if m.level == "city" and antecedent is None:
            antecedent = last.get("province")
        if antecedent is None:
            continue
        resolved.append(replace(
            m, name=antecedent.name, province=antecedent.province, district=antecedent.district,
            city=antecedent.city, level=antecedent.level,
        ))
    return resolved


def _province_of(m: PlaceMention) -> PlaceMention:
    return replace(m, name=m.province or m.name, level="province", district=None)
