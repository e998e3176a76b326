"""Ratios inside one outcome: ml and units per donor; donors against registrations and participants."""

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
from extractor.checks.solid import component_of, same_span, turnout

# (check, numerator metric, denominators in order of preference). Participants stand in for donors
# only for millilitres: Chinese reports say "302人参加献血，献血量12万毫升" of the same people.
RATIO_SPECS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ml_per_donor", "volume_ml", ("donors", "participants")),
    ("units_per_donor", "blood_units", ("donors",)),
)

# (smaller, larger): the first should not exceed the second.
FUNNEL_PAIRS = (("donors", "registrations"), ("donors", "participants"))
FUNNEL_REASONS = {
    "registrations": "some who register are turned away at screening",
    "participants": "not everyone who takes part gives blood",
}


def ratio_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    """Ratios of two figures of one outcome standing in one clause, of one blood component."""
    checks: list[dict[str, Any]] = []
    reading = reference.reading
    for outcome in corpus.outcomes:
        for check, numerator_metric, denominators in RATIO_SPECS:
            numerator = outcome.first_figure(numerator_metric)
            if numerator is None:
                continue
            denominator = next((f for m in denominators for f in outcome.figures_of(m)
                                if _pairs(corpus, numerator, f)), None)
            if denominator and denominator.value > 0:
                bounds = reference.threshold("ratios", check, outcome.country or "")
                per_participant = denominator.metric == "participants" or turnout(corpus, denominator)
                checks.append(_ratio_check(check, outcome, numerator, denominator, bounds, reading,
                                           per_participant))
        checks.extend(_funnel_checks(corpus, outcome, reading))
    return checks


def _pairs(corpus: Corpus, one: Figure, other: Figure) -> bool:
    return same_span(corpus, one, other, "clause") and component_of(corpus, one) == component_of(corpus, other)


def _ratio_check(
    check: str,
    outcome: Outcome,
    numerator: Figure,
    denominator: Figure,
    bounds: list[float] | None,
    reading: QualifierReading,
    per_participant: bool = False,
) -> dict[str, Any]:
    point = numerator.value / denominator.value
    spread = numerator.interval(reading).divided_by(denominator.interval(reading))
    # A turn-out ("450 người tham gia hiến máu") includes people screening turned away: a floor of one
    # unit or 250 ml each does not hold for it, a ceiling does.
    per = "participant" if per_participant else "donor"
    arithmetic = (
        f"{numerator.phrase()} from {denominator.phrase()} is {fmt(numerator.value)} ÷ "
        f"{fmt(denominator.value)} = {fmt(point)} {numerator.noun} per {per}"
    )
    figures = [("numerator", numerator), ("denominator", denominator)]
    calc = computed(
        f"{numerator.noun} per {per}",
        point,
        spread,
        expression=f"{fmt(numerator.value)} ÷ {fmt(denominator.value)}",
    )
    if not bounds:
        explanation = f"{arithmetic}; there is no plausible range for country {outcome.country or '(unknown)'}."
        return make_check(check, "unverifiable", outcome.article_id, figures, calc, "no range", explanation)
    low, high = float(bounds[0]), float(bounds[1])
    verdict, comment = _judge_ratio(point, spread, low, high, per)
    tolerance = f"plausible range {fmt(low)}–{fmt(high)} for {outcome.country}; {describe_reading(reading)}"
    explanation = f"{arithmetic}, {comment}."
    return make_check(check, verdict, outcome.article_id, figures, calc, tolerance, explanation)


def _judge_ratio(point: float, spread: Interval, low: float, high: float, per: str) -> tuple[str, str]:
    allowed = f"the {fmt(low)}–{fmt(high)} expected"
    if low <= point <= high:
        assumption = " if every participant donated" if per == "participant" else ""
        return "consistent", f"within {allowed}{assumption}"
    if spread.overlaps(Interval(low, high)):
        return "unverifiable", f"outside {allowed}, though the qualifiers allow {fmt_range(spread)}"
    if per == "participant" and point < low:
        return "unverifiable", f"below {allowed}, which can mean that not every participant donated"
    side = "above" if point > high else "below"
    return "implausible", f"{side} {allowed}"


def _funnel_checks(corpus: Corpus, outcome: Outcome, reading: QualifierReading) -> list[dict[str, Any]]:
    checks = []
    for smaller_metric, larger_metric in FUNNEL_PAIRS:
        smaller, larger = outcome.first_figure(smaller_metric), outcome.first_figure(larger_metric)
        if smaller and larger and same_span(corpus, smaller, larger, "sentence") and not turnout(corpus, smaller):
            checks.append(_funnel_check(outcome, smaller, larger, reading))
    return checks


def _funnel_check(outcome: Outcome, smaller: Figure, larger: Figure, reading: QualifierReading) -> dict[str, Any]:
    small, large = smaller.interval(reading), larger.interval(reading)
    check = f"{smaller.metric}_vs_{larger.metric}"
    pair = f"{smaller.phrase()} against {larger.phrase()}"
    if small.high <= large.low:
        verdict = "consistent"
        explanation = f"{pair}: fewer {smaller.noun} than {larger.noun} is normal, as {FUNNEL_REASONS[larger.metric]}."
    elif small.low > large.high:
        verdict = "implausible"
        explanation = (
            f"{pair}: {fmt(smaller.value - larger.value)} more {smaller.noun} than {larger.noun}, "
            f"though every donor should be among the {larger.noun}."
        )
    else:
        verdict = "unverifiable"
        spreads = f"{fmt_range(small)} vs {fmt_range(large)}"
        explanation = f"{pair}: the qualifiers leave it open which is larger ({spreads})."
    return make_check(
        check,
        verdict,
        outcome.article_id,
        [(smaller.metric, smaller), (larger.metric, larger)],
        computed(f"{smaller.noun} − {larger.noun}", smaller.value - larger.value),
        f"{smaller.noun} must not exceed {larger.noun}; {describe_reading(reading)}",
        explanation,
    )
