"""Checks across figures: one number for two quantities in an article; one quantity across articles."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Any

from extractor.checks.model import (
    Corpus,
    Figure,
    Outcome,
    QualifierReading,
    computed,
    describe_reading,
    fmt,
    fmt_range,
    make_check,
    normalise_place,
)
from extractor.checks.reference import Reference
from extractor.checks.solid import why_not_solid
from extractor.metrics import COUNT_METRICS

# Quantities that are often rightly equal: one unit per donor, everyone registered donated.
NATURALLY_EQUAL = {
    frozenset({"donors", "blood_units"}),
    frozenset({"donors", "registrations"}),
    frozenset({"donors", "participants"}),
    frozenset({"registrations", "participants"}),
}


def significant_digits(value: float) -> int:
    """1,635,000 -> 4; 1,000 -> 1; 12.5 -> 3."""
    digits = f"{abs(value):f}".replace(".", "").strip("0")
    return len(digits)


def article_figures(article_id: str, outcomes: list[Outcome], article: dict[str, Any] | None) -> list[Figure]:
    """Count figures of one article, each span once: the outcomes' first, then the article's other figures."""
    raw = [f for o in outcomes for f in o.figures]
    raw += [Figure.from_record(m, article_id, None, None) for m in (article or {}).get("figures") or []]
    seen: set[Any] = set()
    figures = []
    for figure in raw:
        # One span is one number, however the two lists label it.
        key = (figure.start, figure.end) if figure.start is not None else id(figure)
        if figure.metric in COUNT_METRICS and key not in seen:
            seen.add(key)
            figures.append(figure)
    return figures


def duplicate_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    outcomes_by_article = corpus.by_article()
    for article_id in sorted(set(outcomes_by_article) | set(corpus.articles)):
        figures = article_figures(article_id, outcomes_by_article.get(article_id, []), corpus.articles.get(article_id))
        figures = [f for f in figures if why_not_solid(corpus, f, reference) is None]
        checks.extend(_article_duplicates(article_id, figures, reference))
    return checks


def _article_duplicates(article_id: str, figures: list[Figure], reference: Reference) -> list[dict[str, Any]]:
    min_value = float(reference.threshold("duplicates", "min_value", default=100))
    min_digits = int(reference.threshold("duplicates", "min_significant_digits", default=3))
    by_value: dict[float, dict[str, Figure]] = defaultdict(dict)
    for figure in figures:
        if figure.value >= min_value:
            by_value[figure.value].setdefault(figure.metric, figure)
    shared = {value: by_metric for value, by_metric in by_value.items() if _suspicious(set(by_metric))}
    tolerance = f"numbers from {fmt(min_value)} up; below {min_digits} significant digits they may coincide"
    if not shared:
        return []  # no number given for two quantities: nothing to report
    return [
        _duplicate(article_id, value, list(by_metric.values()), min_digits, tolerance)
        for value, by_metric in sorted(shared.items())
    ]


def _suspicious(metrics: set[str]) -> bool:
    return len(metrics) > 1 and frozenset(metrics) not in NATURALLY_EQUAL


def _duplicate(article_id: str, value: float, figures: list[Figure], min_digits: int, tolerance: str) -> dict[str, Any]:
    quantities = " and as ".join(f'{f.noun} ("{f.text}")' for f in figures)
    if significant_digits(value) >= min_digits:
        verdict = "implausible"
        why = "two quantities rarely share so precise a number; one was probably copied from the other"
    else:
        verdict = "unverifiable"
        why = "a round number like this can coincide, but it is worth asking which figure is right"
    explanation = f"The same number, {fmt(value)}, is given as {quantities}: {why}."
    return make_check(
        "duplicate_number",
        verdict,
        article_id,
        [(f.metric, f) for f in figures],
        computed("repeated number", value, significant_digits=significant_digits(value)),
        tolerance,
        explanation,
    )


def _comparison_key(outcome: Outcome, figure: Figure) -> tuple[Any, ...] | None:
    # Achieved figures only: a plan is revised during its year, so two articles' targets may both be right.
    if outcome.period_key is None or outcome.status != "actual":
        return None
    return (outcome.place, outcome.period_key, figure.metric, outcome.status)


def across_article_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    """The same place, period and metric in articles of different syndication groups: one check per pair of
    groups (copies of one article never corroborate, nor contradict, each other)."""
    groups: dict[tuple[Any, ...], dict[str, tuple[Outcome, Figure]]] = defaultdict(dict)
    for outcome in corpus.outcomes:
        for figure in outcome.figures:
            key = _comparison_key(outcome, figure) if figure.metric in COUNT_METRICS else None
            if key is not None:
                groups[key].setdefault(corpus.group_of(outcome.article_id), (outcome, figure))
    checks = []
    for by_article in groups.values():
        for first, second in combinations(sorted(by_article), 2):
            check = _compare(by_article[first], by_article[second], reference.reading)
            if check is not None:
                checks.append(check)
    return checks


def _different(a: str | None, b: str | None) -> bool:
    return bool(a and b and normalise_place(a) != normalise_place(b))


def _compare(
    first: tuple[Outcome, Figure], second: tuple[Outcome, Figure], reading: QualifierReading
) -> dict[str, Any] | None:
    (one, a), (other, b) = first, second
    if _different(one.name, other.name):
        return None  # two different named events of the same place and period
    where = f"{one.place_label}, {one.period_label}"
    sides = (
        f'article {a.article_id} gives {a.phrase()} ("{a.text}") '
        f'and article {b.article_id} gives {b.phrase()} ("{b.text}")'
    )
    a_range, b_range = a.interval(reading), b.interval(reading)
    if _different(one.organizer, other.organizer):
        verdict = "unverifiable"
        explanation = (
            f"For {where}, {sides}, but they come from different organisers "
            f"({one.organizer}; {other.organizer}) and may count different things."
        )
    elif a_range.overlaps(b_range):
        verdict = "consistent"
        explanation = f"For {where}, {sides}: the two agree."
    else:
        verdict = "inconsistent"
        explanation = f"For {where}, {sides}: they cannot both be right ({fmt_range(a_range)} vs {fmt_range(b_range)})."
    return make_check(
        "across_articles",
        verdict,
        a.article_id,
        [("first", a), ("second", b)],
        computed("difference", b.value - a.value),
        describe_reading(reading),
        explanation,
        article_ids=[a.article_id, b.article_id],
    )
