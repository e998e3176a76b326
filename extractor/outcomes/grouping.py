"""Grouping: figures into outcomes (drives, named campaigns, period totals).

A sentence's figures form one outcome until a clause break (`grouping.outcome_break` in
`patterns/<lang>/events.yaml`), a repeated metric or a change of status starts the next. Dated
sentences about a drive become outcomes even without figures. A figure repeated later (the lead
restated in the body) is reported once. Each outcome's period and place come from
`extractor.outcomes.attribution`.
"""

from __future__ import annotations

import bisect
from dataclasses import replace
from typing import Any

import regex

from extractor.dates import DateMention
from extractor.figures import TABLE_RULE, Figure, status_before
from extractor.metrics import PEOPLE_METRICS
from extractor.outcomes.attribution import (
    COLLECTOR,
    PARTNER,
    Context,
    annual_period,
    attribution_places,
    attribution_rules,
    base_period,
    choose_period,
    choose_place,
    drive_extent,
    enter_block,
    event_frame,
    listed_venue_period,
    nearest_date_before,
    non_venue_places,
    pair_respective,
    recap_span,
    same_day_event,
    update_context,
)
from extractor.outcomes.model import Outcome
from extractor.outcomes.records import outcome_id
from extractor.outcomes.rules import EventRules, event_rules
from extractor.places import PlaceMention
from extractor.scoped import ScopedPattern
from extractor.textdoc import Sentence, TextDoc


def build_outcomes(tdoc: TextDoc, figures: list[Figure], dates: list[DateMention],
                   places: list[PlaceMention], article_id: str) -> list[Outcome]:
    rules = event_rules(tdoc.lang)
    not_venues = non_venue_places(tdoc, places)
    by_sentence_fig = _by_sentence(figures)
    by_sentence_date = _by_sentence([d for d in dates if d.is_period])
    by_sentence_base = _by_sentence([d for d in dates if d.role == "base"])
    by_sentence_place = _by_sentence([p for p in places if id(p) not in not_venues])
    by_sentence_collector = _by_sentence([p for p in places if not_venues.get(id(p)) == COLLECTOR])
    # a quotation's speaker may be the blood station itself ("…”临沂市中心血站负责人说")
    by_sentence_speaker = _by_sentence([p for p in places if not_venues.get(id(p)) != PARTNER])
    by_sentence_named = _by_sentence(places)  # every place a sentence names: they locate its venue
    ctx = Context()
    outcomes: list[Outcome] = []
    for sentence in tdoc.sentences:
        if sentence.block != ctx.block:
            enter_block(ctx, sentence, tdoc, rules.list_item)
        s_dates = by_sentence_date.get(sentence.index, [])
        s_places = by_sentence_place.get(sentence.index, [])
        s_bases = by_sentence_base.get(sentence.index, [])
        produced = _figure_outcomes(tdoc, sentence, by_sentence_fig.get(sentence.index, []), rules, s_bases, s_dates)
        produced += _drive_outcomes(tdoc, sentence, s_dates, produced, rules)
        produced = [o for o in produced if not (o.is_drive_report and _undated_without_place(o, s_dates, s_places))]
        quoted = [] if s_places or not produced else attribution_places(tdoc, sentence, by_sentence_speaker)
        partial = bool(produced) and rules.partial.search(tdoc.text, sentence.start, sentence.end) is not None
        for outcome in produced:
            outcome.sentence_figures = by_sentence_fig.get(sentence.index, [])
            outcome.period = choose_period(outcome, s_dates, ctx, tdoc.match_text)
            base = base_period(tdoc, outcome.anchor, s_bases, outcome.period, sentence)
            if base is not None:
                outcome.period, outcome.period_from = base, "comparison_base"
            annual = annual_period(tdoc, outcome, outcome.period)
            if annual is not None:
                outcome.period, outcome.period_from = annual, "annual_plan"
            choose_place(tdoc, outcome, s_places or quoted, ctx, drive_extent(outcome, s_dates),
                         by_sentence_collector.get(sentence.index, []), by_sentence_named.get(sentence.index, []))
            venue_period = listed_venue_period(tdoc, outcome, ctx)
            if venue_period is not None:
                outcome.period, outcome.period_from = venue_period, "listed_venue"
            event = same_day_event(outcome, ctx)
            if event is not None and event.place is not None:
                outcome.place, outcome.place_text_span = event.place, event.place_text_span
                outcome.place_from = "same_day_event"
            recap = None if s_dates or not outcome.figures else recap_span(
                tdoc, outcome, ctx, rules.recap, rules.recap_numbers)
            if recap is not None:  # a total over the drives told before spans them
                outcome.period, place = recap
                outcome.period_from = "recap"
                if place is not None and (outcome.place is None or outcome.place.sentence != sentence.index):
                    outcome.place, outcome.place_text_span = place, (place.start, place.end)
                    outcome.place_from = "recap"
            outcome.name = _campaign_name(tdoc, outcome, rules)
            outcome.organizer = _organizer(tdoc, outcome, rules)
            outcome.partial = partial
            outcome.parent = ctx.list_parent
        pair_respective(tdoc, produced, s_places, s_dates)
        produced += [copy for o in produced for copy in _drives_per_venue(tdoc, o, s_places)]
        outcomes.extend(produced)
        # a launch frames only one of the sentence's days: undated, it opens nothing (and is not searched)
        launch = bool(s_dates) and rules.launch.search(tdoc.match_text, sentence.start, sentence.end) is not None
        frame = event_frame(sentence, produced, s_dates, launch, rules.drive_max_days)
        if frame is not None and frame not in produced:
            choose_place(tdoc, frame, s_places, ctx, drive_extent(frame, s_dates))
        update_context(ctx, s_dates, s_places, produced, tdoc, sentence, rules.list_head, frame)
        ctx.province = next((p.province for p in reversed(by_sentence_named.get(sentence.index, [])) if p.province),
                            ctx.province)
    outcomes = _dedupe(outcomes, tdoc)
    for outcome in outcomes:
        outcome.id = outcome_id(article_id, outcome)
    return outcomes


def _by_sentence(items: list[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.sentence, []).append(item)
    return grouped


def _figure_outcomes(tdoc: TextDoc, sentence: Sentence, figures: list[Figure], rules: EventRules,
                     bases: list[DateMention], dates: list[DateMention]) -> list[Outcome]:
    """A sentence's figures in outcomes; a figure of a comparison's base is an outcome of its own, and so is
    one after a period named between it and the figure before ("…2017年的1463.2万人次，采血量由1998年的…")."""
    outcomes: list[Outcome] = []
    current: Outcome | None = None
    current_is_base = False
    for fig in figures:
        is_base = base_period(tdoc, fig.start, bases, None, sentence) is not None
        if current is None or is_base != current_is_base or _starts_new_outcome(
                tdoc.text, current, fig, rules.outcome_break) or any(
                current.figures[-1].end <= d.start and d.end <= fig.start and d.is_period for d in dates):
            current = Outcome(sentence, fig.start, status=fig.status)
            current_is_base = is_base
            outcomes.append(current)
        current.figures.append(fig)
    return outcomes


def _starts_new_outcome(text: str, current: Outcome, fig: Figure, outcome_break: regex.Pattern[str]) -> bool:
    last = current.figures[-1]
    return (
        outcome_break.search(text, last.end, fig.start) is not None
        or any(f.metric == fig.metric for f in current.figures)
        or fig.status != current.status
    )


def _drive_outcomes(tdoc: TextDoc, sentence: Sentence, dates: list[DateMention],
                    produced: list[Outcome], rules: EventRules) -> list[Outcome]:
    """Dated drives the sentence reports without a figure of their own."""
    drive_dates = [date for date in dates if date.kind in DRIVE_DATE_KINDS
                   and not (date.kind == "relative" and produced)
                   and not any(o.sentence is sentence and nearest_date_before(o.anchor, dates) is date
                               for o in produced)]
    if not drive_dates:  # most sentences: no cue need be read
        return []
    text = tdoc.match_text
    if not rules.drive.search(text, sentence.start, sentence.end):
        return []
    if rules.non_drive.search(text, sentence.start, sentence.end):
        return []
    return [Outcome(sentence, date.start, status="target" if _future_cue(tdoc, sentence, date) else "actual",
                    is_drive_report=True) for date in drive_dates]


DRIVE_DATE_KINDS = ("day", "range", "month", "since", "relative", "weekday")  # the dates a drive is told by


def _drives_per_venue(tdoc: TextDoc, drive: Outcome, places: list[PlaceMention]) -> list[Outcome]:
    """"Cùng ngày, điểm hiến máu phụ được tổ chức tại A, B và C", "在台北车站、西门町等地加开捐血车": one
    date with a list of venues is one drive per venue. The first venue is the drive's own; the others are
    copies of it (a drive told with its figures stays one: they were counted together)."""
    if not drive.is_drive_report or drive.figures or drive.place is None:
        return []
    separator = attribution_rules(tdoc.lang).list_separator
    ordered = sorted(places, key=lambda p: p.start)
    at = next((i for i, p in enumerate(ordered) if p.start == drive.place.start), None)
    if at is None:
        return []
    copies: list[Outcome] = []
    for prev, p in zip(ordered[at:], ordered[at + 1 :], strict=False):
        if p.level != drive.place.level or not separator.fullmatch(tdoc.match_text, prev.end, p.start):
            break
        copies.append(replace(drive, place=p, place_text_span=(p.start, p.end)))
    return copies


def _undated_without_place(outcome: Outcome, dates: list[DateMention], places: list[PlaceMention]) -> bool:
    """"近日…献血" with no publication date and no place says nothing a reader can use."""
    date = next((d for d in dates if d.start == outcome.anchor), None)
    return date is not None and date.period_start is None and not places


def _future_cue(tdoc: TextDoc, sentence: Sentence, date: DateMention) -> bool:
    return status_before(tdoc.match_text, sentence.start, date.end, tdoc.lang) == "target"


def _campaign_name(tdoc: TextDoc, outcome: Outcome, rules: EventRules) -> str | None:
    """The quoted name of a campaign or event told between the previous figure and this outcome."""
    ends = sorted(f.end for f in outcome.sentence_figures)  # bisected: a sentence may hold thousands
    i = bisect.bisect_right(ends, outcome.anchor)
    start = ends[i - 1] if i else outcome.sentence.start
    names = list(rules.campaign.finditer(tdoc.match_text, start, outcome.anchor))
    return tdoc.text[names[-1].start("name") : names[-1].end("name")].strip() if names else None


def _organizer(tdoc: TextDoc, outcome: Outcome, rules: EventRules) -> str | None:
    """The first organiser named in the outcome's sentence (read once per sentence)."""
    return _sentence_organizer(tdoc, outcome.sentence.start, outcome.sentence.end, rules.organizer)


def _sentence_organizer(tdoc: TextDoc, start: int, end: int, rx: ScopedPattern) -> str | None:
    cache = tdoc.__dict__.setdefault("_organizers", {})
    if (start, end) not in cache:
        m = next(rx.finditer(tdoc.match_text, start, end), None)  # the first match: what a search finds
        cache[(start, end)] = tdoc.text[m.start() : m.end()].strip() if m else None
    return cache[(start, end)]


def _figure_key(outcome: Outcome, fig: Figure) -> tuple[Any, ...]:
    period = (outcome.period.period_start, outcome.period.period_end) if outcome.period else (None, None)
    province = outcome.place.province if outcome.place else None
    return fig.metric, fig.value, outcome.status, period, province


def _dedupe(outcomes: list[Outcome], tdoc: TextDoc) -> list[Outcome]:
    in_prose = {(f.metric, f.value, o.status) for o in outcomes for f in o.figures if f.rule != TABLE_RULE}
    for outcome in outcomes:  # a table's row (its total) restating a figure the text gives is that figure
        outcome.figures = [f for f in outcome.figures
                           if f.rule != TABLE_RULE or (f.metric, f.value, outcome.status) not in in_prose]
    emptied = _one_target_per_plan(outcomes)
    outcomes = [o for o in outcomes if id(o) not in emptied]
    in_body = [(f, o.status) for o in outcomes if not tdoc.blocks[o.sentence.block].heading for f in o.figures]
    for outcome in outcomes:  # a title's figure restated in the body is that figure, whatever its period
        if tdoc.blocks[outcome.sentence.block].heading and outcome.figures:
            outcome.figures = [f for f in outcome.figures
                               if not any(_restates(f, outcome.status, b, status) for b, status in in_body)]
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
            key = (_period_tuple(outcome), outcome.sentence.block, outcome.place.name if outcome.place else None)
            if key in seen_drives or outcome.period is None:
                continue
            seen_drives.add(key)
        kept.append(outcome)
    return kept


ROUNDING = 0.05  # a headline's "hơn 18.000" for the body's 18.250


def _restates(title: Figure, title_status: str, body: Figure, body_status: str) -> bool:
    """Whether a headline's figure is the body's told shorter: the same number (a headline's "500 công nhân
    tham gia" may be the body's donors or participants), or the body's rounded with "hơn", "gần", "约"."""
    if title_status != body_status:
        return False
    same_kind = title.metric == body.metric or {title.metric, body.metric} <= PEOPLE_METRICS
    if not same_kind:
        return False
    if title.value == body.value:
        return True
    return (title.metric == body.metric and title.qualifier != "exact" and body.value != 0
            and abs(title.value - body.value) <= ROUNDING * abs(body.value))


def _one_target_per_plan(outcomes: list[Outcome]) -> set[int]:
    """A plan restated ("…để hoàn thành chỉ tiêu 26.000 đơn vị máu cả năm", a quote repeating the goal) is one
    target: of the outcomes stating the same target in the same province, the one with the widest period
    keeps it (a plan covers its whole period; a restatement is often dated by a day or a part of it). Returns the
    ids of the outcomes left with no figure, which are no drives either."""
    holders: dict[tuple[Any, ...], list[tuple[Outcome, Figure]]] = {}
    emptied: set[int] = set()
    for outcome in outcomes:
        if outcome.status != "target":
            continue
        for fig in outcome.figures:
            key = (fig.metric, fig.value, outcome.place.province if outcome.place else None)
            holders.setdefault(key, []).append((outcome, fig))
    for found in holders.values():
        if len(found) < 2:
            continue
        kept = max(found, key=lambda pair: _span_days(pair[0]))[1]
        for outcome, fig in found:
            if fig is not kept:
                outcome.figures = [f for f in outcome.figures if f is not fig]
                if not outcome.figures:
                    emptied.add(id(outcome))
    return emptied


def _span_days(outcome: Outcome) -> int:
    start, end = _period_tuple(outcome)
    if start is None:
        return -1
    return ((end or start) - start).days


def _period_tuple(outcome: Outcome) -> tuple[Any, Any]:
    return (outcome.period.period_start, outcome.period.period_end) if outcome.period else (None, None)
