"""Campaign outcomes: figures grouped into drives, named campaigns and period totals.

A sentence's figures form one outcome until a clause break with ";", a repeated metric or a change
of status starts the next. Each outcome takes the period and place of its own clause or sentence
first, then of its paragraph, then of what the article set before (a lead naming the year or the
province). Dated sentences about a drive become outcomes even without figures. A figure repeated
later (the lead restated in the body) is reported once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import regex

from extractor import patterns
from extractor.dates import DateMention
from extractor.figures import Figure
from extractor.patterns import register_example_checker
from extractor.places import COUNTRY, PlaceMention, place_rules
from extractor.textdoc import Sentence, TextDoc

ADMIN_LEVELS = {"national", "province", "city", "district", "ward"}
DRIVE_MAX_DAYS = 7


@dataclass
class _EventRules:
    drive: regex.Pattern[str]
    non_drive: regex.Pattern[str]
    list_item: regex.Pattern[str]
    partial: regex.Pattern[str]
    campaign: regex.Pattern[str]
    organizer: regex.Pattern[str]


@cache
def event_rules(lang: str) -> _EventRules:
    pf = patterns.load(lang, "events")
    rules = {rule["name"]: rx for rule, rx in pf.compiled_rules()}
    return _EventRules(
        drive=pf.compile(pf.data["drive_cues"]),
        non_drive=pf.compile(pf.data["non_drive_cues"]),
        list_item=pf.compile(pf.data["list_item"], regex.MULTILINE),
        partial=pf.compile(pf.data["partial_cues"]),
        campaign=rules["campaign_name"],
        organizer=rules["organizer"],
    )


@dataclass
class Outcome:
    sentence: Sentence
    anchor: int  # the position the outcome is read from (its first figure, or its date)
    figures: list[Figure] = field(default_factory=list)
    status: str = "actual"
    period: DateMention | None = None
    place: PlaceMention | None = None
    place_text_span: tuple[int, int] | None = None
    name: str | None = None
    organizer: str | None = None
    partial: bool = False
    is_drive_report: bool = False
    parent: Outcome | None = None
    sentence_figures: list[Figure] = field(default_factory=list, repr=False)
    id: str = ""


@dataclass
class _Context:
    """What earlier sentences set: the paragraph's own period and place, and the article's."""

    block: int = -1
    block_period: DateMention | None = None
    block_place: PlaceMention | None = None
    carry_period: DateMention | None = None
    carry_place: PlaceMention | None = None
    list_parent: Outcome | None = None
    drive: Outcome | None = None  # a dated drive told without figures: its figures may follow in the next sentences


def build_outcomes(tdoc: TextDoc, figures: list[Figure], dates: list[DateMention],
                   places: list[PlaceMention], article_id: str) -> list[Outcome]:
    rules = event_rules(tdoc.lang)
    partners = _partner_places(tdoc, places)
    by_sentence_fig = _by_sentence(figures)
    by_sentence_date = _by_sentence([d for d in dates if d.is_period])
    by_sentence_place = _by_sentence([p for p in places if id(p) not in partners])
    ctx = _Context()
    outcomes: list[Outcome] = []
    for sentence in tdoc.sentences:
        if sentence.block != ctx.block:
            _enter_block(ctx, sentence, tdoc, rules)
        s_dates = by_sentence_date.get(sentence.index, [])
        s_places = by_sentence_place.get(sentence.index, [])
        produced = _figure_outcomes(tdoc, sentence, by_sentence_fig.get(sentence.index, []))
        produced += _drive_outcomes(tdoc, sentence, s_dates, produced, rules)
        produced = [o for o in produced if not (o.is_drive_report and _undated_without_place(o, s_dates, s_places))]
        quoted = [] if s_places or not produced else _attribution_places(tdoc, sentence, by_sentence_place)
        for outcome in produced:
            outcome.sentence_figures = by_sentence_fig.get(sentence.index, [])
            outcome.period = _choose_period(outcome, s_dates, ctx)
            _choose_place(tdoc, outcome, s_places or quoted, ctx, _drive_extent(outcome, s_dates))
            outcome.name = _campaign_name(tdoc, outcome, rules)
            outcome.organizer = _organizer(tdoc, outcome, rules)
            outcome.partial = bool(rules.partial.search(tdoc.text, sentence.start, sentence.end))
            outcome.parent = ctx.list_parent
        outcomes.extend(produced)
        _update_context(ctx, s_dates, s_places, produced, tdoc, sentence)
    outcomes = _dedupe(outcomes)
    for outcome in outcomes:
        outcome.id = _outcome_id(article_id, outcome)
    return outcomes


def _by_sentence(items: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.sentence, []).append(item)
    return grouped


def _enter_block(ctx: _Context, sentence: Sentence, tdoc: TextDoc, rules: _EventRules) -> None:
    ctx.block = sentence.block
    ctx.block_period = ctx.block_place = None
    if ctx.list_parent is not None and not rules.list_item.match(tdoc.text, sentence.start):
        ctx.list_parent = None


def _update_context(ctx: _Context, dates: list[DateMention], places: list[PlaceMention],
                    produced: list[Outcome], tdoc: TextDoc, sentence: Sentence) -> None:
    drives = [o for o in produced if o.is_drive_report and o.period is not None and o.period.is_day_level]
    if len(drives) == 1 and not any(o.figures for o in produced):  # two drives leave the figures' date open
        ctx.drive = drives[0]
    elif dates:
        ctx.drive = None
    if dates:
        ctx.block_period = dates[-1]
        carrying = [d for d in dates if d.carries]
        if carrying:
            ctx.carry_period = carrying[-1]
    if places:
        ctx.block_place = places[-1]
        admin = [p for p in places if p.level in ADMIN_LEVELS]
        if admin:
            ctx.carry_place = max(admin, key=lambda p: (p.start if p.level != "national" else -1))
    sentence_text = tdoc.text[sentence.start : sentence.end].rstrip()
    totals = [o for o in produced if o.figures]
    if totals and sentence_text.endswith((":", "：")):
        ctx.list_parent = totals[-1]  # "…thu được 1.265 đơn vị máu, cụ thể:" heads a list of drives


# --- grouping ---------------------------------------------------------------------------------


def _figure_outcomes(tdoc: TextDoc, sentence: Sentence, figures: list[Figure]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    current: Outcome | None = None
    for fig in figures:
        if current is None or _starts_new_outcome(tdoc.text, current, fig):
            current = Outcome(sentence, fig.start, status=fig.status)
            outcomes.append(current)
        current.figures.append(fig)
    return outcomes


def _starts_new_outcome(text: str, current: Outcome, fig: Figure) -> bool:
    last = current.figures[-1]
    between = text[last.end : fig.start]
    return (
        ";" in between or "；" in between
        or any(f.metric == fig.metric for f in current.figures)
        or fig.status != current.status
    )


def _drive_outcomes(tdoc: TextDoc, sentence: Sentence, dates: list[DateMention],
                    produced: list[Outcome], rules: _EventRules) -> list[Outcome]:
    """Dated drives the sentence reports without a figure of their own."""
    text = tdoc.match_text
    if not rules.drive.search(text, sentence.start, sentence.end):
        return []
    if rules.non_drive.search(text, sentence.start, sentence.end):
        return []
    drives = []
    for date in dates:
        if date.kind not in ("day", "range", "month", "since") and not (date.kind == "relative"):
            continue
        if any(o.sentence is sentence and _nearest_date_before(o.anchor, dates) is date for o in produced):
            continue
        if date.kind == "relative" and produced:
            continue
        status = "target" if _future_cue(tdoc, sentence, date) else "actual"
        drives.append(Outcome(sentence, date.start, status=status, is_drive_report=True))
    return drives


def _undated_without_place(outcome: Outcome, dates: list[DateMention], places: list[PlaceMention]) -> bool:
    """"近日…献血" with no publication date and no place says nothing a reader can use."""
    date = next((d for d in dates if d.start == outcome.anchor), None)
    return date is not None and date.period_start is None and not places


def _future_cue(tdoc: TextDoc, sentence: Sentence, date: DateMention) -> bool:
    from extractor.figures import status_before

    return status_before(tdoc.match_text, sentence.start, date.end, tdoc.lang) == "target"


def _nearest_date_before(pos: int, dates: list[DateMention]) -> DateMention | None:
    before = [d for d in dates if d.start <= pos]
    if before:
        return before[-1]
    return dates[0] if dates else None


# --- period and place --------------------------------------------------------------------------


def _choose_period(outcome: Outcome, dates: list[DateMention], ctx: _Context) -> DateMention | None:
    if outcome.is_drive_report:
        return next((d for d in dates if d.start == outcome.anchor), None)
    own = _nearest_date_before(outcome.anchor, dates)
    if own is not None:
        return own
    return ctx.block_period or (ctx.drive.period if ctx.drive else None) or ctx.carry_period


def _drive_extent(outcome: Outcome, dates: list[DateMention]) -> int | None:
    """A drive told by its date ("3月8日，在芜湖市镜湖区，女职工参加无偿献血") reads its venue up to the
    next date of its sentence, not only in the date's own clause."""
    if not outcome.is_drive_report:
        return None
    later = [d.start for d in dates if d.start > outcome.anchor]
    return min(later, default=outcome.sentence.end)


def _attribution_places(tdoc: TextDoc, sentence: Sentence, by_place: dict[int, list[PlaceMention]]
                        ) -> list[PlaceMention]:
    """The places of the speaker named right after a quotation ("“…采集了近6万毫升血液。”漳州市中心血站
    负责人说。"): they place the quotation's figures."""
    rx = place_rules(tdoc.lang).quote_attribution
    following = tdoc.sentences[sentence.index + 1] if sentence.index + 1 < len(tdoc.sentences) else None
    if rx is None or following is None or following.block != sentence.block:
        return []
    m = rx.match(tdoc.match_text, following.start, following.end)
    if m is None:
        return []
    return [p for p in by_place.get(following.index, []) if p.start < m.end()]


def _choose_place(tdoc: TextDoc, outcome: Outcome, places: list[PlaceMention], ctx: _Context,
                  drive_extent: int | None = None) -> None:
    pos = outcome.anchor
    clause = outcome.sentence.clause_of(pos)
    in_clause = [p for p in places if clause[0] <= p.start < clause[1]]
    before = [p for p in places if p.end <= pos]
    after_in_clause = [p for p in in_clause if p.start >= pos]
    if drive_extent is not None:
        venue = _venue(tdoc, outcome.sentence, [p for p in places if p.start < drive_extent], drive_extent)
    else:
        venue = _venue(tdoc, outcome.sentence, places, pos)
    chosen = (
        venue
        or max((p for p in in_clause if p.end <= pos), key=lambda p: p.start, default=None)
        or (after_in_clause[0] if after_in_clause else None)
        or (before[-1] if before else None)
        or (places[0] if places else None)
    )
    if chosen is not None:
        chosen, span = _expand_chain(tdoc, chosen, places)
        chosen, span = _qualified_place(tdoc.text, chosen, span, places)
        outcome.place, outcome.place_text_span = chosen, span
    else:
        outcome.place = ctx.block_place or (ctx.drive.place if ctx.drive else None) or ctx.carry_place
        outcome.place_text_span = (outcome.place.start, outcome.place.end) if outcome.place else None
    if outcome.place is not None and outcome.place.province is None and outcome.place.level != "national":
        fallback = ctx.block_place if ctx.block_place is not outcome.place else None
        earlier = [p for p in places if p.end <= outcome.place.start and p.level in ADMIN_LEVELS and p.province]
        for source in (earlier[-1] if earlier else None, fallback, ctx.carry_place):
            if source is not None and source.province:
                outcome.place = _with_province(outcome.place, source)
                break


def _venue(tdoc: TextDoc, sentence: Sentence, places: list[PlaceMention], pos: int) -> PlaceMention | None:
    """The place after a venue cue ("tại", "在") before the outcome in its sentence (or after it in its
    clause): where the drive was held, which beats the organiser's place ("Tỉnh đoàn Đắk Nông").
    Within the venue's clause the most specific place wins ("在北京城市副中心通州区…" is 通州区)."""
    cue = place_rules(tdoc.lang).venue_cue
    own_clause = sentence.clause_of(pos)
    for p in sorted(places, key=lambda p: -p.start):
        if p.start >= pos and not own_clause[0] <= p.start < own_clause[1]:
            continue
        if cue.search(tdoc.match_text, max(sentence.start, p.start - 8), p.start):
            clause = sentence.clause_of(p.start)
            phrase = [q for q in places if p.start <= q.start < clause[1] and q.level != "national"]
            return max(phrase, key=lambda q: (q.rank, -q.start), default=p)
    return None


def _with_province(place: PlaceMention, source: PlaceMention) -> PlaceMention:
    return replace(place, province=source.province, city=place.city or source.city)


def _expand_chain(tdoc: TextDoc, place: PlaceMention, places: list[PlaceMention]
                  ) -> tuple[PlaceMention, tuple[int, int]]:
    """"郾城区孟庙镇、商桥镇等": a list of places under one parent stands for the parent."""
    ordered = sorted(places, key=lambda p: p.start)
    i = next(k for k, p in enumerate(ordered) if p is place)
    first = i
    text, separators = tdoc.text, place_rules(tdoc.lang).list_separator
    while first > 0 and ordered[first - 1].level == place.level and separators.fullmatch(
        text[ordered[first - 1].end : ordered[first].start]
    ):
        first -= 1
    parent = ordered[first - 1] if first > 0 and ordered[first - 1].end == ordered[first].start else None
    if parent is not None and parent.rank < place.rank:
        span = (parent.start, place.end)
        if first < i:  # a list: the common parent is the place
            return parent, span
        if place.province is None or place.province != parent.province:
            place = replace(place, province=parent.province, city=place.city or parent.city)
        return place, span
    return place, (place.start, place.end)


_QUALIFIER_SEP = regex.compile(r"\s*(?:[(（,，]\s*)+")


def _qualified_place(text: str, place: PlaceMention, span: tuple[int, int],
                     places: list[PlaceMention]) -> tuple[PlaceMention, tuple[int, int]]:
    """"huyện Mộc Châu (Sơn La)", "phường Tân Định (Quận 1, TP.HCM)": a place followed by its parents in
    brackets or after commas is the place; the parents only say where it is."""
    ordered = sorted(places, key=lambda p: p.start)
    current, start = place, span[0]
    while True:
        before = [p for p in ordered if p.end <= current.start]
        if not before:
            break
        prev = before[-1]
        if prev.rank <= current.rank or prev.level == "national" or not _QUALIFIER_SEP.fullmatch(
                text[prev.end : current.start]):
            break
        if current.province and prev.province != current.province:
            match = next((u for u in prev.candidates if u.province == current.province), None)
            if match is not None:
                prev = replace(prev, name=match.name, level=match.level, province=match.province,
                               district=match.district, city=match.city)
            elif prev.province is None or prev.level == "site":
                prev = replace(prev, province=current.province, city=prev.city or current.city)
        current, start = prev, prev.start
    if current is place:
        return place, span
    return current, (start, span[1])


def _partner_places(tdoc: TextDoc, places: list[PlaceMention]) -> set[int]:
    """Places named as partners ("phối hợp với Viện …, Bệnh viện …"), not as where a drive took place."""
    cue = place_rules(tdoc.lang).partner
    levels = place_rules(tdoc.lang).partner_levels
    text = tdoc.match_text
    partners: set[int] = set()
    for sentence in tdoc.sentences:
        in_sentence = [p for p in places if sentence.start <= p.start < sentence.end]
        for m in cue.finditer(text, sentence.start, sentence.end):
            cursor = m.end()
            for p in in_sentence:
                if p.start < cursor:
                    continue
                gap = text[cursor : p.start]
                if place_rules(tdoc.lang).list_separator.fullmatch(gap) or not gap.strip():
                    if levels is None or p.level in levels:  # "联合长沙市开福区": a district hosts, not partners
                        partners.add(id(p))
                    cursor = p.end
                else:
                    break
    return partners


# --- names -------------------------------------------------------------------------------------


def _campaign_name(tdoc: TextDoc, outcome: Outcome, rules: _EventRules) -> str | None:
    """The quoted name of a campaign or event told between the previous figure and this outcome."""
    start = max((f.end for f in outcome.sentence_figures if f.end <= outcome.anchor), default=outcome.sentence.start)
    names = list(rules.campaign.finditer(tdoc.match_text, start, outcome.anchor))
    return tdoc.text[names[-1].start("name") : names[-1].end("name")].strip() if names else None


def _organizer(tdoc: TextDoc, outcome: Outcome, rules: _EventRules) -> str | None:
    found = list(rules.organizer.finditer(tdoc.match_text, outcome.sentence.start, outcome.sentence.end))
    return tdoc.text[found[0].start() : found[0].end()].strip() if found else None


# --- one figure, one outcome -------------------------------------------------------------------


def _figure_key(outcome: Outcome, fig: Figure) -> tuple[Any, ...]:
    period = (outcome.period.period_start, outcome.period.period_end) if outcome.period else (None, None)
    province = outcome.place.province if outcome.place else None
    return fig.metric, fig.value, outcome.status, period, province


def _dedupe(outcomes: list[Outcome]) -> list[Outcome]:
    dated = {(f.metric, f.value, f.qualifier, o.status) for o in outcomes if o.period is not None for f in o.figures}
    for outcome in outcomes:  # a headline's undated figure restated with its date in the body is that figure
        if outcome.period is None and outcome.figures:
            # (emptied, it is dropped below as an undated outcome without figures)
            outcome.figures = [f for f in outcome.figures
                               if (f.metric, f.value, f.qualifier, outcome.status) not in dated]
    seen: set[tuple[Any, ...]] = set()
    seen_drives: set[tuple[Any, ...]] = set()
    kept: list[Outcome] = []
    for outcome in outcomes:
        had_figures = bool(outcome.figures)
        fresh = []
        for fig in outcome.figures:
            key = _figure_key(outcome, fig)
            if key not in seen:
                seen.add(key)
                fresh.append(fig)
        outcome.figures = fresh
        if had_figures and not fresh:
            continue  # everything it said was said before (a lead restated in the body)
        if not had_figures:
            key = (_period_tuple(outcome), outcome.sentence.block)
            if key in seen_drives or outcome.period is None:
                continue
            seen_drives.add(key)
        kept.append(outcome)
    return kept


def _period_tuple(outcome: Outcome) -> tuple[Any, Any]:
    return (outcome.period.period_start, outcome.period.period_end) if outcome.period else (None, None)


def _outcome_id(article_id: str, outcome: Outcome) -> str:
    anchor = outcome.figures[0].start if outcome.figures else outcome.anchor
    digest = hashlib.sha1(f"{article_id}|{outcome.sentence.start}|{anchor}".encode()).hexdigest()[:10]
    return f"{article_id}:{digest}"


def kind_of(outcome: Outcome) -> str:
    period = outcome.period
    if period is not None and period.period_start and period.period_end:
        days = (period.period_end - period.period_start).days + 1
        if days <= DRIVE_MAX_DAYS or (outcome.is_drive_report and days <= 31):
            return "drive"
    if outcome.is_drive_report:
        return "drive"
    return "campaign" if outcome.name else "total"


def outcome_record(tdoc: TextDoc, outcome: Outcome, article_id: str) -> dict[str, Any]:
    text = tdoc.text
    period, place = outcome.period, outcome.place
    location: dict[str, Any] = {"name": None, "text": None, "start": None, "end": None, "province": None,
                                "district": None, "level": None, "country": None}
    if place is not None:
        s, e = outcome.place_text_span or (place.start, place.end)
        location = {
            "name": place.name, "text": text[s:e], "start": s, "end": e, "province": place.province,
            "district": place.district, "level": place.level, "country": place.country,
        }
    elif tdoc.lang in COUNTRY:
        location["country"] = COUNTRY[tdoc.lang]
    return {
        "id": outcome.id,
        "article_id": article_id,
        "lang": tdoc.lang,
        "kind": kind_of(outcome),
        "name": outcome.name,
        "organizer": outcome.organizer,
        "status": outcome.status,
        "period": {
            "start": period.period_start.isoformat() if period and period.period_start else None,
            "end": period.period_end.isoformat() if period and period.period_end else None,
            "text": period.text if period else None,
            "span_start": period.start if period else None,
            "span_end": period.end if period else None,
            "granularity": _granularity(period),
        },
        "location": location,
        "metrics": [_metric_record(f) for f in outcome.figures],
        "evidence": {"text": text[outcome.sentence.start : outcome.sentence.end],
                     "start": outcome.sentence.start, "end": outcome.sentence.end},
        "partial": outcome.partial,
        "parent_id": outcome.parent.id if outcome.parent is not None else None,
    }


def _granularity(period: DateMention | None) -> str | None:
    if period is None:
        return None
    if period.period_start is None:
        return "open"
    return {"month_part": "range", "month_range": "range", "months": "range", "years": "range",
            "since": "open", "relative": "day"}.get(period.kind, period.kind)


def _metric_record(fig: Figure) -> dict[str, Any]:
    return {
        "metric": fig.metric, "value": fig.value, "qualifier": fig.qualifier, "text": fig.text,
        "start": fig.start, "end": fig.end, "unit": fig.unit, "low": fig.low, "high": fig.high,
    }


@register_example_checker("events")
def check_example(lang: str, example: dict) -> None:
    from extractor.pipeline import extract_text

    result = extract_text(str(example["text"]), lang=lang)
    expect = example["expect"]
    if "drive" in expect:
        drives = [o for o in result.outcomes if o["kind"] == "drive"]
        assert bool(drives) == expect["drive"], f"{example['text']!r}: drives {drives}"
    for key in ("name", "organizer"):
        if key in expect:
            values = [o[key] for o in result.outcomes]
            assert expect[key] in values, f"{example['text']!r}: {key} {values}"
