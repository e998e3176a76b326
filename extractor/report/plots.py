"""The report's plots: matplotlib drawn to inline SVG (text kept as text, so the browser's fonts render
Vietnamese and Chinese names; no file, no network)."""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from typing import Any

PLOTTED = ("blood_units", "donors")
LABELS = {"blood_units": "blood units", "donors": "donors"}


def by_province(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per province, the largest achieved figure of each metric that each article gives, summed over
    articles (an article's drives and its total would otherwise count twice)."""
    largest: dict[tuple[str, str, str], float] = {}
    for outcome in outcomes:
        province = (outcome.get("location") or {}).get("province")
        if outcome.get("status") != "actual" or not province:
            continue
        for m in outcome.get("metrics") or []:
            if m["metric"] in PLOTTED:
                key = (province, outcome["article_id"], m["metric"])
                largest[key] = max(largest.get(key, 0.0), float(m["value"]))
    table: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(PLOTTED, 0.0))
    for (province, _, metric), value in largest.items():
        table[province][metric] += value
    return dict(sorted(table.items(), key=lambda kv: -kv[1]["blood_units"]))


def by_month(outcomes: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per month, the achieved figures of drives held within one month (a period total would be spread
    over months it does not break down)."""
    table: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(PLOTTED, 0.0))
    for outcome in outcomes:
        period = outcome.get("period") or {}
        start, end = period.get("start"), period.get("end")
        if outcome.get("status") != "actual" or outcome.get("kind") != "drive" or not start or not end:
            continue
        if start[:7] != end[:7]:
            continue
        for m in outcome.get("metrics") or []:
            if m["metric"] in PLOTTED:
                table[start[:7]][m["metric"]] += float(m["value"])
    return dict(sorted(table.items()))


def bar_svg(table: dict[str, dict[str, float]], title: str, limit: int = 20) -> str:
    """Grouped horizontal bars of units and donors, as an inline <svg> element ('' when nothing to draw)."""
    if not table:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    rows = list(table.items())[:limit]
    names = [name for name, _ in rows][::-1]
    height = 0.8 + 0.42 * len(rows)
    with warnings.catch_warnings(), matplotlib.rc_context(
            {"svg.fonttype": "none", "font.size": 9, "svg.hashsalt": "extractor"}):
        # Text stays text in the SVG: the browser draws CJK names with its own fonts, so matplotlib's
        # missing glyphs only make its layout estimate a little off.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig, axes = plt.subplots(1, len(PLOTTED), figsize=(9, height), sharey=True)
        for ax, metric in zip(axes, PLOTTED, strict=True):
            values = [values_[metric] for _, values_ in rows][::-1]
            ax.barh(names, values, color="#c0392b" if metric == "blood_units" else "#2471a3")
            ax.set_title(LABELS[metric])
            ax.spines[["top", "right"]].set_visible(False)
            for y, v in enumerate(values):
                if v:
                    ax.text(v, y, f" {v:,.0f}", va="center", fontsize=8)
            ax.margins(x=0.25)
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
            ax.tick_params(axis="x", labelrotation=30)
        fig.suptitle(title, fontsize=10)
        fig.tight_layout()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prologue and doctype: the SVG sits inside HTML
