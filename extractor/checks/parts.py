"""Sum of parts: the parts the text marks against the stated total of the same metric.

Parts are taken only where the article marks them as parts: drives listed under a total (the pipeline's
`parent_id`), drives of the same status, area and period as a total (its period is the drives' span),
figures the text introduces after a total ("cụ thể", "gồm", "trong đó", "其中", "分别为"), and the lines of an
enumerated list or table under its total. A part restating the total (same metric and value) is no part;
a single part, "trong đó"/"其中" and a list the text calls incomplete ("như", "等") only have to stay below
the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

from extractor.checks.grounds import Context, cue_rules, known_language
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
from extractor.checks.solid import component_of
from extractor.metrics import COUNT_METRICS

CHECK = "sum_of_parts"
TOTAL_KINDS = ("total", "campaign")


@dataclass
class PartGroup:
    total: Figure
    parts: list[Figure]
    incomplete: bool
    marked_by: str  # how the text marks them as parts, in words
    drives: bool = False


def sum_of_parts_checks(corpus: Corpus, reference: Reference) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for group in part_groups(corpus):
        key = (group.total.span_key, group.total.metric)
        if key in seen or not group.parts:
            continue  # one total is checked once, by the first (most explicit) marking of its parts
        seen.add(key)
        checks.append(_sum_check(group, reference.reading))
    return checks


def part_groups(corpus: Corpus) -> list[PartGroup]:
    groups = listed_groups(corpus)
    for article_id, outcomes in corpus.by_article().items():
        article = corpus.articles.get(article_id) or {}
        lang = corpus.lang_of(article_id)
        if article.get("text") and known_language(lang):
            figures = sorted((f for o in outcomes for f in o.figures
                              if f.metric in COUNT_METRICS and f.start is not None and f.end is not None),
                             key=lambda f: f.start or 0)
            groups += cue_groups(corpus, str(article["text"]), str(lang), figures)
            groups += list_groups(corpus, str(article["text"]), str(lang), figures)
    return [_without_restatements(corpus, g) for g in groups]


def _without_restatements(corpus: Corpus, group: PartGroup) -> PartGroup:
    """A part with the total's value restates it; a part of another blood component is not its part."""
    component = component_of(corpus, group.total)
    group.parts = [p for p in group.parts
                   if p.value != group.total.value and p.span_key != group.total.span_key
                   and component_of(corpus, p) == component]
    if len(group.parts) < 2:
        group.incomplete = True
    return group


# ------------------------------------------------------------------ parts listed under a total


def listed_groups(corpus: Corpus) -> list[PartGroup]:
    """By parent_id (the pipeline read a list under a total), else drives of the total's own period."""
    by_id = {o.id: o for o in corpus.outcomes}
    members: dict[str, list[Outcome]] = {}
    how: dict[str, str] = {}
    for outcome in corpus.outcomes:
        parent = by_id.get(outcome.parent_id or "")
        if parent is not None and parent.id != outcome.id:
            members.setdefault(parent.id, []).append(outcome)
            how[parent.id] = "listed under the total"
    for article_outcomes in corpus.by_article().values():
        for total, drives in drives_under_totals(article_outcomes):
            if total.id not in members:
                members[total.id] = drives
                how[total.id] = "drives of the total's own period and area"
    groups = []
    for total_id, parts in members.items():
        total = by_id[total_id]
        for metric in COUNT_METRICS:
            total_figure = total.first_figure(metric)
            if total_figure is None:
                continue
            part_figures = [f for f in (p.first_figure(metric) for p in parts) if f is not None]
            if not part_figures:
                continue
            incomplete = (total.partial or any(p.partial for p in parts) or len(part_figures) < len(parts)
                          or len(parts) < 2)
            groups.append(PartGroup(total_figure, part_figures, incomplete, how[total_id],
                                    drives=all(p.kind == "drive" for p in parts)))
    return groups


def drives_under_totals(article_outcomes: list[Outcome]) -> list[tuple[Outcome, list[Outcome]]]:
    """Totals whose period is the span of the drives of the same status inside their area: the drives are
    their parts (and so are outcomes the pipeline read as listed parts, `partial`). A total of a wider
    period (a year to date) holds other drives the article does not list."""
    totals = [t for t in article_outcomes if t.kind in TOTAL_KINDS and not t.partial and t.period_key is not None]
    members: dict[str, list[Outcome]] = {}
    for part in article_outcomes:
        if not (part.kind == "drive" or part.partial) or part.parent_id:
            continue
        candidates = [t for t in totals if t.id != part.id and t.status == part.status
                      and t.contains_period_of(part) and _area_encloses(t, part) and _shares_metric(t, part)]
        if len(candidates) == 1:  # two totals could hold it: which one the text does not say
            members.setdefault(candidates[0].id, []).append(part)
    found = []
    for total in totals:
        drives = members.get(total.id)
        if not drives:
            continue
        span = (min(d.period_key[0] for d in drives if d.period_key),
                max(d.period_key[1] for d in drives if d.period_key))
        role = (total.period.get("source") or {}).get("role")
        if span == total.period_key or role == "drives_span":
            found.append((total, drives))
    return found


def _area_encloses(total: Outcome, part: Outcome) -> bool:
    outer, inner = total.place, part.place
    if outer.country and inner.country and outer.country != inner.country:
        return False
    if inner.province is not None and outer.province != inner.province:
        return False
    return outer.district is None or outer.district == inner.district


def _shares_metric(total: Outcome, part: Outcome) -> bool:
    return any(total.first_figure(m) and part.first_figure(m) for m in COUNT_METRICS)


# ------------------------------------------------------------------ parts the words mark


def cue_groups(corpus: Corpus, text: str, lang: str, figures: list[Figure]) -> list[PartGroup]:
    """'tiếp nhận 2.846 đơn vị. Cụ thể, A 652, B 578, C 1.616', '共采集206单位，其中A 120单位': the figures after
    the cue in its sentence are parts of the last figure of their metric before it (in the cue's sentence,
    or the sentence before when the cue opens one), never of a figure in brackets."""
    rules = cue_rules(lang)
    groups = []
    cues = [(m, True) for m in rules.complete_parts.finditer(text)]
    cues += [(m, False) for m in rules.partial_parts.finditer(text)]
    for cue, complete in sorted(cues, key=lambda c: c[0].start()):
        s0, s1 = Context(text, cue.start(), cue.end(), rules).sentence()
        region_start = s0
        if not text[s0:cue.start()].strip(" \t,.:;-–—"):
            if s0 == 0 or "\n" in text[max(0, s0 - 2):s0]:
                continue  # opens a paragraph: nothing before it in the same paragraph
            region_start = Context(text, s0 - 1, s0 - 1, rules).sentence()[0]
        for metric in COUNT_METRICS:
            of_metric = [f for f in figures if f.metric == metric and not _in_brackets(corpus, f)]
            parts = [f for f in of_metric if cue.end() <= (f.start or 0) and (f.end or 0) <= s1]
            totals = [f for f in of_metric if region_start <= (f.start or 0) and (f.end or 0) <= cue.start()]
            if not parts or not totals:
                continue
            listed = text[cue.start():s1]
            incomplete = not complete or bool(rules.incomplete_list.search(listed))
            groups.append(PartGroup(totals[-1], parts, incomplete, f'introduced by "{cue.group().strip()}"'))
    return groups


def _in_brackets(corpus: Corpus, figure: Figure) -> bool:
    where = corpus.context(figure)
    return where is not None and where.in_brackets()


_LINE = regex.compile(r"[^\n]*")


def list_groups(corpus: Corpus, text: str, lang: str, figures: list[Figure]) -> list[PartGroup]:
    """An enumerated list or table ('- Đợt 1: … 263 đơn vị máu', '（一）… 120单位'): one figure of a metric per
    line, under the intro line's total ('…, cụ thể:') or above a total row ('Tổng cộng: …', '合计')."""
    rules = cue_rules(lang)
    lines = [(m.start(), m.end()) for m in _LINE.finditer(text) if m.end() > m.start()]
    runs: list[list[tuple[int, int]]] = []
    for line in lines:
        if rules.list_item.match(text[line[0]:line[1]]):
            if runs and runs[-1] and _adjacent(text, runs[-1][-1], line):
                runs[-1].append(line)
            else:
                runs.append([line])
    groups = []
    for run in runs:
        if len(run) < 2:
            continue
        before = _neighbour(lines, run[0], -1)
        after = _neighbour(lines, run[-1], +1)
        for metric in COUNT_METRICS:
            of_metric = [f for f in figures if f.metric == metric]
            per_line = [[f for f in of_metric if a <= (f.start or 0) < b] for a, b in run]
            parts = [found[0] for found in per_line if len(found) == 1]
            if not parts:
                continue
            incomplete = len(parts) < len(run)
            total = None
            if after and rules.total_row.match(text[after[0]:after[1]]):
                total = next((f for f in reversed(of_metric) if after[0] <= (f.start or 0) < after[1]), None)
                how = "a list above its total row"
            if total is None and before and text[before[0]:before[1]].rstrip().endswith((":", "：")):
                intro = [f for f in of_metric if before[0] <= (f.start or 0) < before[1]
                         and not _in_brackets(corpus, f)]
                total = intro[-1] if intro else None
                how = "a list under its total"
                incomplete = incomplete or bool(rules.incomplete_list.search(text, before[0], before[1]))
            if total is not None:
                groups.append(PartGroup(total, parts, incomplete, how))
    return groups


def _adjacent(text: str, previous: tuple[int, int], line: tuple[int, int]) -> bool:
    return not text[previous[1]:line[0]].strip()


def _neighbour(lines: list[tuple[int, int]], line: tuple[int, int], step: int) -> tuple[int, int] | None:
    i = lines.index(line) + step
    while 0 <= i < len(lines):
        if lines[i][1] > lines[i][0]:
            return lines[i]
        i += step
    return None


# ------------------------------------------------------------------ the check


def _sum_check(group: PartGroup, reading: QualifierReading) -> dict[str, Any]:
    total_figure, part_figures, incomplete = group.total, group.parts, group.incomplete
    sum_interval = _sum_intervals([f.interval(reading) for f in part_figures])
    total_interval = total_figure.interval(reading)
    agrees = sum_interval.overlaps(total_interval)
    if incomplete:  # the parts need not add up to the total, only stay within it
        verdict = "bounded" if sum_interval.low <= total_interval.high else "inconsistent"
    else:
        verdict = "consistent" if agrees else "inconsistent"
    explanation = _explain(group, sum_interval, total_interval, verdict)
    rule = describe_reading(reading)
    if incomplete:
        rule = "incomplete list: the parts' lowest possible sum must not exceed the total; " + rule
    return make_check(
        CHECK,
        verdict,
        total_figure.article_id,
        [("total", total_figure)] + [("part", f) for f in part_figures],
        computed(
            "sum of parts",
            sum(f.value for f in part_figures),
            sum_interval,
            expression=_expression(part_figures),
            total_low=total_interval.low,
            total_high=total_interval.high,
            incomplete_list=incomplete,
            parts_marked_by=group.marked_by,
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


def _explain(group: PartGroup, sum_interval: Interval, total_interval: Interval, verdict: str) -> str:
    total_figure, part_figures = group.total, group.parts
    noun = total_figure.noun
    n = len(part_figures)
    what = ("drive" if group.drives else "part") + ("s" if n != 1 else "")
    arithmetic = f"{_expression(part_figures)} = {_sum_text(part_figures, sum_interval, noun)}"
    stated = f"the stated total of {total_figure.phrase()}"
    if group.incomplete and verdict == "bounded":
        return (f"The list is incomplete, so the {n} {what} named only need to stay within the total: "
                f"{arithmetic}, within {stated}.")
    if group.incomplete and verdict == "inconsistent":
        excess = sum_interval.low - total_interval.high
        return (f"Even as an incomplete list, the {n} {what} named already exceed {stated}: "
                f"{arithmetic}, {fmt(excess)} more than it allows.")
    if verdict == "consistent":
        return f"The {n} {what} listed add up to {arithmetic}, matching {stated}."
    gap = max(total_interval.low - sum_interval.high, sum_interval.low - total_interval.high)
    return (f"The {n} {what} listed add up to {arithmetic}, but {stated} "
            f"(read as {fmt_range(total_interval)}) differs by at least {fmt(gap)}.")
