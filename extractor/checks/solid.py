"""Which figures the checks may use: outcome figures on solid ground (see grounds.py), the others set aside
with the reason, so that no alarm rests on a number that is no outcome."""

from __future__ import annotations

from dataclasses import replace

import regex

from extractor.checks.model import Corpus, Figure
from extractor.checks.reference import Reference


def why_not_solid(corpus: Corpus, figure: Figure, reference: Reference) -> str | None:
    """None when the figure may take part in a check, else why not (in words, for the report)."""
    floor = reference.threshold("grounds", "min_value", figure.metric)
    if floor is not None and figure.value < float(floor):
        return f"{figure.value:g} is below the {floor} that a collection's {figure.noun} can be"
    where = corpus.context(figure)
    if where is None:
        return None  # a language without cue rules: nothing to doubt it by
    if not where.has_unit():
        return f'"{figure.text}" has no unit or measure word in the text'
    if where.per_item():
        return f'"{figure.text}" is a per-donation or per-bag amount'
    if where.definition():
        return f'"{figure.text}" is part of a unit definition'
    if where.ineligible():
        return f'"{figure.text}" counts people turned away at screening'
    return None


def keep_solid(corpus: Corpus, reference: Reference) -> None:
    """Every outcome keeps only its solid figures; differences from a plan are marked as such."""
    for outcome in corpus.outcomes:
        kept = []
        for figure in outcome.figures:
            why = why_not_solid(corpus, figure, reference)
            if why:
                corpus.set_aside.append((figure, why))
                continue
            where = corpus.context(figure)
            if (figure.metric == "achievement_pct" and where is not None and where.difference()
                    and not _implied_already(figure)):
                figure = replace(figure, difference=True)
            kept.append(figure)
        outcome.figures = kept


_WRITTEN_PERCENT = regex.compile(r"(\d+(?:[.,]\d+)?)\s*[%％]")


def _implied_already(figure: Figure) -> bool:
    """Extraction gave "vượt 35% so với kế hoạch" the achievement it implies (135): nothing to shift."""
    m = _WRITTEN_PERCENT.search(figure.text)
    return m is not None and abs(float(m.group(1).replace(",", ".")) + 100 - figure.value) < 1e-6


def component_of(corpus: Corpus, figure: Figure) -> str:
    """'component' for platelets, plasma and the like, else 'whole blood'."""
    where = corpus.context(figure)
    return "component" if where is not None and where.component() else "whole blood"


def turnout(corpus: Corpus, figure: Figure) -> bool:
    where = corpus.context(figure)
    return figure.metric == "donors" and where is not None and where.turnout()


def same_span(corpus: Corpus, one: Figure, other: Figure, unit: str = "clause") -> bool:
    """Both figures stand in one clause (or sentence) of one article; True when no text tells (the outcome
    that grouped them is all there is to go by)."""
    a, b = corpus.context(one), corpus.context(other)
    if a is None or b is None or not (a.in_article and b.in_article):
        return True
    if one.article_id != other.article_id:
        return False
    span = a.clause() if unit == "clause" else a.sentence()
    return span[0] <= b.start and b.end <= span[1]
