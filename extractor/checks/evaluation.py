"""`extract check-eval TABLE`: how far the checks' alarms can be trusted, on a table of passages with the
verdicts each must and must not get (tests/checks/table.yaml). Every passage goes through the real pipeline
(text -> outcomes -> syndication -> checks), as `extract run --check` would take it.

Alarm precision: of the alarms raised (inconsistent, implausible), the share a passage's `must` names.
Alarm recall: of the alarms the `must` lists name, the share raised.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from extractor.checks.model import ALARMS, VERDICTS, Corpus, Outcome
from extractor.checks.reference import Reference, load_reference
from extractor.syndication import mark_duplicates

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "tests" / "checks" / "table.yaml"


@dataclass
class CaseResult:
    id: str
    expected_alarms: set[str]  # "check:verdict" the passage must raise
    raised: list[dict[str, Any]]
    missing: list[str] = field(default_factory=list)  # `must` entries not met
    forbidden: list[str] = field(default_factory=list)  # `must_not` entries met

    @property
    def alarms(self) -> list[dict[str, Any]]:
        return [c for c in self.raised if c["verdict"] in ALARMS]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.forbidden


def _matches(check: dict[str, Any], entry: str) -> bool:
    """'inconsistent' (any check), 'sum_of_parts' (any verdict) or 'sum_of_parts:inconsistent'."""
    kind, _, verdict = entry.partition(":")
    if not verdict:
        return check["verdict"] == kind if kind in VERDICTS else check["check"] == kind
    return check["check"] == kind and check["verdict"] == verdict


def run_case(case: dict[str, Any], reference: Reference) -> CaseResult:
    from extractor.checks import compute_checks
    from extractor.pipeline import extract_text

    articles = case.get("articles") or [{"text": case["text"], "published": case.get("published")}]
    results = [extract_text(a["text"], lang=case.get("lang"), published=a.get("published") or case.get("published"),
                            article_id=f"{case['id']}-{i}") for i, a in enumerate(articles)]
    records = [r.article for r in results]
    mark_duplicates(records)
    corpus = Corpus([Outcome.from_record(o) for r in results for o in r.outcomes], {a["id"]: a for a in records})
    checks = compute_checks(corpus, reference)
    must = [str(e) for e in case.get("must") or []]
    must_not = [str(e) for e in case.get("must_not") or []]
    result = CaseResult(case["id"], {e for e in must if e.partition(":")[2] in ALARMS or e in ALARMS}, checks)
    result.missing = [e for e in must if not any(_matches(c, e) for c in checks)]
    result.forbidden = [e for e in must_not if any(_matches(c, e) for c in checks)]
    return result


@dataclass
class Scores:
    results: list[CaseResult]

    @property
    def raised(self) -> int:
        return sum(len(r.alarms) for r in self.results)

    @property
    def true_alarms(self) -> int:
        return sum(1 for r in self.results for c in r.alarms if any(_matches(c, e) for e in r.expected_alarms))

    @property
    def expected(self) -> int:
        return sum(len(r.expected_alarms) for r in self.results)

    @property
    def found(self) -> int:
        return sum(1 for r in self.results for e in r.expected_alarms if any(_matches(c, e) for c in r.alarms))

    @property
    def precision(self) -> float:
        return self.true_alarms / self.raised if self.raised else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def load_table(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        cases = yaml.safe_load(f)["cases"]
    ids = [c["id"] for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: case ids repeat")
    return cases


def evaluate(path: Path = DEFAULT_TABLE, reference: Reference | None = None) -> Scores:
    reference = reference or load_reference()
    return Scores([run_case(case, reference) for case in load_table(path)])


def report(scores: Scores) -> str:
    lines = []
    for r in scores.results:
        mark = "ok " if r.ok else "BAD"
        raised = ", ".join(f"{c['check']}:{c['verdict']}" for c in r.alarms) or "no alarm"
        lines.append(f"{mark} {r.id:<34} {raised}")
        for e in r.missing:
            lines.append(f"      missing: {e}")
        for e in r.forbidden:
            lines.append(f"      raised although it must not: {e}")
    traps = sum(1 for r in scores.results if not r.expected_alarms)
    lines += [
        "",
        f"{len(scores.results)} passages ({len(scores.results) - traps} with true alarms, {traps} traps), "
        f"{sum(r.ok for r in scores.results)} as expected",
        f"alarm precision {scores.precision:.3f} ({scores.true_alarms}/{scores.raised} alarms raised were expected)",
        f"alarm recall    {scores.recall:.3f} ({scores.found}/{scores.expected} expected alarms raised)",
    ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", type=Path, nargs="?", default=DEFAULT_TABLE,
                        help="YAML table of passages with the verdicts they must and must not get "
                             "(default: tests/checks/table.yaml)")


def run(args: argparse.Namespace) -> int:
    try:
        scores = evaluate(args.table)
    except (OSError, ValueError, KeyError, yaml.YAMLError) as e:
        print(f"extract check-eval: {args.table}: {e}", file=sys.stderr)
        return 2
    print(report(scores))
    return 0
