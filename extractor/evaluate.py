"""`extract evaluate GOLD.jsonl OUT_DIR`: how well a run agrees with hand coding of the same articles.

A researcher annotates a sample of their own articles in the gold format (README, "Validating on your own
sample"; schema extractor/schemas/gold.schema.json) and gets precision, recall and F1 of the figures, per
metric, the accuracy of each attribute over the matched figures (and the F1 when a match must also get that
attribute right), the strict F1 (a match counts only when every attribute is right), drive recall, the span
check, and every miss, wrong attribute and false figure listed; `--csv` writes the table for an appendix,
`--items` every judgement.

Matching follows the shared evaluation contract: a predicted figure matches a gold fact of the same article
with the same metric and a value within 0.5%; each gold fact, in file order, takes the unused figure with
an exactly equal value first, then the one with the most attributes right (the earliest on a tie). Figures
matching an `optional` fact count neither way; every other figure is a false one.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
import zhconv

from extractor.lang import codes
from extractor.metrics import METRIC_NAMES
from extractor.output import ARTICLES_FILE, OUTCOMES_FILE, BrokenOutput, iter_jsonl
from extractor.schemas import load_schema

ATTRIBUTES = ("status", "qualifier", "period", "location", "province")
GOLD_RULES_PATH = Path(__file__).resolve().parent / "data" / "gold.yaml"
EXIT_OK, EXIT_FAILED = 0, 2


class GoldError(ValueError):
    """A gold file that is not in the gold format; names the file and line."""


# --- comparing one figure with one fact -------------------------------------------------------------


@dataclass(frozen=True)
class _GoldRules:
    prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]  # longest first: "壮族自治区" before "自治区"
    aliases: dict[str, str]
    tolerance: float


@cache
def gold_rules() -> _GoldRules:
    data = yaml.safe_load(GOLD_RULES_PATH.read_text(encoding="utf-8"))
    return _GoldRules(tuple(data["province_prefixes"]), tuple(sorted(data["province_suffixes"], key=len, reverse=True)),
                      dict(data["province_aliases"]), float(data["value_tolerance"]))


def normalize(text: str | None) -> str:
    """NFC, case-folded, runs of spaces as one: how names are compared."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def normalize_province(name: str | None) -> str:
    """"Tỉnh Hưng Yên" -> "hưng yên", "河南省" -> "河南", "臺灣省" -> "台湾"; aliases ("TP.HCM") to one name."""
    rules = gold_rules()
    text = zhconv.convert(normalize(name), "zh-hans")
    previous = None
    while previous != text:
        previous = text
        for prefix in rules.prefixes:
            if text.startswith(prefix):
                text = text[len(prefix):].lstrip()
                break
        for suffix in rules.suffixes:
            if text.endswith(suffix):
                text = text[: -len(suffix)].rstrip()
                break
    return rules.aliases.get(text, text)


def same_value(predicted: Any, gold: Any) -> bool:
    try:
        a, b = float(predicted), float(gold)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= gold_rules().tolerance * max(abs(a), abs(b), 1e-9)


def location_ok(names: list[str], outcome: dict[str, Any]) -> bool:
    """A gold name matches when it stands inside the predicted place's name or words; no names: any place."""
    if not names:
        return True
    location = outcome.get("location") or {}
    said = (normalize(location.get("name")), normalize(location.get("text")))
    return any(normalize(name) in part for name in names for part in said)


def province_ok(gold: str | None, outcome: dict[str, Any]) -> bool:
    if gold == "*":
        return True
    predicted = (outcome.get("location") or {}).get("province")
    if gold is None:
        return not predicted  # a national figure has no province
    return normalize_province(predicted) == normalize_province(gold)


def period_ok(fact: dict[str, Any], outcome: dict[str, Any]) -> bool:
    """Each day the gold gives must be the outcome's; a day gold leaves null is not judged."""
    period = outcome.get("period") or {}
    return all(fact.get(key) is None or period.get(key) == fact[key] for key in ("start", "end"))


def attributes(fact: dict[str, Any], outcome: dict[str, Any], figure: dict[str, Any]) -> dict[str, bool]:
    return {
        "status": outcome.get("status") == fact["status"],
        "qualifier": figure.get("qualifier", "exact") == fact.get("qualifier", "exact"),
        "period": period_ok(fact, outcome),
        "location": location_ok(fact.get("location", []), outcome),
        "province": province_ok(fact.get("province", "*"), outcome),
    }


# --- judging a run -----------------------------------------------------------------------------------


@dataclass
class Judgement:
    """One gold fact or one predicted figure and what became of it."""

    article_id: str
    verdict: str  # match | wrong (matched, some attribute wrong) | miss | false | optional
    metric: str
    gold_value: float | None = None
    predicted_value: float | None = None
    predicted_text: str | None = None
    outcome_id: str | None = None
    wrong: list[str] = field(default_factory=list)  # the attributes it got wrong
    gold: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    figure: dict[str, Any] | None = None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    articles: int = 0
    facts: Counts = field(default_factory=Counts)
    strict: Counts = field(default_factory=Counts)
    by_metric: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    strict_by_metric: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    attribute_hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ATTRIBUTES, 0))
    drives: int = 0
    drives_found: int = 0
    spans: int = 0
    spans_valid: int = 0
    judgements: list[Judgement] = field(default_factory=list)
    missed_drives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def attribute_accuracy(self, name: str) -> float:
        return self.attribute_hits[name] / self.facts.tp if self.facts.tp else 0.0

    def attribute_counts(self, name: str) -> Counts:
        """Fact counts where a match needs this attribute right too (a wrong one is a miss and a false figure)."""
        wrong = self.facts.tp - self.attribute_hits[name]
        return Counts(self.attribute_hits[name], self.facts.fp + wrong, self.facts.fn + wrong)

    def summary(self) -> dict[str, Any]:
        """The figures, rounded to three places, under the names the shared scorer prints with --json."""
        return {
            "articles": self.articles, "gold_facts": self.facts.tp + self.facts.fn,
            "predicted": self.facts.tp + self.facts.fp,
            "fact_precision": round(self.facts.precision, 3), "fact_recall": round(self.facts.recall, 3),
            "fact_f1": round(self.facts.f1, 3), "strict_f1": round(self.strict.f1, 3),
            "attribute_accuracy": {a: round(self.attribute_accuracy(a), 3) for a in ATTRIBUTES},
            "attribute_f1": {a: round(self.attribute_counts(a).f1, 3) for a in ATTRIBUTES},
            "by_metric": {m: {"gold": c.tp + c.fn, "predicted": c.tp + c.fp, "matched": c.tp,
                              "precision": round(c.precision, 3), "recall": round(c.recall, 3), "f1": round(c.f1, 3),
                              "strict_f1": round(self.strict_by_metric[m].f1, 3)}
                          for m, c in sorted(self.by_metric.items(), key=lambda kv: METRIC_NAMES.index(kv[0]))},
            "drive_recall": round(self.drives_found / self.drives, 3) if self.drives else None,
            "span_valid": round(self.spans_valid / self.spans, 3) if self.spans else None,
        }


def evaluate(gold: list[dict[str, Any]], outcomes: list[dict[str, Any]], texts: dict[str, str] | None = None,
             lang: str | None = None) -> Evaluation:
    """Judge the outcomes of a run against gold articles (those of `lang` only, when given); `texts`: the
    article texts by id, for the span check."""
    chosen = {g["article_id"]: g for g in gold if lang is None or g.get("lang") == lang}
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.get("article_id") in chosen:
            by_article[outcome["article_id"]].append(outcome)
    result = Evaluation(articles=len(chosen))
    for article_id, article in chosen.items():
        predicted = by_article[article_id]
        _judge_article(result, article, predicted)
        _check_spans(result, predicted, (texts or {}).get(article_id))
        for drive in article.get("drives", []):
            result.drives += 1
            if any(period_ok(drive, o) and location_ok(drive.get("location", []), o) for o in predicted):
                result.drives_found += 1
            else:
                result.missed_drives.append((article_id, drive))
    return result


def _judge_article(result: Evaluation, article: dict[str, Any], predicted: list[dict[str, Any]]) -> None:
    article_id = article["article_id"]
    figures = [(o, m) for o in predicted for m in o.get("metrics") or [] if m.get("metric") in METRIC_NAMES]
    taken: set[int] = set()
    for fact in article["facts"]:
        best: tuple[tuple[bool, int], int, dict[str, bool]] | None = None
        for i, (outcome, figure) in enumerate(figures):
            if i in taken or figure["metric"] != fact["metric"] or not same_value(figure.get("value"), fact["value"]):
                continue
            judged = attributes(fact, outcome, figure)
            rank = (float(figure["value"]) == float(fact["value"]), sum(judged.values()))
            if best is None or rank > best[0]:
                best = (rank, i, judged)
        metric = fact["metric"]
        if best is None:
            result.facts.fn += 1
            result.strict.fn += 1
            result.by_metric[metric].fn += 1
            result.strict_by_metric[metric].fn += 1
            result.judgements.append(Judgement(article_id, "miss", metric, gold_value=fact["value"], gold=fact))
            continue
        _, i, judged = best
        taken.add(i)
        outcome, figure = figures[i]
        result.facts.tp += 1
        result.by_metric[metric].tp += 1
        for name, ok in judged.items():
            result.attribute_hits[name] += ok
        wrong = [name for name, ok in judged.items() if not ok]
        if wrong:  # a match with a wrong attribute is, strictly, a miss and a false figure
            result.strict.fn += 1
            result.strict.fp += 1
            result.strict_by_metric[metric].fn += 1
            result.strict_by_metric[metric].fp += 1
        else:
            result.strict.tp += 1
            result.strict_by_metric[metric].tp += 1
        result.judgements.append(Judgement(article_id, "wrong" if wrong else "match", metric, fact["value"],
                                           figure["value"], figure.get("text"), outcome.get("id"), wrong, fact,
                                           outcome, figure))
    optional = article.get("optional", [])
    for i, (outcome, figure) in enumerate(figures):
        if i in taken:
            continue
        metric = figure["metric"]
        verdict = "optional" if any(o["metric"] == metric and same_value(figure.get("value"), o["value"])
                                    for o in optional) else "false"
        if verdict == "false":
            result.facts.fp += 1
            result.strict.fp += 1
            result.by_metric[metric].fp += 1
            result.strict_by_metric[metric].fp += 1
        result.judgements.append(Judgement(article_id, verdict, metric, predicted_value=figure.get("value"),
                                           predicted_text=figure.get("text"), outcome_id=outcome.get("id"),
                                           outcome=outcome, figure=figure))


def _check_spans(result: Evaluation, predicted: list[dict[str, Any]], text: str | None) -> None:
    """Every figure's offsets point into the article text at its own words."""
    for outcome in predicted:
        for figure in outcome.get("metrics") or []:
            result.spans += 1
            start, end, words = figure.get("start"), figure.get("end"), figure.get("text")
            if (text is not None and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
                    and (not isinstance(words, str) or text[start:end] == words)):
                result.spans_valid += 1


# --- reading -----------------------------------------------------------------------------------------


def read_gold(path: Path) -> list[dict[str, Any]]:
    """The gold articles of a file, each checked against the gold format (GoldError: file, line, field)."""
    validator = jsonschema.Draft202012Validator(load_schema("gold"))
    articles, seen = [], set()
    try:
        for n, record in iter_jsonl(path):
            error = jsonschema.exceptions.best_match(validator.iter_errors(record))
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path) or "the record"
                raise GoldError(f"{path} line {n}: {where}: {error.message}")
            if record["article_id"] in seen:
                raise GoldError(f"{path} line {n}: article {record['article_id']} is annotated twice")
            seen.add(record["article_id"])
            articles.append(record)
    except BrokenOutput as e:
        raise GoldError(str(e)) from None
    except OSError as e:
        raise GoldError(f"cannot read {path}: {e.strerror or e}") from None
    return articles


def read_run(out_dir: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The outcomes of a run and its article texts."""
    if not (out_dir / OUTCOMES_FILE).exists():
        raise BrokenOutput(f"{out_dir / OUTCOMES_FILE} is missing: evaluate reads the folder `extract run` wrote")
    outcomes = [record for _, record in iter_jsonl(out_dir / OUTCOMES_FILE)]
    texts = {}
    if (out_dir / ARTICLES_FILE).exists():
        for _, article in iter_jsonl(out_dir / ARTICLES_FILE):
            if isinstance(article.get("text"), str):
                texts[article.get("id")] = article["text"]
    return outcomes, texts


# --- reporting ---------------------------------------------------------------------------------------


def format_report(result: Evaluation, listing: bool = True) -> str:
    s = result.summary()
    out = [f"articles {s['articles']}  gold facts {s['gold_facts']}  predicted figures {s['predicted']}",
           f"fact     P {result.facts.precision:.3f}  R {result.facts.recall:.3f}  F1 {result.facts.f1:.3f}",
           f"strict   P {result.strict.precision:.3f}  R {result.strict.recall:.3f}  F1 {result.strict.f1:.3f}",
           "",
           "attribute   accuracy  F1 (a match needs it right)"]
    out += [f"{a:<11} {result.attribute_accuracy(a):8.3f}  {result.attribute_counts(a).f1:.3f}" for a in ATTRIBUTES]
    out += ["", f"{'metric':<16} {'gold':>5} {'pred':>5} {'match':>5}     P      R     F1  strict F1"]
    for metric, row in s["by_metric"].items():
        out.append(f"{metric:<16} {row['gold']:>5} {row['predicted']:>5} {row['matched']:>5} {row['precision']:6.3f} "
                   f"{row['recall']:6.3f} {row['f1']:6.3f} {row['strict_f1']:10.3f}")
    drives = f"{s['drive_recall']:.3f} ({result.drives_found}/{result.drives})" if result.drives else "none in gold"
    spans = f"{s['span_valid']:.3f}" if s["span_valid"] is not None else "no figures"
    out += ["", f"drive recall {drives}   spans valid {spans}", f"strict F1 {result.strict.f1:.3f}"]
    if listing:
        out += _listing(result)
    return "\n".join(out)


def _listing(result: Evaluation) -> list[str]:
    lines = []
    groups = [("MISSED (gold facts no figure matched)", "miss"), ("WRONG (matched, an attribute wrong)", "wrong"),
              ("FALSE (figures matching no gold fact)", "false")]
    for title, verdict in groups:
        items = [j for j in result.judgements if j.verdict == verdict]
        if not items:
            continue
        lines += ["", f"{title}: {len(items)}"]
        lines += [f"  {_describe(j)}" for j in items]
    if result.missed_drives:
        lines += ["", f"MISSED DRIVES: {len(result.missed_drives)}"]
        lines += [f"  {aid} {d['start']}..{d.get('end')} at {', '.join(d.get('location', [])) or 'any place'}"
                  for aid, d in result.missed_drives]
    return lines


def _describe(j: Judgement) -> str:
    if j.verdict == "miss":
        g = j.gold or {}
        return (f"{j.article_id} {j.metric}={_number(j.gold_value)} {g.get('status')} {g.get('start')}..{g.get('end')} "
                f"{'/'.join(g.get('location', [])) or '-'}")
    if j.verdict == "false":
        return f"{j.article_id} {j.metric}={_number(j.predicted_value)} {j.predicted_text!r} ({j.outcome_id})"
    gold, outcome, figure = j.gold or {}, j.outcome or {}, j.figure or {}
    period, location = outcome.get("period") or {}, outcome.get("location") or {}
    predicted = {"status": outcome.get("status"), "qualifier": figure.get("qualifier", "exact"),
                 "period": f"{period.get('start')}..{period.get('end')}", "location": location.get("name"),
                 "province": location.get("province")}
    expected = {"status": gold.get("status"), "qualifier": gold.get("qualifier", "exact"),
                "period": f"{gold.get('start')}..{gold.get('end')}", "location": "/".join(gold.get("location", [])),
                "province": gold.get("province", "*")}
    said = "; ".join(f"{a} {predicted[a]!s} (gold {expected[a]!s})" for a in j.wrong)
    return f"{j.article_id} {j.metric}={_number(j.gold_value)} {j.predicted_text!r}: {said}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def table_rows(result: Evaluation) -> list[dict[str, Any]]:
    """The figures as rows for an appendix: overall, strict, each attribute, each metric."""
    def row(scope: str, name: str, counts: Counts, accuracy: float | None = None) -> dict[str, Any]:
        return {"scope": scope, "name": name, "matched": counts.tp, "false": counts.fp, "missed": counts.fn,
                "precision": round(counts.precision, 3), "recall": round(counts.recall, 3), "f1": round(counts.f1, 3),
                "accuracy": None if accuracy is None else round(accuracy, 3)}

    rows = [row("all", "facts", result.facts), row("all", "strict", result.strict)]
    rows += [row("attribute", a, result.attribute_counts(a), result.attribute_accuracy(a)) for a in ATTRIBUTES]
    rows += [row("metric", m, result.by_metric[m]) for m in METRIC_NAMES if m in result.by_metric]
    rows += [row("metric_strict", m, result.strict_by_metric[m]) for m in METRIC_NAMES if m in result.by_metric]
    return rows


def item_rows(result: Evaluation) -> list[dict[str, Any]]:
    """Every judgement: each gold fact (matched, wrong or missed) and each figure matching none."""
    return [{"article_id": j.article_id, "verdict": j.verdict, "metric": j.metric, "gold_value": j.gold_value,
             "predicted_value": j.predicted_value, "predicted_text": j.predicted_text, "outcome_id": j.outcome_id,
             "wrong_attributes": ",".join(j.wrong)} for j in result.judgements]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["scope"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)


# --- the command -------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("gold", help="the gold file: one annotated article a line (format in the README)")
    parser.add_argument("out_dir", help="the folder `extract run` wrote for those articles")
    parser.add_argument("--lang", choices=codes(), help="judge only the gold articles of this language")
    parser.add_argument("--csv", metavar="FILE", help="write the table (overall, attributes, metrics) as CSV")
    parser.add_argument("--items", metavar="FILE", help="write every judgement (fact or figure) as CSV")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="leave out the lists of misses and false figures")


def run(args: argparse.Namespace) -> int:
    try:
        gold = read_gold(Path(args.gold))
        outcomes, texts = read_run(Path(args.out_dir))
    except (GoldError, BrokenOutput) as e:
        print(f"extract evaluate: {e}", file=sys.stderr)
        return EXIT_FAILED
    result = evaluate(gold, outcomes, texts, args.lang)
    if not result.articles:
        print(f"extract evaluate: no gold article{' in ' + args.lang if args.lang else ''} in {args.gold}",
              file=sys.stderr)
        return EXIT_FAILED
    judged = {g["article_id"] for g in gold if args.lang is None or g.get("lang") == args.lang}
    unseen = sorted(judged - {o.get("article_id") for o in outcomes} - set(texts))
    if unseen:
        print(f"warning: {len(unseen)} gold article(s) not in {args.out_dir} (all their facts missed): "
              f"{', '.join(unseen[:5])}{' ...' if len(unseen) > 5 else ''}", file=sys.stderr)
    try:
        if args.csv:
            write_csv(Path(args.csv), table_rows(result))
        if args.items:
            write_csv(Path(args.items), item_rows(result))
    except OSError as e:
        print(f"extract evaluate: cannot write the CSV: {e.strerror or e}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(result.summary(), ensure_ascii=False))
    else:
        print(format_report(result, listing=not args.quiet))
    return EXIT_OK
