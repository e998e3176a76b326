"""Figure mentions: blood units, millilitres, people and percentages, each with its exact span.

Rules are data (`patterns/<lang>/figures.yaml`); this module runs them sentence by sentence, reads
the numbers, maps qualifier words, and decides actual vs target from the status cues
(`patterns/<lang>/status.yaml`). A span taken by an earlier rule is not read again.

Tables flattened into lines ("Ngày | Địa điểm | Số đơn vị máu", then one line per row) are read by
column: a header line whose cells name a metric (`table` in the figures file) makes the number in that
column of each following row a figure, its span the number in the cell; other columns give nothing.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

import regex

from extractor import patterns
from extractor.lang import LanguagePack, get_pack
from extractor.metrics import METRICS
from extractor.numbers import clean, qualifier_of
from extractor.prefilter import Prefilters
from extractor.spans import SpanUnion
from extractor.textdoc import Sentence, TextDoc

_SPAN_GROUPS = ("qual", "num", "num2", "qual_after", "unit")
TABLE_RULE = "table"  # the rule name of a figure read from a flattened table's column
_RULE_ROW = regex.compile(r"\s*+\|?(?:\s*+:?-{2,}:?\s*+\|)+\s*+(?::?-{2,}:?)?\s*+")


@dataclass
class Figure:
    metric: str
    value: int | float
    qualifier: str
    text: str
    start: int
    end: int
    unit: str
    status: str = "actual"
    low: int | float | None = None
    high: int | float | None = None
    rule: str = ""
    sentence: int = -1
    series: int | None = None  # its place in a respective list ("lần lượt 137, 96 và 84"), counted from 0

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Rule:
    name: str
    metric: str | None
    pattern: regex.Pattern[str]
    unit_factors: dict[str, float]
    negative_when: regex.Pattern[str] | None
    requires_sentence: regex.Pattern[str] | None
    requires_in_match: tuple[regex.Pattern[str], ...]  # words every match holds: spares running it elsewhere
    offset: float


@cache
def _rules(lang: str) -> list[_Rule]:
    pf = patterns.load(lang, "figures")
    rules = []
    for rule, rx in pf.compiled_rules():
        if rule["metric"] is not None and rule["metric"] not in METRICS:
            raise patterns.PatternFileError(f"{pf.path}: rule {rule['name']!r} has unknown metric {rule['metric']!r}"
                                            f" (known: {', '.join(METRICS)})")
        rules.append(
            _Rule(
                name=rule["name"],
                metric=rule.get("metric"),
                pattern=rx,
                unit_factors=dict(rule.get("unit_factors") or {}),
                negative_when=pf.compile(rule["negative_when"]) if rule.get("negative_when") else None,
                requires_sentence=pf.compile(rule["requires_sentence"]) if rule.get("requires_sentence") else None,
                requires_in_match=pf.compile_each(rule.get("requires_in_match")),
                offset=float(rule.get("offset", 0)),
            )
        )
    return rules


@cache
def _prefilters(lang: str) -> Prefilters:
    return Prefilters([(rule.requires_sentence, *rule.requires_in_match) for rule in _rules(lang)])


@cache
def _status_cues(lang: str) -> list[tuple[str, regex.Pattern[str]]]:
    pf = patterns.load(lang, "status")
    return [(rule["status"], rx) for rule, rx in pf.compiled_rules()]


def find_figures(tdoc: TextDoc) -> list[Figure]:
    figures: list[Figure] = []
    for sentence in tdoc.sentences:
        figures.extend(sentence_figures(tdoc.match_text, sentence, tdoc.lang))
    table = table_figures(tdoc)
    if table:
        taken = SpanUnion()
        for f in figures:
            taken.add(f.start, f.end)
        figures = sorted(figures + [t for t in table if not taken.overlaps(t.start, t.end)], key=lambda f: f.start)
    for figure in figures:  # rules read the folded text; the words are the article's own
        figure.text = tdoc.text[figure.start : figure.end]
    return figures


@cache
def _smallest_outcome(lang: str) -> dict[str, float]:
    return dict(patterns.load(lang, "figures").data["smallest_outcome"])


@cache
def _number_pattern(lang: str) -> regex.Pattern[str]:
    return patterns.load(lang, "figures").compile("{NUM}")


def sentence_figures(text: str, sentence: Sentence, lang: str) -> list[Figure]:
    if not _number_pattern(lang).search(text, sentence.start, sentence.end):
        return []  # every figure rule reads a {NUM}: a sentence without one needs no rule run
    taken = SpanUnion()
    found: list[Figure] = []
    cues: StatusCues | None = None  # found once the sentence has a figure: most have none
    smallest = _smallest_outcome(lang)
    rules = _rules(lang)
    for index in _prefilters(lang).rules_to_run(text, sentence.start, sentence.end):
        rule = rules[index]
        for m in rule.pattern.finditer(text, sentence.start, sentence.end):
            span = _figure_span(m)
            if taken.overlaps(*span):
                continue
            if rule.metric is None:  # a blocking rule: the whole match is no figure
                taken.add(m.start(), m.end())
                continue
            figure = _figure(text, m, span, rule, lang)
            if figure is None:
                continue
            if figure.value < smallest.get(figure.metric, float("-inf")):
                taken.add(*span)  # one donation's size or one person: no outcome, and no other rule's figure
                continue
            taken.add(*span)
            figure.sentence = sentence.index
            status = bracketed_status(text, sentence.start, figure.start, lang)
            if status is None:
                cues = cues or StatusCues(text, sentence.start, sentence.end, lang)
                status = cues.status_at(figure.start)
            figure.status = status
            found.append(figure)
    found += _respective_figures(text, sentence, found, lang, taken)
    found.sort(key=lambda f: f.start)
    _continue_lists(text, found, lang)
    return found


@cache
def _continuation_rule(lang: str) -> tuple[regex.Pattern[str], frozenset[str]]:
    spec = patterns.load(lang, "figures").data["list_continuation"]
    return patterns.load(lang, "figures").compile(spec["join"]), frozenset(spec["bare_rules"])


def _continue_lists(text: str, found: list[Figure], lang: str) -> None:
    """"tăng 12% và 10%": a bare percent joined to the percent before it takes that figure's metric and
    direction (in place; a chain "12%, 10% và 8%" passes the kind along)."""
    join, bare_rules = _continuation_rule(lang)
    for prev, fig in itertools.pairwise(found):
        if (fig.rule in bare_rules and METRICS[prev.metric].kind == "percent" and prev.metric != fig.metric
                and join.fullmatch(text, prev.end, fig.start)):
            fig.metric = prev.metric
            if prev.value < 0 < fig.value:
                fig.value = -fig.value
            fig.rule = prev.rule
            prev.series = 0 if prev.series is None else prev.series
            fig.series = prev.series + 1  # its place in the list, as a respective list's members


RESPECTIVE_WINDOW = 120  # how far before a figure its respective list may start


@cache
def _respective_rule(lang: str) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    pf = patterns.load(lang, "figures")
    return pf.compile(pf.data["respective_list"]), pf.compile("{NUM}")


def _respective_figures(text: str, sentence: Sentence, found: list[Figure], lang: str, taken: SpanUnion
                        ) -> list[Figure]:
    """"lần lượt 137, 96 và 84 đơn vị máu": the bare numbers of the list before a figure, one figure each,
    with the figure's metric, unit and status; the figure itself is the list's last member."""
    rule, number = _respective_rule(lang)
    pack = get_pack(lang)
    extra: list[Figure] = []
    for fig in found:
        window_start = max(sentence.start, fig.start - RESPECTIVE_WINDOW)
        m = rule.search(text, window_start, fig.start)
        if m is None or m.end() != fig.start:
            continue
        members = [n for n in number.finditer(text, m.start("list"), m.end("list"))]
        parsed = [(n, pack.parse_number(n.group())) for n in members]
        if not parsed or any(p is None for _, p in parsed):
            continue
        factor = fig.value / number_value if (number_value := _value_of(fig, pack)) else 1
        for i, (n, p) in enumerate(parsed):
            if taken.overlaps(n.start(), n.end()):
                continue
            extra.append(replace(fig, value=clean(p.value * factor), text=text[n.start() : n.end()],
                                 start=n.start(), end=n.end(), low=None, high=None, series=i,
                                 qualifier="exact"))
        fig.series = len(parsed)
    return extra


def _value_of(fig: Figure, pack: LanguagePack) -> float | None:
    """The number a figure's words say, before its unit's factor ("1,2 triệu" says 1.2 million)."""
    m = _number_pattern(pack.code).search(fig.text)
    parsed = pack.parse_number(m.group()) if m else None
    return parsed.value if parsed else None


def _figure_span(m: regex.Match[str]) -> tuple[int, int]:
    present = [g for g in _SPAN_GROUPS if g in m.re.groupindex and m.group(g) is not None]
    starts = [m.start(g) for g in present]
    ends = [m.end(g) for g in present]
    return (min(starts), max(ends)) if starts else (m.start(), m.end())


def _group(m: regex.Match[str], name: str) -> str | None:
    return m.group(name) if name in m.re.groupindex else None


def _figure(text: str, m: regex.Match[str], span: tuple[int, int], rule: _Rule, lang: str) -> Figure | None:
    number = get_pack(lang).parse_number(m.group("num"))
    if number is None:
        return None
    unit = (_group(m, "unit") or "").strip()
    factor = rule.unit_factors.get(unit, 1)
    sign = -1 if rule.negative_when and rule.negative_when.fullmatch(_group(m, "dir") or "") else 1
    value = number.value * factor * sign + rule.offset
    low, high = number.low, number.high
    num2 = _group(m, "num2")
    if num2:
        second = get_pack(lang).parse_number(num2)
        if second is None or second.value <= number.value:
            return None  # "1-2" is no range of a count we can trust
        low, high = number.value * factor, second.value * factor
    qualifier = qualifier_of(_group(m, "qual") or _group(m, "qual_after"), lang)
    if number.low is not None and qualifier == "exact":
        qualifier = "about"  # "三四百": an approximate pair
    return Figure(
        metric=rule.metric or "",
        value=clean(value),
        qualifier=qualifier,
        text=text[span[0] : span[1]],
        start=span[0],
        end=span[1],
        unit=unit,
        low=clean(low) if low is not None else None,
        high=clean(high) if high is not None else None,
        rule=rule.name,
    )


@dataclass
class _TableRules:
    requires: regex.Pattern[str]
    separator: regex.Pattern[str]
    cell: regex.Pattern[str]
    columns: list[tuple[str, regex.Pattern[str]]]


@cache
def _table_rules(lang: str) -> _TableRules | None:
    pf = patterns.load(lang, "figures")
    table = pf.data["table"]
    if not table:
        return None
    return _TableRules(
        requires=pf.compile(table["requires_sentence"]),
        separator=pf.compile(table["separator"]),
        cell=pf.compile(table["cell"]),
        columns=[(_known_metric(pf, column["metric"]), pf.compile(column["pattern"])) for column in table["columns"]],
    )


def _known_metric(pf: patterns.PatternFile, metric: str) -> str:
    if metric not in METRICS:
        raise patterns.PatternFileError(f"{pf.path}: table column has unknown metric {metric!r}")
    return metric


def _cells(text: str, start: int, end: int, separator: regex.Pattern[str]) -> list[tuple[int, int]]:
    """The cells of a line as stripped spans; empty cells at either end ("| a | b |") are dropped."""
    bounds, last = [], start
    for m in separator.finditer(text, start, end):
        bounds.append((last, m.start()))
        last = m.end()
    bounds.append((last, end))
    cells = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        cells.append((s, e))
    while cells and cells[0][0] == cells[0][1]:
        cells.pop(0)
    while cells and cells[-1][0] == cells[-1][1]:
        cells.pop()
    return cells


def table_figures(tdoc: TextDoc) -> list[Figure]:
    """Figures of flattened tables: the header line names each column's metric, the rows that follow
    (lines of as many cells) give one figure per metric column."""
    rules = _table_rules(tdoc.lang)
    if rules is None:
        return []
    text = tdoc.match_text
    found: list[Figure] = []
    header: list[str | None] | None = None
    for block in tdoc.blocks:
        if block.furniture or not rules.requires.search(text, block.start, block.end):
            header = None
            continue
        if _RULE_ROW.fullmatch(text, block.start, block.end):
            continue  # "|---|---|": a Markdown table's rule under its header
        cells = _cells(text, block.start, block.end, rules.separator)
        columns = header
        if header is not None and len(cells) == len(header) - 1 and rules.separator.match(text, block.start):
            columns = header[1:]  # " | Tổng cộng | 15.604 | …": a total row leaves its first cell (the number) empty
        if columns is not None and len(cells) == len(columns):
            for (s, e), metric in zip(cells, columns, strict=True):
                figure = _cell_figure(tdoc, s, e, metric, rules) if metric else None
                if figure is not None:
                    found.append(figure)
            continue
        metrics = [next((metric for metric, rx in rules.columns if rx.fullmatch(text, s, e)), None)
                   for s, e in cells]
        header = metrics if len(cells) >= 2 and any(metrics) else None
    return found


def _cell_figure(tdoc: TextDoc, start: int, end: int, metric: str, rules: _TableRules) -> Figure | None:
    m = rules.cell.fullmatch(tdoc.match_text, start, end)
    sentence = tdoc.sentence_at(start)
    number = tdoc.pack.parse_number(m.group("num")) if m else None
    if m is None or sentence is None or number is None:
        return None
    s, e = m.span("num")
    sign = -1 if "sign" in m.re.groupindex and m.group("sign") else 1
    if sign < 0:
        s = m.start("sign")
    return Figure(
        metric=metric, value=clean(sign * number.value), qualifier="exact", text=tdoc.text[s:e], start=s, end=e,
        unit="", status=status_before(tdoc.match_text, sentence.start, s, tdoc.lang), rule=TABLE_RULE,
        sentence=sentence.index,
    )


@cache
def _bracket_rules(lang: str) -> list[tuple[str, regex.Pattern[str]]]:
    pf = patterns.load(lang, "status")
    return [(rule["status"], pf.compile(rule["before"])) for rule in pf.data["bracketed"]]


BRACKET_WINDOW = 80  # how far before a bracketed figure its explaining words may start


def bracketed_status(text: str, sentence_start: int, pos: int, lang: str) -> str | None:
    """The status of a figure in brackets, from what the bracket explains ("kế hoạch năm (16.000 đơn
    vị)" is a plan's size); None when the figure is not in brackets or no rule reads the words before."""
    window = text[max(sentence_start, pos - BRACKET_WINDOW) : pos]
    for status, rx in _bracket_rules(lang):
        if rx.search(window):
            return status
    return None


class StatusCues:
    """The status cues of one sentence, found once: the status at a position is that of the last cue
    that ends before it, as if the cues were searched between the sentence start and the position."""

    def __init__(self, text: str, sentence_start: int, sentence_end: int, lang: str) -> None:
        self.text, self.start, self.lang = text, sentence_start, lang
        # per cue pattern, its matches over the whole sentence, in order
        self.matches = [(status, rx, list(rx.finditer(text, sentence_start, sentence_end)))
                        for status, rx in _status_cues(lang)]
        self.ends = [[m.end() for m in found] for _, _, found in self.matches]

    def status_at(self, pos: int) -> str:
        best_status, best_end = "actual", -1
        for (status, rx, found), ends in zip(self.matches, self.ends, strict=True):
            i = bisect.bisect_right(ends, pos)  # matches ending at or before pos
            end = ends[i - 1] if i else -1
            if i < len(found) and found[i].start() < pos:
                # a cue running over pos: searched up to pos, it may end earlier ("计划采集约300")
                for m in rx.finditer(self.text, end if i else self.start, pos):
                    end = max(end, m.end())
            if end > best_end:
                best_status, best_end = status, end
        return best_status


def status_before(text: str, sentence_start: int, pos: int, lang: str) -> str:
    """The status of the last strong cue between the sentence start and `pos`; actual by default."""
    best_status, best_end = "actual", -1
    for status, rx in _status_cues(lang):
        for m in rx.finditer(text, sentence_start, pos):
            if m.end() > best_end:
                best_status, best_end = status, m.end()
    return best_status
