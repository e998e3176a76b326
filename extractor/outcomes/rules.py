"""The rules of `patterns/<lang>/events.yaml`: what makes a drive, a list, a partial list, a campaign
name, an organiser, and how figures group into outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from extractor import patterns
from extractor.scoped import ScopedPattern, scoped


@dataclass
class EventRules:
    drive: regex.Pattern[str]
    non_drive: regex.Pattern[str]
    launch: regex.Pattern[str]  # a launch or opening ceremony: opens an event for the results that follow
    recap: regex.Pattern[str]  # "tổng cộng 3 đợt hiến máu nói trên": a total over the drives told before
    recap_numbers: dict[str, int]  # "ba đợt", "两场": the counts a recap may name in words
    list_item: regex.Pattern[str]
    partial: regex.Pattern[str]
    campaign: regex.Pattern[str]
    organizer: ScopedPattern  # read once per sentence with outcomes: scoped where its matches allow
    outcome_break: regex.Pattern[str]  # between two figures: a new outcome
    list_head: regex.Pattern[str]  # a sentence ending so heads a list of outcomes
    drive_max_days: int
    drive_report_max_days: int


@cache
def event_rules(lang: str) -> EventRules:
    pf = patterns.load(lang, "events")
    compiled = pf.compiled_rules()
    rules = {rule["name"]: rx for rule, rx in compiled}
    scopes = {rule["name"]: rule.get("scope") for rule, _ in compiled}
    grouping = pf.data["grouping"]
    return EventRules(
        drive=pf.compile(pf.data["drive_cues"]),
        non_drive=pf.compile(pf.data["non_drive_cues"]),
        launch=pf.compile(pf.data["launch_cues"]),
        recap=pf.compile(pf.data["recap_cues"]),
        recap_numbers={str(k).lower(): int(v) for k, v in pf.data["recap_numbers"].items()},
        list_item=pf.compile(pf.data["list_item"], regex.MULTILINE),
        partial=pf.compile(pf.data["partial_cues"]),
        campaign=rules["campaign_name"],
        organizer=scoped(rules["organizer"], scopes["organizer"], pf.compile),
        outcome_break=pf.compile(grouping["outcome_break"]),
        list_head=pf.compile(grouping["list_head"]),
        drive_max_days=int(grouping["drive_max_days"]),
        drive_report_max_days=int(grouping["drive_report_max_days"]),
    )
