"""Percent of base: an achievement percentage against the achieved figure and the target."""

from __future__ import annotations

from typing import Any

from extractor.checks.model import (
    Corpus,
    Figure,
    Interval,
    Outcome,
    QualifierReading,
    computed,
    describe_reading,
    fmt,
    fmt_range,
    make_check,
)
from extractor.checks.reference import Reference
from extractor.metrics import COUNT_METRICS

CHECK = "percent_of_base"
PERCENT_RULE = "a stated percentage covers its last digit rounded or truncated ('105%' = 104.5–106)"


def percent_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for outcome in corpus.outcomes:
        for pct in outcome.figures_of("achievement_pct"):
            checks.extend(_checks_for(outcome, pct, corpus, reference.reading))
    return checks


def percent_interval(pct: Figure, reading: QualifierReading) -> Interval:
    """'172.9%' -> 172.85..173.0: rounded or truncated at its last written digit."""
    if pct.qualifier != "exact" or (pct.low is not None and pct.high is not None):
        return pct.interval(reading)
    decimals = len(f"{pct.value:g}".partition(".")[2])
    step = 10.0**-decimals
    return Interval(pct.value - step / 2, pct.value + step)


def achieved_figure(outcome: Outcome, pct: Figure, corpus: Corpus) -> Figure | None:
    """The count the percentage is about: the nearest count of the same outcome, else of a sibling outcome
    (same article, place, period and status: the pipeline may split "4.000 đơn vị máu, vượt 182%")."""
    counts = [f for f in outcome.figures if f.metric in COUNT_METRICS]
    if not counts:
        counts = [f for sibling in _siblings(outcome, corpus) for f in sibling.figures if f.metric in COUNT_METRICS]
    if not counts:
        return None
    if pct.start is None:
        return counts[0]
    return min(counts, key=lambda f: abs((f.start if f.start is not None else 10**9) - pct.start))


def _siblings(outcome: Outcome, corpus: Corpus) -> list[Outcome]:
    return [
        other
        for other in corpus.outcomes
        if other.article_id == outcome.article_id
        and other.id != outcome.id
        and other.status == outcome.status
        and other.place == outcome.place
        and other.period_key is not None
        and other.period_key == outcome.period_key
    ]


def stated_targets(outcome: Outcome, achieved: Figure, corpus: Corpus) -> list[Figure]:
    """Targets for the same place, period and metric: from the same article if any, else the corpus."""
    found = [
        figure
        for other in corpus.outcomes
        if other.id != outcome.id
        and other.status == "target"
        and other.place == outcome.place
        and other.period_key is not None
        and other.period_key == outcome.period_key
        for figure in other.figures_of(achieved.metric)
        if figure.value != achieved.value  # the same number again is the same statement repeated
    ]
    same_article = [f for f in found if f.article_id == outcome.article_id]
    chosen = same_article or found
    # A target repeated in one article ("4.000 đơn vị máu" in the lede and the body) is checked once.
    unique = {(f.article_id, f.value, f.qualifier): f for f in reversed(chosen)}
    return sorted(unique.values(), key=lambda f: (f.article_id, f.start or 0))


def _checks_for(outcome: Outcome, pct: Figure, corpus: Corpus, reading: QualifierReading) -> list[dict[str, Any]]:
    achieved = achieved_figure(outcome, pct, corpus)
    if achieved is None:
        return [_no_base(outcome, pct)]
    if outcome.status == "target":
        # A planned figure "vượt 182%" of a quota: the quota is a different number, never stated as such.
        return [_implied_base(outcome, pct, achieved, None, reading)]
    targets = stated_targets(outcome, achieved, corpus)
    if not targets:
        return [_implied_base(outcome, pct, achieved, None, reading)]
    same_article = [t for t in targets if t.article_id == outcome.article_id]
    if same_article:
        return [_both_stated(outcome, pct, achieved, target, reading) for target in same_article]
    return [_implied_base(outcome, pct, achieved, target, reading) for target in targets]


def _both_stated(
    outcome: Outcome, pct: Figure, achieved: Figure, target: Figure, reading: QualifierReading
) -> dict[str, Any]:
    stated = percent_interval(pct, reading)
    ratio = achieved.interval(reading).divided_by(target.interval(reading)).scaled(100)
    point = achieved.value / target.value * 100
    ok = ratio.overlaps(stated)
    verb = "matching" if ok else "not"
    return make_check(
        CHECK,
        "consistent" if ok else "inconsistent",
        outcome.article_id,
        [("percentage", pct), ("achieved", achieved), ("target", target)],
        computed("achieved ÷ target × 100", point, ratio, expression=f"{fmt(achieved.value)} ÷ {fmt(target.value)}"),
        f"{PERCENT_RULE}; {describe_reading(reading)}",
        f"{achieved.phrase()} against a target of {target.phrase()} is {fmt(achieved.value)} ÷ "
        f"{fmt(target.value)} = {point:.1f}%, {verb} the stated {pct.number()}.",
    )


def _implied_base(
    outcome: Outcome, pct: Figure, achieved: Figure, target: Figure | None, reading: QualifierReading
) -> dict[str, Any]:
    fraction = percent_interval(pct, reading).scaled(0.01)
    implied = achieved.interval(reading).divided_by(fraction)
    point = achieved.value / (pct.value / 100)
    base = "quota" if outcome.status == "target" else "target"
    arithmetic = (
        f"{achieved.phrase()} at {pct.number()} implies a {base} of about {fmt(point)} {achieved.noun} "
        f"({fmt(achieved.value)} ÷ {pct.value / 100:g})"
    )
    figures = [("percentage", pct), ("achieved", achieved)]
    rule = f"{PERCENT_RULE}; {describe_reading(reading)}"
    calc = computed(f"implied {base}", point, implied, expression=f"{fmt(achieved.value)} ÷ {pct.value / 100:g}")
    if target is None:
        where = f"{outcome.place_label}, {outcome.period_label}"
        explanation = f"{arithmetic}; no {base} for {where} is stated in the corpus to compare it with."
        return make_check(CHECK, "unverifiable", outcome.article_id, figures, calc, rule, explanation)
    ok = implied.overlaps(target.interval(reading))
    verdict = "consistent" if ok else "inconsistent"
    verb = "matching" if ok else "against"
    explanation = (
        f"{arithmetic} (allowing {fmt_range(implied)}), {verb} the target of {target.phrase()} "
        f"stated in article {target.article_id}."
    )
    return make_check(CHECK, verdict, outcome.article_id, figures + [("target", target)], calc, rule, explanation)


def _no_base(outcome: Outcome, pct: Figure) -> dict[str, Any]:
    return make_check(
        CHECK,
        "unverifiable",
        outcome.article_id,
        [("percentage", pct)],
        computed("achieved ÷ target × 100", pct.value),
        PERCENT_RULE,
        f"{pct.number()} of target is stated without the figure it was achieved with, so it cannot be checked.",
    )
