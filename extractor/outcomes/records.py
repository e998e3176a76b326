"""Records: outcomes as the JSON lines of `outcomes.jsonl` (schema: extractor/schemas/outcomes.schema.json),
with their stable ids and their kind."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from extractor.dates import DateMention
from extractor.figures import Figure
from extractor.outcomes.model import Outcome
from extractor.outcomes.rules import event_rules
from extractor.schemas import SCHEMA_VERSION
from extractor.textdoc import TextDoc


def outcome_id(article_id: str, outcome: Outcome) -> str:
    anchor = outcome.figures[0].start if outcome.figures else outcome.anchor
    key = f"{article_id}|{outcome.sentence.start}|{anchor}"
    if not outcome.figures and outcome.place is not None:  # one date, several venues: one drive each
        key += f"|{outcome.place.start}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    return f"{article_id}:{digest}"



def kind_of(outcome: Outcome, lang: str) -> str:
    rules = event_rules(lang)
    period = outcome.period
    if period is not None and period.period_start and period.period_end:
        days = (period.period_end - period.period_start).days + 1
        if days <= rules.drive_max_days or (outcome.is_drive_report and days <= rules.drive_report_max_days):
            return "drive"
    if outcome.is_drive_report:
        return "drive"
    return "campaign" if outcome.name else "total"



def outcome_record(tdoc: TextDoc, outcome: Outcome, article_id: str, written: dt.date | None = None
                   ) -> dict[str, Any]:
    """`written`: when the article was written (its publication date, else its latest dated event);
    the province is named as it was then."""
    text = tdoc.text
    pack = tdoc.pack
    period, place = outcome.period, outcome.place
    location: dict[str, Any] = {"name": None, "text": None, "start": None, "end": None, "province": None,
                                "district": None, "level": None, "country": pack.country}
    if place is not None:
        s, e = outcome.place_text_span or (place.start, place.end)
        location = {
            "name": place.name, "text": text[s:e], "start": s, "end": e,
            "province": pack.province_as_of(place.province, written),
            "district": place.district, "level": place.level, "country": place.country,
        }
    location.update(pack.province_layouts(location["province"]))
    location["codes"] = pack.place_codes(location, written)
    location["source"] = _place_source(tdoc, outcome)
    return {
        "schema_version": SCHEMA_VERSION,
        "id": outcome.id,
        "article_id": article_id,
        "lang": tdoc.lang,
        "kind": kind_of(outcome, tdoc.lang),
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
            "source": _period_source(outcome),
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
            "since": "open", "since_year": "open", "relative": "day", "first_days": "range", "weekday": "day",
            "as_of": "range" if period.period_start else "open",
            "as_of_again": "range" if period.period_start else "open",
            "year_to_date": "range" if period.period_end else "open"}.get(period.kind, period.kind)



DAY_KINDS = ("day", "range", "relative", "weekday", "first_days")


def _period_source(outcome: Outcome) -> dict[str, Any] | None:
    """How the period was chosen: its role (what the date is to the figures), the scope or rule that
    chose it (SOURCES), the date rule that read it and its words."""
    period = outcome.period
    if period is None:
        return None
    if outcome.period_from in ("comparison_base", "annual_plan", "recap"):
        role = {"comparison_base": "comparison_base", "annual_plan": "plan_year", "recap": "drives_span"}[
            outcome.period_from]
    elif outcome.period_from in ("listed_drives", "listed_venue"):
        role = "drives_span" if outcome.period_from == "listed_drives" else "event_day"
    elif period.kind in ("as_of", "as_of_again"):
        role = "as_of"
    elif period.kind in ("since", "since_year"):
        role = "since"
    elif period.kind in DAY_KINDS:
        role = "event_day" if outcome.is_drive_report or outcome.period_from != "article" else "reporting_period"
    else:
        role = "reporting_period"
    return {"role": role, "scope": outcome.period_from or None, "rule": period.rule or None, "text": period.text}


def _place_source(tdoc: TextDoc, outcome: Outcome) -> dict[str, Any] | None:
    """How the place was chosen: its role (venue, area covered, collecting centre, national), the scope or
    rule that chose it, and its words."""
    place = outcome.place
    if place is None:
        return None
    if outcome.place_from == "collector":
        role = "collecting_centre"
    elif place.level == "national":
        role = "national"
    elif place.level == "site" or outcome.place_from in ("venue_cue", "respective_list", "same_day_event"):
        role = "venue"
    else:
        role = "area"
    s, e = outcome.place_text_span or (place.start, place.end)
    return {"role": role, "scope": outcome.place_from or None, "text": tdoc.text[s:e]}


def _metric_record(fig: Figure) -> dict[str, Any]:
    return {
        "metric": fig.metric, "value": fig.value, "qualifier": fig.qualifier, "text": fig.text,
        "start": fig.start, "end": fig.end, "unit": fig.unit, "low": fig.low, "high": fig.high,
    }
