"""`report.html`: one self-contained page for a fact-checker (styles, script and plots inline; no network).

Every figure, date and place is highlighted where it stands in its article's text (`text[start:end]`,
the offsets the records carry); figures a check flags carry the flag beside their words and link to the
check, and every check links back to the words of its figures. displaCy's manual mode was the first idea,
but its templates carry no attributes for these links and flags, so the marks are written here.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from importlib import resources
from typing import Any

from extractor.checks.model import ALARMS, VERDICTS
from extractor.checks.summary import VERDICT_MARKS, sort_worst_first
from extractor.metrics import METRIC_NAMES, METRIC_NOUNS
from extractor.report.plots import bar_svg, by_month, by_province

KIND_PRIORITY = {"figure": 0, "date": 1, "place": 2}  # where marks overlap, a figure wins


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def asset(name: str) -> str:
    return resources.files("extractor.report").joinpath("assets", name).read_text(encoding="utf-8")


def anchor(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def span_id(index: int, start: int | None, end: int | None) -> str:
    return f"f-{index}-{start}-{end}"


def build_page(articles: list[dict[str, Any]], outcomes: list[dict[str, Any]], checks: list[dict[str, Any]],
               title: str = "extractor report") -> str:
    by_article: dict[str, list[dict[str, Any]]] = {}
    for outcome in outcomes:
        by_article.setdefault(outcome["article_id"], []).append(outcome)
    checks_of: dict[str, list[dict[str, Any]]] = {}
    for check in sort_worst_first(checks):
        for article_id in check.get("article_ids") or [check["article_id"]]:
            checks_of.setdefault(article_id, []).append(check)
    index_of = {a["id"]: i for i, a in enumerate(articles)}
    sections = [article_section(i, a, by_article.get(a["id"], []), checks_of.get(a["id"], []), index_of)
                for i, a in enumerate(articles)]
    body = "\n".join([
        f"<header><h1>{esc(title)}</h1>{filters(articles, outcomes, checks)}</header>",
        overview(articles, outcomes, checks, index_of),
        '<main id="articles">', *sections, "</main>",
    ])
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # No request leaves the page: everything it needs is in it.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{asset('report.css')}</style></head>\n"
        f"<body>{body}\n<script>{asset('report.js')}</script></body></html>\n"
    )


# ------------------------------------------------------------------ filters and overview


def years_of(outcomes: list[dict[str, Any]]) -> list[str]:
    years = set()
    for outcome in outcomes:
        period = outcome.get("period") or {}
        start, end = period.get("start"), period.get("end") or period.get("start")
        if start and end and start[:4].isdigit() and end[:4].isdigit():
            years.update(str(y) for y in range(int(start[:4]), int(end[:4]) + 1))
    return sorted(years)


def provinces_of(outcomes: list[dict[str, Any]]) -> list[str]:
    return sorted({p for o in outcomes if (p := (o.get("location") or {}).get("province"))})


def _select(name: str, label: str, values: list[str]) -> str:
    options = "".join(f'<option value="{esc(v)}">{esc(v)}</option>' for v in values)
    return (f'<label>{esc(label)} <select id="filter-{name}" data-filter="{name}">'
            f'<option value="">all</option>{options}</select></label>')


def filters(articles: list[dict[str, Any]], outcomes: list[dict[str, Any]], checks: list[dict[str, Any]]) -> str:
    langs = sorted({str(a.get("lang")) for a in articles if a.get("lang")})
    verdicts = [v for v in VERDICTS if any(c["verdict"] == v for c in checks)]
    return (
        '<form id="filters" onsubmit="return false">'
        + _select("lang", "language", langs)
        + _select("province", "province", provinces_of(outcomes))
        + _select("year", "period (year)", years_of(outcomes))
        + _select("verdict", "verdict", verdicts)
        + '<label>search <input id="filter-search" type="search" placeholder="words, numbers, places"></label>'
        + f'<span id="shown">{len(articles)} of {len(articles)} articles</span></form>'
    )


def _count_table(caption: str, rows: list[tuple[str, int]]) -> str:
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{n:,}</td></tr>" for k, n in rows)
    return f'<table class="counts"><caption>{esc(caption)}</caption>{cells}</table>'


def overview(articles: list[dict[str, Any]], outcomes: list[dict[str, Any]], checks: list[dict[str, Any]],
             index_of: dict[str, int]) -> str:
    figures = [m for o in outcomes for m in o.get("metrics") or []]
    per_metric = Counter(m["metric"] for m in figures)
    per_verdict = Counter(c["verdict"] for c in checks)
    copies = sum(1 for a in articles if a.get("duplicate_of"))
    counts = _count_table("corpus", [
        ("articles", len(articles)), ("syndicated copies", copies), ("outcomes", len(outcomes)),
        ("figures in outcomes", len(figures)), ("checks", len(checks)),
    ])
    metrics = _count_table("figures per metric", [(f"{m} ({METRIC_NOUNS[m]})", per_metric[m])
                                                  for m in METRIC_NAMES if per_metric[m]])
    verdicts = _count_table("checks per verdict", [(f"{VERDICT_MARKS[v]} {v}", per_verdict[v]) for v in VERDICTS])
    alarms = [c for c in sort_worst_first(checks) if c["verdict"] in ALARMS]
    alarm_items = "".join(
        f'<li class="verdict-{esc(c["verdict"])}"><a href="#c-{anchor(c["id"])}">{esc(VERDICT_MARKS[c["verdict"]])} '
        f'{esc(c["verdict"])}</a> {esc(c["explanation"])}</li>' for c in alarms)
    plots = [bar_svg(by_province(outcomes), "Achieved units and donors by province "
                     "(largest figure each article gives, summed over articles)"),
             bar_svg(by_month(outcomes), "Achieved units and donors by month (drives held within one month)")]
    plot_html = "".join(f'<figure class="plot">{svg}</figure>' for svg in plots if svg)
    return (
        '<section id="overview"><h2>Overview</h2><div class="tables">'
        f"{counts}{metrics}{verdicts}</div>"
        f'<h3>Alarms ({len(alarms)})</h3><ul class="alarms">{alarm_items or "<li>none</li>"}</ul>'
        f"{plot_html}</section>"
    )


# ------------------------------------------------------------------ one article


def marks(article: dict[str, Any], flagged: dict[tuple[int, int], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The spans to highlight, non-overlapping, each only where text[start:end] is its words."""
    text = article.get("text") or ""
    found = []
    for kind, key in (("figure", "figures"), ("date", "dates"), ("place", "places")):
        for item in article.get(key) or []:
            start, end = item.get("start"), item.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) \
                    and text[start:end] == item.get("text"):
                found.append({"kind": kind, "start": start, "end": end, "item": item})
    # Figures first, then dates, then places: a mark overlapping one already chosen is left out.
    found.sort(key=lambda m: (KIND_PRIORITY[m["kind"]], m["start"]))
    chosen: list[dict[str, Any]] = []
    for mark in found:
        if all(mark["end"] <= other["start"] or other["end"] <= mark["start"] for other in chosen):
            chosen.append(mark)
    chosen.sort(key=lambda m: m["start"])
    for mark in chosen:
        mark["checks"] = flagged.get((mark["start"], mark["end"]), []) if mark["kind"] == "figure" else []
    return chosen


def highlighted_text(index: int, article: dict[str, Any], checks: list[dict[str, Any]]) -> str:
    text = article.get("text") or ""
    flagged: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for check in checks:
        for f in check["figures"]:
            if f["article_id"] == article["id"] and f["span"][0] is not None:
                flagged.setdefault((f["span"][0], f["span"][1]), []).append(check)
    out, position = [], 0
    for mark in marks(article, flagged):
        out.append(esc(text[position:mark["start"]]))
        out.append(_mark_html(index, text, mark))
        position = mark["end"]
    out.append(esc(text[position:]))
    return "".join(out)


def _mark_html(index: int, text: str, mark: dict[str, Any]) -> str:
    item, words = mark["item"], esc(text[mark["start"]:mark["end"]])
    if mark["kind"] == "figure":
        target = item.get("status") == "target"
        tip = f"{item['metric']} = {item['value']:g} ({item.get('qualifier') or 'exact'})" + (
            ", target" if target else "")
        html_ = (f'<mark id="{span_id(index, mark["start"], mark["end"])}" class="fig m-{esc(item["metric"])}'
                 f'{" target" if target else ""}" data-metric="{esc(item["metric"])}" data-value="{item["value"]:g}"'
                 f' title="{esc(tip)}">{words}</mark>')
        for check in mark["checks"]:
            if check["verdict"] in ALARMS:
                html_ += (f'<a class="flag verdict-{esc(check["verdict"])}" href="#c-{anchor(check["id"])}" '
                          f'title="{esc(check["explanation"])}">⚑ {esc(check["verdict"])}</a>')
            elif check["check"] == "sum_of_parts" and check["figures"][0]["span"] == [mark["start"], mark["end"]]:
                # A total shows what its parts add up to beside its words.
                computed = check.get("computed") or {}
                total = f' = {computed["value"]:,.6g}' if isinstance(computed.get("value"), int | float) else ""
                html_ += (f'<a class="sum verdict-{esc(check["verdict"])}" href="#c-{anchor(check["id"])}" '
                          f'title="{esc(check["explanation"])}">Σ {esc(computed.get("expression") or "")}{total}'
                          f' {esc(VERDICT_MARKS[check["verdict"]])}</a>')
        return html_
    if mark["kind"] == "date":
        tip = f"{item.get('period_start') or ''} – {item.get('period_end') or ''}"
        return f'<mark class="date" title="{esc(tip)}">{words}</mark>'
    tip = ", ".join(str(p) for p in (item.get("name"), item.get("province"), item.get("country")) if p)
    return f'<mark class="place" title="{esc(tip)}">{words}</mark>'


def _source(source: dict[str, Any] | None) -> str:
    if not source:
        return ""
    parts = [f"<b>{esc(source.get('role'))}</b>"] + [esc(source[k]) for k in ("scope", "rule") if source.get(k)]
    words = f' from “{esc(str(source["text"]).strip())}”' if source.get("text") else ""
    return f'<div class="how">{" · ".join(parts)}{words}</div>'


def _qualifier(metric: dict[str, Any]) -> str:
    return "" if metric.get("qualifier") in (None, "exact") else f" ({esc(metric['qualifier'])})"


def outcomes_table(index: int, outcomes: list[dict[str, Any]]) -> str:
    if not outcomes:
        return "<p class=\"none\">No outcome.</p>"
    rows = []
    for o in outcomes:
        period, place = o.get("period") or {}, o.get("location") or {}
        figures = "<br>".join(
            f'<a href="#{span_id(index, m.get("start"), m.get("end"))}">{esc(m["text"])}</a> → '
            f'{esc(m["metric"])} {m["value"]:g}{_qualifier(m)}'
            for m in o.get("metrics") or []) or "<i>no figure</i>"
        when = esc(period.get("start") or "?") + (" – " + esc(period.get("end") or "open")
                                                    if period.get("end") != period.get("start") else "")
        where = esc(", ".join(str(p) for p in (place.get("name"), place.get("province")) if p) or "—")
        rows.append(f'<tr><td>{esc(o.get("kind"))}</td><td class="status-{esc(o.get("status"))}">'
                    f'{esc(o.get("status"))}</td><td>{figures}</td><td>{when}{_source(period.get("source"))}</td>'
                    f'<td>{where}{_source(place.get("source"))}</td></tr>')
    return ('<table class="outcomes"><thead><tr><th>kind</th><th>status</th><th>figures</th>'
            '<th>period (how it was chosen)</th><th>place (how it was chosen)</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def checks_list(checks: list[dict[str, Any]], index_of: dict[str, int]) -> str:
    if not checks:
        return '<p class="none">No check: nothing to compare.</p>'
    items = []
    for c in checks:
        computed = c.get("computed") or {}
        arithmetic = computed.get("expression")
        value = computed.get("value")
        sums = f'{esc(arithmetic)} = {value:,.6g}' if arithmetic and isinstance(value, int | float) else ""
        links = " ".join(
            f'<a class="figlink" href="#{span_id(index_of.get(f["article_id"], -1), f["span"][0], f["span"][1])}">'
            f'{esc(f["role"])}: “{esc(f["text"])}”</a>' for f in c["figures"])
        items.append(
            f'<li id="c-{anchor(c["id"])}" class="check verdict-{esc(c["verdict"])}" '
            f'data-verdict="{esc(c["verdict"])}">'
            f'<span class="badge">{esc(VERDICT_MARKS[c["verdict"]])} {esc(c["verdict"])}</span> '
            f'<span class="kind">{esc(c["check"])}</span> {esc(c["explanation"])}'
            + (f'<div class="arith">{sums}</div>' if sums else "")
            + f'<div class="figs">{links}</div><div class="tol">tolerance: {esc(c.get("tolerance"))}</div></li>')
    return '<ul class="checks">' + "".join(items) + "</ul>"


def article_section(index: int, article: dict[str, Any], outcomes: list[dict[str, Any]],
                    checks: list[dict[str, Any]], index_of: dict[str, int]) -> str:
    provinces = provinces_of(outcomes)
    data = {
        "lang": article.get("lang") or "",
        "provinces": json.dumps(provinces, ensure_ascii=False),
        "years": json.dumps(years_of(outcomes)),
        "verdicts": json.dumps(sorted({c["verdict"] for c in checks})),
    }
    attrs = " ".join(f'data-{k}="{esc(v)}"' for k, v in data.items())
    meta = [esc(article.get("published") or "no date"), esc(article.get("lang"))]
    if article.get("url"):
        meta.append(f'<a href="{esc(article["url"])}" rel="noreferrer">source</a>')
    if article.get("duplicate_of"):
        meta.append(f'copy of <a href="#a-{index_of.get(article["duplicate_of"], -1)}">'
                    f'{esc(article["duplicate_of"])}</a>')
    return (
        f'<article id="a-{index}" class="article" {attrs}>'
        f'<h2>{esc(article.get("title") or article["id"])}</h2>'
        f'<p class="meta">{esc(article["id"])} · {" · ".join(meta)}</p>'
        f'<div class="text" lang="{esc(article.get("lang"))}">{highlighted_text(index, article, checks)}</div>'
        f"<details open><summary>Outcomes ({len(outcomes)})</summary>{outcomes_table(index, outcomes)}</details>"
        f"<details open><summary>Checks ({len(checks)})</summary>{checks_list(checks, index_of)}</details>"
        "</article>"
    )
