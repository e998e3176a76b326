"""`extract export OUT_DIR --format parquet|csv|duckdb`: the records of a run as analysis tables.

Three tables, each with a schema shipped beside the record schemas (`figures_table`, `outcomes_table`,
`articles_table` under extractor/schemas/): one row per figure with its outcome flattened, one per outcome,
one per article without its text. The Arrow schema is built from those JSON Schemas, never guessed from the
data, so every shard of a corpus has the same column types (a column that is null in every row, like `low`
on the seeds, is still float64). Every file is written under a temp name beside its final one, and all are
renamed over the old ones once all are written: a reader sees whole files, and a failure half-way leaves the
old export. The metadata (schema version, tool version, pattern hash, the run's command) goes into the
Parquet files, into a table of the DuckDB file, and into the CSV metadata file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow as pa

from extractor import __version__
from extractor.output import (
    ARTICLES_FILE,
    CSV_METADATA_FILE,
    DUCKDB_FILE,
    EXPORT_TABLES,
    OUTCOMES_FILE,
    RUN_FILE,
    BrokenOutput,
    iter_jsonl,
)
from extractor.schemas import SCHEMA_VERSION, load_schema

FORMATS = ("parquet", "csv", "duckdb")
TABLES = EXPORT_TABLES  # also the order the DuckDB file creates them in
JOINED_VIEW = "figures_in_articles"
METADATA_TABLE = "export_metadata"
EXIT_OK, EXIT_FAILED = 0, 2  # as `extract check`: 2 when the folder cannot be read or the export written

_ARROW_TYPES = {"string": pa.string(), "number": pa.float64(), "integer": pa.int64(), "boolean": pa.bool_()}


class ExportError(Exception):
    """The output folder cannot be exported (missing, broken, or not writable); the message says why."""


# --- the tables --------------------------------------------------------------------------------------


@cache
def arrow_schema(table: str) -> pa.Schema:
    """The fixed Arrow schema of one export table, from its JSON Schema: JSON `string` -> string (with
    `format: date` -> date32), `number` -> float64, `integer` -> int64, `boolean` -> bool; nullable when
    the JSON type admits null. Each field carries its description as field metadata."""
    schema = load_schema(f"{table}_table")
    fields = []
    for name, prop in schema["properties"].items():
        json_type, nullable = _json_type(prop)
        arrow_type = pa.date32() if prop.get("format") == "date" else _ARROW_TYPES[json_type]
        fields.append(pa.field(name, arrow_type, nullable=nullable,
                               metadata={"description": prop["description"]}))
    return pa.schema(fields)


def _json_type(prop: dict[str, Any]) -> tuple[str, bool]:
    """(the JSON type, nullable) of a column: an `enum` column is a string one."""
    if "enum" in prop:
        return "string", None in prop["enum"]
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    return next(t for t in types if t != "null"), "null" in types


def outcome_columns(outcome: dict[str, Any]) -> dict[str, Any]:
    """The columns an outcome gives each of its rows (its figures' rows and its own)."""
    period, location = outcome["period"], outcome["location"]
    period_source = period.get("source") or {}
    place_source = location.get("source") or {}
    codes = location.get("codes") or {}
    return {
        "outcome_id": outcome["id"], "article_id": outcome["article_id"], "lang": outcome["lang"],
        "kind": outcome["kind"], "name": outcome.get("name"), "organizer": outcome.get("organizer"),
        "status": outcome["status"],
        "period_start": _day(period.get("start")), "period_end": _day(period.get("end")),
        "period_granularity": period.get("granularity"), "period_text": period.get("text"),
        "period_role": period_source.get("role"), "period_scope": period_source.get("scope"),
        "period_rule": period_source.get("rule"),
        "location_name": location.get("name"), "location_text": location.get("text"),
        "location_start": location.get("start"), "location_end": location.get("end"),
        "location_level": location.get("level"), "location_province": location.get("province"),
        "location_province_2025": location.get("province_2025"), "location_district": location.get("district"),
        "location_country": location.get("country"),
        "location_role": place_source.get("role"), "location_scope": place_source.get("scope"),
        "location_province_code": codes.get("province"), "location_province_2025_code": codes.get("province_2025"),
        "location_district_code": codes.get("district"), "location_ward_code": codes.get("ward"),
        "location_adcode": codes.get("adcode"),
        "evidence_text": outcome["evidence"]["text"], "evidence_start": outcome["evidence"]["start"],
        "evidence_end": outcome["evidence"]["end"],
        "partial": bool(outcome.get("partial", False)), "parent_id": outcome.get("parent_id"),
    }


def figure_rows(outcome: dict[str, Any]) -> Iterator[dict[str, Any]]:
    shared = outcome_columns(outcome)
    for n, m in enumerate(outcome["metrics"]):
        yield {"figure_id": f"{outcome['id']}#{n}", **shared,
               "metric": m["metric"], "value": m["value"], "low": m.get("low"), "high": m.get("high"),
               "qualifier": m["qualifier"], "unit": m.get("unit"),
               "text": m["text"], "start": m["start"], "end": m["end"]}


def outcome_row(outcome: dict[str, Any]) -> dict[str, Any]:
    return {**outcome_columns(outcome), "figures": len(outcome["metrics"])}


def article_row(article: dict[str, Any], outcomes: int) -> dict[str, Any]:
    return {
        "id": article["id"], "path": article["path"], "lang": article["lang"], "title": article.get("title"),
        "url": article.get("url"), "published": _day(article.get("published")),
        "published_source": article.get("published_source"), "source": article.get("source"),
        "encoding": article["encoding"], "text_length": len(article["text"]),
        "figures": len(article["figures"]), "outcomes": outcomes,
    }


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def build_tables(out_dir: Path, validate: bool = False) -> tuple[dict[str, pa.Table], dict[str, str]]:
    """The three tables of a run's output folder, and the export's metadata. `validate`: every record is
    checked against its shipped JSON Schema too (thorough, and several times slower than the export)."""
    run = read_manifest(out_dir)
    outcomes = _records(out_dir / OUTCOMES_FILE, "outcomes", validate)
    articles = _records(out_dir / ARTICLES_FILE, "articles", validate)
    counts = run.get("counts") or {}
    for name, records, key in ((OUTCOMES_FILE, outcomes, "outcomes"), (ARTICLES_FILE, articles, "articles")):
        if key in counts and counts[key] != len(records):
            raise BrokenOutput(f"{out_dir / name} has {len(records)} records, but {out_dir / RUN_FILE} says the run "
                               f"wrote {counts[key]}: the folder mixes files of two runs")
    per_article: dict[str, int] = {}
    for _, o in outcomes:
        per_article[o.get("article_id")] = per_article.get(o.get("article_id"), 0) + 1
    builders: dict[str, tuple[Path, list[tuple[int, dict[str, Any]]], Callable[[dict[str, Any]], list[Any]]]] = {
        "figures": (out_dir / OUTCOMES_FILE, outcomes, lambda o: list(figure_rows(o))),
        "outcomes": (out_dir / OUTCOMES_FILE, outcomes, lambda o: [outcome_row(o)]),
        "articles": (out_dir / ARTICLES_FILE, articles, lambda a: [article_row(a, per_article.get(a["id"], 0))]),
    }
    tables = {name: _table(name, path, records, build) for name, (path, records, build) in builders.items()}
    return tables, export_metadata(run)


def _table(name: str, path: Path, records: list[tuple[int, dict[str, Any]]],
           build: Callable[[dict[str, Any]], list[dict[str, Any]]]) -> pa.Table:
    """One table from the records of `path`; BrokenOutput naming the line of a record that does not have the
    shape `extract run` writes (a field missing, of another type, or null where a value is required)."""
    schema = arrow_schema(name)
    rows: list[dict[str, Any]] = []
    lines: list[int] = []  # the line each row comes from
    for n, record in records:
        try:
            built = build(record)
        except (KeyError, TypeError, AttributeError, ValueError) as e:
            why = f"{type(e).__name__}: {e}"
            raise BrokenOutput(f"{path} line {n}: not a record `extract run` writes ({why})") from None
        rows += built
        lines += [n] * len(built)
    if rows and list(rows[0]) != schema.names:  # one builder per table: the first row's keys are every row's
        raise AssertionError(f"{name} rows do not have the table's columns: {sorted(set(rows[0]) ^ set(schema.names))}")
    try:
        table = pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        for row, n in zip(rows, lines, strict=True):  # only on failure: find the record, one row at a time
            try:
                pa.Table.from_pylist([row], schema=schema)
            except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
                raise BrokenOutput(f"{path} line {n}: a field of the wrong type ({e})") from None
        raise
    for f in schema:
        column = table.column(f.name)
        if not f.nullable and column.null_count:
            n = lines[next(i for i, v in enumerate(column.is_null().to_pylist()) if v)]
            raise BrokenOutput(f"{path} line {n}: null where the {name} table's {f.name} needs a value")
    return table


def read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / RUN_FILE
    if not path.exists():
        return {}
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BrokenOutput(f"{path}: not the run.json `extract run` writes ({e})") from None
    if not isinstance(run, dict):
        raise BrokenOutput(f"{path}: not the run.json `extract run` writes (not an object)")
    return run


def _records(path: Path, schema_name: str, validate: bool) -> list[tuple[int, dict[str, Any]]]:
    """(line, record) of one output file, each of this version of the record format (file and line named
    otherwise) and, with `validate`, valid against its shipped schema."""
    if not path.exists():
        raise ExportError(f"{path} is missing: export reads the folder `extract run` wrote")
    validator = jsonschema.Draft202012Validator(load_schema(schema_name)) if validate else None
    records = []
    for n, record in iter_jsonl(path):
        if record.get("schema_version") != SCHEMA_VERSION:
            raise BrokenOutput(f"{path} line {n}: schema_version is {record.get('schema_version')!r}, not "
                               f"{SCHEMA_VERSION!r}: an older version's output? run `extract run` again")
        error = jsonschema.exceptions.best_match(validator.iter_errors(record)) if validator else None
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "the record"
            raise BrokenOutput(f"{path} line {n}: {where}: {error.message}")
        records.append((n, record))
    return records


def export_metadata(run: dict[str, Any]) -> dict[str, str]:
    """What the export says about itself: the record format, the tool, and the run it was made from."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": "extractor",
        "tool_version": __version__,
        "run_tool_version": str(run.get("version") or ""),
        "patterns_sha256": str(run.get("patterns_sha256") or ""),
        "run_command": json.dumps(run.get("command") or [], ensure_ascii=False),
        "run_started": str(run.get("started") or ""),
        "exported": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


# --- writing -----------------------------------------------------------------------------------------


class Staged:
    """The files of one export, each written under a temp name beside its final one; `commit` renames them all
    over the old files once every one is written, so a failure half-way leaves the old export whole."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.files: list[tuple[Path, Path]] = []  # (temp, final)

    def path(self, name: str) -> Path:
        final = self.dest / name
        tmp = final.with_name(f".{final.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        self.files.append((tmp, final))
        return tmp

    def commit(self) -> list[Path]:
        for tmp, _ in self.files:
            _fsync(tmp)
        for tmp, final in self.files:
            os.replace(tmp, final)
        return [final for _, final in self.files]

    def discard(self) -> None:
        for tmp, _ in self.files:
            for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):  # duckdb's log, if it failed mid-write
                leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_parquet(tables: dict[str, pa.Table], meta: dict[str, str], staged: Staged) -> None:
    import pyarrow.parquet as pq

    for name, table in tables.items():
        described = table.replace_schema_metadata({**meta, "table": name,
                                                   "description": load_schema(f"{name}_table")["description"]})
        pq.write_table(described, staged.path(f"{name}.parquet"))


def write_csv(tables: dict[str, pa.Table], meta: dict[str, str], staged: Staged) -> None:
    """One CSV per table (UTF-8, a header line, empty for null, ISO dates) and a CSVW metadata file that
    describes every column and carries the export's metadata."""
    import pyarrow.csv as pcsv

    for name, table in tables.items():
        pcsv.write_csv(table, staged.path(f"{name}.csv"))
    staged.path(CSV_METADATA_FILE).write_text(json.dumps(csvw_metadata(tables, meta), ensure_ascii=False, indent=2)
                                              + "\n", encoding="utf-8")


_CSVW_TYPES = {pa.string(): "string", pa.float64(): "double", pa.int64(): "integer", pa.bool_(): "boolean",
               pa.date32(): "date"}


def csvw_metadata(tables: dict[str, pa.Table], meta: dict[str, str]) -> dict[str, Any]:
    """A CSV on the Web (W3C) description of the CSV files: their columns, types and descriptions."""
    return {
        "@context": "http://www.w3.org/ns/csvw",
        "dc:description": "Blood-donation campaign outcomes exported by extractor",
        **{f"extractor:{k}": v for k, v in meta.items()},
        "tables": [{
            "url": f"{name}.csv",
            "dc:description": load_schema(f"{name}_table")["description"],
            "tableSchema": {"columns": [
                {"name": f.name, "titles": f.name, "datatype": _CSVW_TYPES[f.type], "required": not f.nullable,
                 "dc:description": f.metadata[b"description"].decode()}
                for f in table.schema
            ]},
        } for name, table in tables.items()],
    }


def write_duckdb(tables: dict[str, pa.Table], meta: dict[str, str], staged: Staged) -> None:
    """One database file: the three tables (column comments from the schemas), the view joining each figure
    to its outcome and article, and a table of the export's metadata."""
    import duckdb

    con = duckdb.connect(str(staged.path(DUCKDB_FILE)))
    try:
        for name, table in tables.items():
            con.register("incoming", table)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
            con.unregister("incoming")
            con.execute(f"COMMENT ON TABLE {name} IS {_sql_string(load_schema(f'{name}_table')['description'])}")
            for f in table.schema:
                comment = _sql_string(f.metadata[b"description"].decode())
                con.execute(f'COMMENT ON COLUMN {name}."{f.name}" IS {comment}')
        article_columns = ", ".join(f"a.{c} AS article_{c}" for c in ("title", "url", "published", "source"))
        con.execute(f"CREATE VIEW {JOINED_VIEW} AS SELECT f.*, {article_columns}, o.figures AS outcome_figures "
                    "FROM figures f JOIN outcomes o USING (outcome_id) JOIN articles a ON a.id = f.article_id")
        con.execute(f"CREATE TABLE {METADATA_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany(f"INSERT INTO {METADATA_TABLE} VALUES (?, ?)", sorted(meta.items()))
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


WRITERS: dict[str, Callable[[dict[str, pa.Table], dict[str, str], Staged], None]] = {
    "parquet": write_parquet, "csv": write_csv, "duckdb": write_duckdb,
}


def export(out_dir: Path, fmt: str, dest: Path | None = None, validate: bool = False) -> list[Path]:
    """Write the tables of `out_dir` in `fmt` into `dest` (default: `out_dir` itself); the paths written."""
    if not out_dir.is_dir():
        raise ExportError(f"{out_dir} is not a folder `extract run` wrote")
    tables, meta = build_tables(out_dir, validate)
    dest = dest or out_dir
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create {dest}: {e.strerror or e}") from None
    staged = Staged(dest)
    try:
        WRITERS[fmt](tables, meta, staged)
        return staged.commit()
    finally:
        staged.discard()


# --- the command -------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out_dir", help="the folder `extract run` wrote (outcomes.jsonl, articles.jsonl, run.json)")
    parser.add_argument("--format", choices=FORMATS, default="parquet",
                        help="parquet: figures/outcomes/articles.parquet; csv: the same as .csv with "
                             f"{CSV_METADATA_FILE}; duckdb: {DUCKDB_FILE} (default: parquet)")
    parser.add_argument("--to", default=None, metavar="DIR",
                        help="write the export here instead of into OUT_DIR (a later `extract run` into OUT_DIR "
                             "replaces an export inside it, which then no longer describes the run)")
    parser.add_argument("--validate", action="store_true",
                        help="also check every record against its JSON Schema (thorough, several times slower)")


def run(args: argparse.Namespace) -> int:
    out_dir = Path(args.out_dir)
    try:
        written = export(out_dir, args.format, Path(args.to) if args.to else None, args.validate)
    except (ExportError, BrokenOutput) as e:
        print(f"extract export: {e}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as e:
        print(f"extract export: cannot write the export: {e}", file=sys.stderr)
        return EXIT_FAILED
    for path in written:
        print(path)
    return EXIT_OK
