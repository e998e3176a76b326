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
from extractor.checks.solid import same_span
from extractor.metrics import COUNT_METRICS

CHECK = "percent_of_base"
PERCENT_RULE = "a stated percentage covers its last digit rounded or truncated ('105%' = 104.5–106)"


def percent_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    targets = TargetIndex(corpus)
    for outcome in corpus.outcomes:
        if outcome.status == "target":
            continue  # a planned percentage of a quota never stated as such: nothing to compare
        for pct in outcome.figures_of("achievement_pct"):
            checks.extend(_checks_for(outcome, pct, corpus, targets, reference.reading))
    return checks


class TargetIndex:
    """The corpus's target outcomes by place and period, read once (a lookup per percentage, not a scan)."""

    def __init__(self, corpus: Corpus) -> None:
        self.by_key: dict[tuple[Any, Any], list[Outcome]] = {}
        for outcome in corpus.outcomes:
            if outcome.status == "target" and outcome.period_key is not None:
                self.by_key.setdefault((outcome.place, outcome.period_key), []).append(outcome)

    def of(self, outcome: Outcome) -> list[Outcome]:
        return self.by_key.get((outcome.place, outcome.period_key), []) if outcome.period_key else []


def percent_interval(pct: Figure, reading: QualifierReading) -> Interval:
    """'172.9%' -> 172.85..173.0: rounded or truncated at its last written digit; a difference from the plan
    ('vượt 16% so với kế hoạch') is read as the achievement it implies (116%)."""
    shift = 100.0 if pct.difference else 0.0
    if pct.qualifier != "exact" or (pct.low is not None and pct.high is not None):
        spread = pct.interval(reading)
        return Interval(spread.low + shift, spread.high + shift)
    decimals = len(f"{pct.value:g}".partition(".")[2])
    step = 10.0**-decimals
    return Interval(pct.value + shift - step / 2, pct.value + shift + step)


def stated_pct(pct: Figure) -> str:
    """'105%', or 'exceeded by 16% (116%)' for a difference."""
    if pct.difference:
        return f"{pct.number()} over the plan ({pct.value + 100:g}%)"
    return pct.number()


def achieved_figure(outcome: Outcome, pct: Figure, corpus: Corpus) -> Figure | None:
    """The count the percentage is about: the nearest achieved count of its sentence, of the same outcome
    first, else of a sibling outcome (same article, place, period and status: the pipeline may split
    "4.000 đơn vị máu, vượt 182%")."""
    counts = [f for f in outcome.figures if f.metric in COUNT_METRICS and same_span(corpus, pct, f, "sentence")]
    if not counts:
        counts = [f for sibling in _siblings(outcome, corpus) for f in sibling.figures
                  if f.metric in COUNT_METRICS and same_span(corpus, pct, f, "sentence")]
    if not counts:
        return None
    if pct.start is None:
        return counts[0]
    return min(counts, key=lambda f: abs((f.start if f.start is not None else 10**9) - pct.start))


def _siblings(outcome: Outcome, corpus: Corpus) -> list[Outcome]:
    return [
        other
        for other in corpus.by_article().get(outcome.article_id, [])
        if other.id != outcome.id
        and other.status == outcome.status
        and other.place == outcome.place
        and other.period_key is not None
        and other.period_key == outcome.period_key
    ]


def sentence_target(pct: Figure, achieved: Figure, corpus: Corpus) -> Figure | None:
    """The target stated with the percentage ('đạt 102,5% kế hoạch (14.000 đơn vị)', '528/400 đơn vị, đạt
    132%'): a target of the achieved figure's metric in the same sentence, the nearest to the percentage."""
    found = [f for o in corpus.by_article().get(pct.article_id, []) if o.status == "target"
             for f in o.figures_of(achieved.metric) if same_span(corpus, pct, f, "sentence")]
    if not found or pct.start is None:
        return found[0] if found else None
    return min(found, key=lambda f: abs((f.start if f.start is not None else 10**9) - pct.start))


def stated_targets(outcome: Outcome, achieved: Figure, corpus: Corpus, targets: TargetIndex) -> list[Figure]:
    """Targets for the same place, period and metric: from the same article if any, else from articles of
    other syndication groups (a copy of the article is no second source)."""
    group = corpus.group_of(outcome.article_id)
    found = [
        figure
        for other in targets.of(outcome)
        if other.id != outcome.id
        and (other.article_id == outcome.article_id or corpus.group_of(other.article_id) != group)
        for figure in other.figures_of(achieved.metric)
        if figure.value != achieved.value  # the same number again is the same statement repeated
    ]
    same_article = [f for f in found if f.article_id == outcome.article_id]
    chosen = same_article or found
    # A target repeated in one article ("4.000 đơn vị máu" in the lede and the body) is checked once.
    unique = {(f.article_id, f.value, f.qualifier): f for f in reversed(chosen)}
    return sorted(unique.values(), key=lambda f: (f.article_id, f.start or 0))


def _checks_for(outcome: Outcome, pct: Figure, corpus: Corpus, targets: TargetIndex,
                reading: QualifierReading) -> list[dict[str, Any]]:
    achieved = achieved_figure(outcome, pct, corpus)
    if achieved is None:
        return []  # a percentage alone: nothing to compare it with
    target = sentence_target(pct, achieved, corpus)
    if target is not None:
        return [_both_stated(outcome, pct, achieved, target, reading)]
    stated = stated_targets(outcome, achieved, corpus, targets)
    same_article = [t for t in stated if t.article_id == outcome.article_id]
    if len({t.value for t in same_article}) == 1:
        return [_both_stated(outcome, pct, achieved, same_article[0], reading)]
    if same_article or not stated:  # several targets of that place and period (which one?), or none
        return [_implied_base(outcome, pct, achieved, None, reading)]
    return [_implied_base(outcome, pct, achieved, target, reading) for target in stated]


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
        f"{fmt(target.value)} = {point:.1f}%, {verb} the stated {stated_pct(pct)}.",
    )


def _implied_base(
    outcome: Outcome, pct: Figure, achieved: Figure, target: Figure | None, reading: QualifierReading
) -> dict[str, Any]:
    fraction = percent_interval(pct, reading).scaled(0.01)
    implied = achieved.interval(reading).divided_by(fraction)
    share = (pct.value + (100 if pct.difference else 0)) / 100
    point = achieved.value / share
    base = "quota" if outcome.status == "target" else "target"
    arithmetic = (
        f"{achieved.phrase()} at {stated_pct(pct)} implies a {base} of about {fmt(point)} {achieved.noun} "
        f"({fmt(achieved.value)} ÷ {share:g})"
    )
    figures = [("percentage", pct), ("achieved", achieved)]
    rule = f"{PERCENT_RULE}; {describe_reading(reading)}"
    calc = computed(f"implied {base}", point, implied, expression=f"{fmt(achieved.value)} ÷ {share:g}")
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
