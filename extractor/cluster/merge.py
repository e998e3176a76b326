"""A finished cluster job's shards, merged into one output folder like `extract run`'s, which `extract
check` reads: `extract merge SHARDS --out DIR`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from extractor import __version__
from extractor.output import ARTICLES_FILE, ERRORS_FILE, OUTCOMES_FILE, RUN_FILE, RunFolder

_PARTS = {ARTICLES_FILE: "articles", OUTCOMES_FILE: "outcomes", ERRORS_FILE: "errors"}


def merge_shards(shards: Path, out: Path) -> dict[str, int]:
    """Every `<kind>s/<rank>.jsonl` of `shards`, in rank order, into `out` (replaced in one step, as a
    run's output is); returns the line counts."""
    folder = RunFolder(out)
    try:
        counts: dict[str, int] = {}
        for name, part in _PARTS.items():
            writer = folder.open(name)
            for path in sorted((shards / part).glob("*.jsonl")):
                writer.append_file(path)
            counts[part] = writer.count
        folder.write_json(RUN_FILE, {
            "tool": "extractor", "version": __version__, "command": ["extract", "merge", str(shards)],
            "inputs": [str(shards)], "out": str(out), "merged": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "counts": {"articles": counts["articles"], "outcomes": counts["outcomes"], "errors": counts["errors"]},
        })
        folder.commit()
    except BaseException:
        folder.abort()
        raise
    return counts
