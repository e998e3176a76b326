"""Sum of parts: drives or sub-reports against the stated total of the same period and area."""

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

CHECK = "sum_of_parts"
TOTAL_KINDS = ("total", "campaign")


def sum_of_parts_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    for total, parts in part_groups(corpus):
        checks.extend(check_group(total, parts, reference.reading))
    return checks


def part_groups(corpus: Corpus) -> list[tuple[Outcome, list[Outcome]]]:
    """(total, its parts): by parent_id, else a drive's only enclosing total in the same article."""
    by_id = {o.id: o for o in corpus.outcomes}
    groups: dict[str, list[Outcome]] = {}
    for article_outcomes in corpus.by_article().values():
        for outcome in article_outcomes:
            parent = by_id.get(outcome.parent_id or "") or implicit_total(outcome, article_outcomes)
            if parent is not None and parent.id != outcome.id:
                groups.setdefault(parent.id, []).append(outcome)
    return [(by_id[total_id], parts) for total_id, parts in groups.items()]


def implicit_total(part: Outcome, article_outcomes: list[Outcome]) -> Outcome | None:
    """The one total of the article whose period and area enclose this drive or listed part
    (partial: its sentence lists parts of something); None when not exactly one."""
    if part.parent_id or not (part.kind == "drive" or part.partial):
        return None
    candidates = [
        total
        for total in article_outcomes
        if total.kind in TOTAL_KINDS
        and not total.partial  # a listed part is not the total of its fellow parts
        and total.id != part.id
        and total.status == part.status
        and total.contains_period_of(part)
        and _area_encloses(total, part)
        and _shares_metric(total, part)
    ]
    return candidates[0] if len(candidates) == 1 else None


def _area_encloses(total: Outcome, part: Outcome) -> bool:
    outer, inner = total.place, part.place
    if outer.country and inner.country and outer.country != inner.country:
        return False
    # A part with no stated province inherits the total's; a national total would enclose any province,
    # but a province's drives summed against a national total is not a sum of parts.
    if inner.province is not None and outer.province != inner.province:
        return False
    return outer.district is None or outer.district == inner.district


def _shares_metric(total: Outcome, part: Outcome) -> bool:
    return any(total.first_figure(m) and part.first_figure(m) for m in COUNT_METRICS)


def check_group(total: Outcome, parts: list[Outcome], reading: QualifierReading) -> list[dict[str, Any]]:
    metrics = [m for m in COUNT_METRICS if total.first_figure(m) and any(p.first_figure(m) for p in parts)]
    if not metrics:
        return [_no_shared_metric(total, parts)]
    return [_sum_check(total, parts, metric, reading) for metric in metrics]


def _sum_check(total: Outcome, parts: list[Outcome], metric: str, reading: QualifierReading) -> dict[str, Any]:
    total_figure = total.first_figure(metric)
    assert total_figure is not None
    part_figures = [f for f in (p.first_figure(metric) for p in parts) if f is not None]
    # Parts that do not state this metric make the list incomplete for it.
    incomplete = total.partial or any(p.partial for p in parts) or len(part_figures) < len(parts)
    sum_interval = _sum_intervals([f.interval(reading) for f in part_figures])
    total_interval = total_figure.interval(reading)
    if incomplete:
        ok = sum_interval.low <= total_interval.high
    else:
        ok = sum_interval.overlaps(total_interval)
    explanation = _explain(total_figure, part_figures, parts, sum_interval, total_interval, incomplete, ok)
    rule = describe_reading(reading)
    if incomplete:
        rule = "incomplete list: the parts' lowest possible sum must not exceed the total; " + rule
    return make_check(
        CHECK,
        "consistent" if ok else "inconsistent",
        total.article_id,
        [("total", total_figure)] + [("part", f) for f in part_figures],
        computed(
            "sum of parts",
            sum(f.value for f in part_figures),
            sum_interval,
            expression=_expression(part_figures),
            total_low=total_interval.low,
            total_high=total_interval.high,
            incomplete_list=incomplete,
        ),
        rule,
        explanation,
    )


def _sum_intervals(intervals: list[Interval]) -> Interval:
    total = Interval(0.0, 0.0)
    for interval in intervals:
        total = total + interval
    return total


def _expression(figures: list[Figure]) -> str:
    return " + ".join(f.number() for f in figures)


def _sum_text(figures: list[Figure], sum_interval: Interval, noun: str) -> str:
    point = fmt(sum(f.value for f in figures))
    if all(f.qualifier == "exact" for f in figures) and fmt_range(sum_interval) == point:
        return f"{point} {noun}"
    return f"{point} {noun} (up to {fmt(sum_interval.high)} given the qualifiers)"


def _explain(
    total_figure: Figure,
    part_figures: list[Figure],
    parts: list[Outcome],
    sum_interval: Interval,
    total_interval: Interval,
    incomplete: bool,
    ok: bool,
) -> str:
    noun = total_figure.noun
    what = "drives" if all(p.kind == "drive" for p in parts) else "parts"
    arithmetic = f"{_expression(part_figures)} = {_sum_text(part_figures, sum_interval, noun)}"
    stated = f"the stated total of {total_figure.phrase()}"
    if incomplete and ok:
        return (
            f"The list is incomplete, so the {len(part_figures)} {what} named only need to stay within "
            f"the total: {arithmetic}, within {stated}."
        )
    if incomplete:
        excess = sum_interval.low - total_interval.high
        return (
            f"Even as an incomplete list, the {len(part_figures)} {what} named already exceed {stated}: "
            f"{arithmetic}, {fmt(excess)} more than it allows."
        )
    if ok:
        return f"The {len(part_figures)} {what} listed add up to {arithmetic}, matching {stated}."
    gap = max(total_interval.low - sum_interval.high, sum_interval.low - total_interval.high)
    return (
        f"The {len(part_figures)} {what} listed add up to {arithmetic}, but {stated} "
        f"(read as {fmt_range(total_interval)}) differs by at least {fmt(gap)}."
    )


def _no_shared_metric(total: Outcome, parts: list[Outcome]) -> dict[str, Any]:
    part_metrics = sorted({f.noun for p in parts for f in p.figures if f.metric in COUNT_METRICS})
    total_metrics = sorted({f.noun for f in total.figures if f.metric in COUNT_METRICS})
    figures = [("total", f) for f in total.figures] + [("part", f) for p in parts for f in p.figures]
    return make_check(
        CHECK,
        "unverifiable",
        total.article_id,
        figures,
        computed("sum of parts", float("nan")),
        "none: nothing to add",
        f"The {len(parts)} parts state {', '.join(part_metrics) or 'no count'} but the total states "
        f"{', '.join(total_metrics) or 'no count'}, so there is nothing to add up against it.",
    )
