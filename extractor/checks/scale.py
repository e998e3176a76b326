"""Scale: a figure against the national total of its year and against its place's population."""

from __future__ import annotations

from typing import Any

from extractor.checks.model import (
    QUALIFIER_WORDS,
    Corpus,
    Figure,
    Interval,
    Outcome,
    QualifierReading,
    computed,
    fmt,
    fmt_pct,
    make_check,
)
from extractor.checks.reference import Reference, ReferenceFigure

POPULATION_METRICS = ("blood_units", "donors")
NATIONAL_METRICS = ("blood_units",)  # the reference table has national totals in units only


def scale_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for outcome in corpus.outcomes:
        if outcome.year is None:
            continue  # the bounds are per year: a figure over several years (or an open period) has none
        for figure in outcome.figures:
            if figure.metric in NATIONAL_METRICS and not outcome.place.is_national:
                checks.append(national_share_check(outcome, figure, reference))
            if figure.metric in POPULATION_METRICS:
                checks.append(population_rate_check(outcome, figure, reference))
    return [c for c in checks if c is not None]


def short_source(ref: ReferenceFigure) -> str:
    if ref.source_article_id:
        return f"article {ref.source_article_id}"
    return f"{ref.year} census" if "census" in ref.source.casefold() else ref.source


def _reference_interval(ref: ReferenceFigure, reading: QualifierReading) -> Interval:
    as_figure = Figure(ref.quantity, ref.value, ref.qualifier, "", None, None, ref.unit, "", None, None)
    return as_figure.interval(reading)


def _judge_share(point: float, lowest: float, ceiling: float) -> str:
    """Consistent when the stated value fits; implausible only when even its lowest reading does not."""
    if point <= ceiling:
        return "bounded"  # one figure within a sanity bound: no second figure agrees with it
    return "implausible" if lowest > ceiling else "unverifiable"


def _comment(verdict: str, within: str, beyond: str, ceiling: float) -> str:
    return {
        "bounded": within,
        "implausible": beyond,
        "unverifiable": f"possibly above {fmt_pct(ceiling)}, depending on the qualifiers",
    }[verdict]


def national_share_check(outcome: Outcome, figure: Figure, reference: Reference) -> dict[str, Any] | None:
    """None when the reference table has no national total near the year: nothing to compare with."""
    check = "national_share"
    ceiling = float(reference.threshold("scale", "max_share_of_national", default=0.5))
    gap = int(reference.threshold("scale", "reference_year_gap", default=1))
    tolerance = f"a sub-national figure may be at most {fmt_pct(ceiling)} of the national total"
    year = outcome.year
    national = reference.national_total(outcome.country, year, gap) if year else None
    if national is None:
        return None
    reading = reference.reading
    share = figure.value / national.value
    lowest = figure.interval(reading).low / _reference_interval(national, reading).high
    verdict = _judge_share(share, lowest, ceiling)
    stand_in = "" if national.year == year else f"; no {year} total in the reference table, so {national.year}'s"
    whole = f"{QUALIFIER_WORDS.get(national.qualifier, '')}{fmt(national.value)} units"
    comment = _comment(
        verdict,
        "a plausible part of it",
        f"more than the {fmt_pct(ceiling)} one place could collect",
        ceiling,
    )
    explanation = (
        f"{figure.labelled()} in {outcome.place_label} ({outcome.period_label}) ÷ {whole} for the "
        f"whole country in {national.year} ({short_source(national)}{stand_in}) "
        f"= {fmt_pct(share)}: {comment}."
    )
    calc = computed("share of national total", share, expression=f"{fmt(figure.value)} ÷ {fmt(national.value)}")
    figures = [("figure", figure)]
    record = national.as_record()
    return make_check(check, verdict, outcome.article_id, figures, calc, tolerance, explanation, reference=record)


def population_rate_check(outcome: Outcome, figure: Figure, reference: Reference) -> dict[str, Any] | None:
    """None when the reference table has no population for the place."""
    check = "population_rate"
    ceiling = float(reference.threshold("scale", "max_donations_per_person_year", default=0.10))
    tolerance = f"at most {fmt_pct(ceiling)} of the population in a year"
    population = reference.population(outcome.place)
    if population is None:
        return None
    share = figure.value / population.value
    verdict = _judge_share(share, figure.interval(reference.reading).low / population.value, ceiling)
    # A district is held to its province's population: a loose but safe bound.
    whose = f"{population.place}'s, a loose bound" if outcome.place.district else population.place
    comment = _comment(
        verdict,
        f"within the {fmt_pct(ceiling)} a year any population could give",
        f"far above the {fmt_pct(ceiling)} a year no population reaches",
        ceiling,
    )
    explanation = (
        f"{figure.labelled()} in {outcome.place_label} ({outcome.period_label}) ÷ {fmt(population.value)} "
        f"residents ({whose}, {short_source(population)}) = {fmt_pct(share)}: {comment}."
    )
    calc = computed("share of population", share, expression=f"{fmt(figure.value)} ÷ {fmt(population.value)}")
    figures = [("figure", figure)]
    record = population.as_record()
    return make_check(check, verdict, outcome.article_id, figures, calc, tolerance, explanation, reference=record)
