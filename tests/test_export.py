"""`extract export`: every format read back (pyarrow, duckdb) and compared with the JSON Lines it came from."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest

from extractor import export
from extractor.cli import main
from extractor.output import read_jsonl
from extractor.schemas import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "corpus"


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "out"
    assert main(["run", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    return out


def _expected_figures(out: Path) -> list[dict[str, Any]]:
    """The figures table as it should be, read straight from outcomes.jsonl."""
    rows = []
    for o in read_jsonl(out / "outcomes.jsonl"):
        for n, m in enumerate(o["metrics"]):
            rows.append({
                "figure_id": f"{o['id']}#{n}", "outcome_id": o["id"], "article_id": o["article_id"],
                "status": o["status"], "kind": o["kind"], "metric": m["metric"], "value": float(m["value"]),
                "qualifier": m["qualifier"], "text": m["text"], "start": m["start"], "end": m["end"],
                "low": m["low"], "high": m["high"],
                "period_start": o["period"]["start"], "period_end": o["period"]["end"],
                "location_name": o["location"]["name"], "location_province": o["location"]["province"],
                "location_province_code": o["location"]["codes"]["province"],
                "location_adcode": o["location"]["codes"]["adcode"],
                "period_role": (o["period"]["source"] or {}).get("role"),
                "evidence_text": o["evidence"]["text"],
            })
    return rows


def _comparable(row: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    return {k: (row[k].isoformat() if isinstance(row[k], dt.date) else row[k]) for k in keys}


def _assert_figures_equal(got: list[dict[str, Any]], out: Path) -> None:
    expected = _expected_figures(out)
    assert len(got) == len(expected) > 30
    keys = list(expected[0])
    assert [_comparable(r, keys) for r in got] == expected


def test_parquet_round_trips(seed_out: Path) -> None:
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    figures = pq.read_table(seed_out / "figures.parquet")
    _assert_figures_equal(figures.to_pylist(), seed_out)
    outcomes = pq.read_table(seed_out / "outcomes.parquet").to_pylist()
    jsonl = read_jsonl(seed_out / "outcomes.jsonl")
    assert [(r["outcome_id"], r["figures"], r["location_country"]) for r in outcomes] == [
        (o["id"], len(o["metrics"]), o["location"]["country"]) for o in jsonl]
    articles = pq.read_table(seed_out / "articles.parquet")
    assert "text" not in articles.schema.names
    source = read_jsonl(seed_out / "articles.jsonl")
    assert [(r["id"], r["text_length"], r["figures"]) for r in articles.to_pylist()] == [
        (a["id"], len(a["text"]), len(a["figures"])) for a in source]


def test_parquet_types_are_fixed_even_when_a_column_is_all_null(seed_out: Path) -> None:
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    figures = pq.read_table(seed_out / "figures.parquet")
    assert figures.column("low").null_count == figures.num_rows  # the seeds state no range
    schema = figures.schema
    assert schema.field("low").type == pa.float64() and schema.field("high").type == pa.float64()
    assert schema.field("value").type == pa.float64()
    assert schema.field("period_start").type == pa.date32()
    assert schema.field("start").type == pa.int64()
    assert schema.field("partial").type == pa.bool_()
    assert schema.remove_metadata() == export.arrow_schema("figures").remove_metadata()


@pytest.mark.parametrize("article", ["003_5c398355415ae7bd", "004_ae2947304a8dbaaf"])
def test_every_shard_has_the_same_schema(article: str, seed_out: Path, tmp_path: Path) -> None:
    """A Vietnamese shard and a Chinese one (different nulls: province_2025, adcode) share the types."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / f"{article}.txt", corpus)
    for meta in SEEDS.glob(f"{article}.meta.json"):
        shutil.copy(meta, corpus)
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--no-progress"]) == 0
    assert main(["export", str(out), "--format", "parquet"]) == 0
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    for table in export.TABLES:
        assert pq.read_schema(out / f"{table}.parquet") == pq.read_schema(seed_out / f"{table}.parquet")


def test_parquet_carries_the_run_metadata(seed_out: Path) -> None:
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    run = json.loads((seed_out / "run.json").read_text())
    meta = {k.decode(): v.decode() for k, v in pq.read_schema(seed_out / "figures.parquet").metadata.items()}
    assert meta["schema_version"] == SCHEMA_VERSION == run["schema_version"]
    assert meta["patterns_sha256"] == run["patterns_sha256"]
    assert json.loads(meta["run_command"]) == run["command"]
    assert meta["tool_version"] == run["version"]
    described = pq.read_schema(seed_out / "figures.parquet").field("qualifier").metadata[b"description"].decode()
    assert "khoảng" in described


def test_csv_round_trips_with_its_metadata(seed_out: Path) -> None:
    assert main(["export", str(seed_out), "--format", "csv"]) == 0
    schema = export.arrow_schema("figures")
    figures = pcsv.read_csv(seed_out / "figures.csv",
                            convert_options=pcsv.ConvertOptions(column_types=schema, strings_can_be_null=True))
    assert figures.schema.names == schema.names
    _assert_figures_equal(figures.to_pylist(), seed_out)
    meta = json.loads((seed_out / "csv-metadata.json").read_text())
    assert meta["extractor:schema_version"] == SCHEMA_VERSION
    columns = meta["tables"][0]["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == schema.names
    assert {c["name"]: c["datatype"] for c in columns}["low"] == "double"
    assert all(c["dc:description"] for c in columns)


def test_duckdb_holds_three_tables_a_view_and_the_metadata(seed_out: Path) -> None:
    assert main(["export", str(seed_out), "--format", "duckdb"]) == 0
    con = duckdb.connect(str(seed_out / "extractor.duckdb"), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM figures ORDER BY rowid")
        names = [d[0] for d in cursor.description]
        _assert_figures_equal([dict(zip(names, row, strict=True)) for row in cursor.fetchall()], seed_out)
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'figures'").fetchall())
        assert types["low"] == "DOUBLE" and types["period_start"] == "DATE" and types["start"] == "BIGINT"
        n_outcomes, n_articles = (con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                                  for t in ("outcomes", "articles"))
        assert (n_outcomes, n_articles) == (len(read_jsonl(seed_out / "outcomes.jsonl")), 5)
        joined = con.execute(f"SELECT count(*), count(article_title) FROM {export.JOINED_VIEW}").fetchone()
        assert joined == (len(_expected_figures(seed_out)),) * 2
        meta = dict(con.execute(f"SELECT key, value FROM {export.METADATA_TABLE}").fetchall())
        assert meta["schema_version"] == SCHEMA_VERSION
        comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'figures' "
                              "AND column_name = 'value'").fetchone()[0]
        assert "normalised" in comment
        # what the README shows
        by_province = con.execute(
            "SELECT location_province, location_province_code, year(period_start), sum(value) FROM figures "
            "WHERE metric = 'blood_units' AND status = 'actual' AND location_province IS NOT NULL "
            "AND parent_id IS NULL GROUP BY ALL ORDER BY 4 DESC").fetchall()
        assert by_province[0] == ("Hà Nội", "01", 2023, 1635000.0)
        assert ("Hưng Yên", "33", 2024, 1265.0) in by_province  # the total, not its drives counted again
    finally:
        con.close()


def test_a_new_run_replaces_an_export_inside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["run", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    for fmt in export.FORMATS:
        assert main(["export", str(out), "--format", fmt]) == 0
    assert main(["run", str(SEEDS), "--out", str(out), "--no-progress"]) == 0  # not refused as foreign files
    assert not (out / "figures.parquet").exists()  # an export of the old run no longer describes the folder


def test_export_to_another_folder(seed_out: Path, tmp_path: Path) -> None:
    dest = tmp_path / "tables"
    assert main(["export", str(seed_out), "--format", "parquet", "--to", str(dest)]) == 0
    assert sorted(p.name for p in dest.iterdir()) == ["articles.parquet", "figures.parquet", "outcomes.parquet"]


BROKEN = [
    ("truncated line", lambda out: _truncate(out / "outcomes.jsonl"), "outcomes.jsonl line"),
    ("a record of another shape", lambda out: _rewrite_first(out / "outcomes.jsonl", {"metrics": "none"}),
     "line 1"),
    ("an older version's record", lambda out: _rewrite_first(out / "articles.jsonl", {"schema_version": None}),
     "older version"),
    ("a figure's value is text", lambda out: _rewrite_first(out / "outcomes.jsonl", {"metrics": [
        {"metric": "growth_pct", "value": "10", "qualifier": "exact", "text": "10%", "start": 1, "end": 4}]}),
     "outcomes.jsonl line 1: a field of the wrong type"),
    ("a field missing", lambda out: _rewrite_first(out / "outcomes.jsonl", {"evidence": {}}),
     "outcomes.jsonl line 1: not a record `extract run` writes (KeyError"),
    ("null where a value is needed", lambda out: _rewrite_first(out / "articles.jsonl", {"lang": None}),
     "articles.jsonl line 1: null where the articles table's lang needs a value"),
    ("files of two runs", lambda out: _drop_last(out / "outcomes.jsonl"), "mixes files of two runs"),
    ("no outcomes.jsonl", lambda out: (out / "outcomes.jsonl").unlink(), "missing"),
]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])


def _drop_last(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")


def _rewrite_first(path: Path, change: dict[str, Any]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[0]) | change
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n" + "".join(lines[1:]), encoding="utf-8")


@pytest.mark.parametrize(("case", "damage", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_folder_is_named_and_the_old_export_kept(case: str, damage: Any, message: str, seed_out: Path,
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    assert main(["export", str(out), "--format", "parquet"]) == 0
    before = (out / "figures.parquet").read_bytes()
    damage(out)
    capsys.readouterr()
    assert main(["export", str(out), "--format", "parquet"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert (out / "figures.parquet").read_bytes() == before


def test_a_write_that_fails_leaves_the_old_file_and_no_temp_file(seed_out: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    assert main(["export", str(out), "--format", "duckdb"]) == 0
    before = (out / "extractor.duckdb").read_bytes()
    real_connect = duckdb.connect

    def failing_connect(path: str) -> Any:
        con = real_connect(path)
        con.execute("CREATE TABLE half_written (x INTEGER)")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(duckdb, "connect", failing_connect)
    assert main(["export", str(out), "--format", "duckdb"]) == 2
    assert (out / "extractor.duckdb").read_bytes() == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_the_readme_query_runs_on_the_export(seed_out: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    query = readme.split("-- duckdb out/extractor.duckdb\n", 1)[1].split("```", 1)[0]
    assert main(["export", str(seed_out), "--format", "duckdb"]) == 0
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    con = duckdb.connect(str(seed_out / "extractor.duckdb"), read_only=True)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    assert rows[0] == ("Hà Nội", "01", 2023, 1635000.0, 1)
    assert ("Hưng Yên", "33", 2024, 1265.0, 1) in rows
    # the same query over the Parquet file, as the README says
    parquet = duckdb.connect().execute(query.replace("FROM figures", f"FROM '{seed_out / 'figures.parquet'}'"))
    assert parquet.fetchall() == rows


def test_the_readme_pandas_load(seed_out: Path) -> None:
    pd = pytest.importorskip("pandas")  # not a dependency: the researcher's own
    assert main(["export", str(seed_out), "--format", "parquet"]) == 0
    figures = pd.read_parquet(seed_out / "figures.parquet")
    assert figures["low"].dtype == "float64" and len(figures) == len(_expected_figures(seed_out))


def test_validate_checks_every_record_against_its_schema(seed_out: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    lines = (out / "outcomes.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[0])
    record["metrics"][0]["qualifier"] = "roughly"  # a string the tables take, but no qualifier
    (out / "outcomes.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n" + "".join(lines[1:]),
                                        encoding="utf-8")
    assert main(["export", str(out), "--format", "parquet"]) == 0
    capsys.readouterr()
    assert main(["export", str(out), "--format", "parquet", "--validate"]) == 2
    assert "outcomes.jsonl line 1: metrics/0/qualifier: 'roughly' is not one of" in capsys.readouterr().err


def test_a_failure_half_way_leaves_every_old_file(seed_out: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures table is written, the outcomes table fails: neither old file is replaced."""
    out = tmp_path / "out"
    shutil.copytree(seed_out, out)
    assert main(["export", str(out), "--format", "parquet"]) == 0
    before = {t: (out / f"{t}.parquet").read_bytes() for t in export.TABLES}
    real_write = pq.write_table

    def write_then_fail(table: pa.Table, where: Any, **kwargs: Any) -> None:
        if table.schema.metadata[b"table"] == b"outcomes":
            raise OSError(28, "No space left on device")
        real_write(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    assert main(["export", str(out), "--format", "parquet"]) == 2
    assert {t: (out / f"{t}.parquet").read_bytes() for t in export.TABLES} == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_run_without_outcomes_exports_empty_tables_of_the_same_types(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notice.txt").write_text("Thông báo lịch tiếp công dân tháng 5 của Sở Y tế tỉnh Bắc Ninh.\n",
                                       encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(corpus), "--out", str(out), "--no-progress"]) == 0
    for fmt in export.FORMATS:
        assert main(["export", str(out), "--format", fmt]) == 0
    figures = pq.read_table(out / "figures.parquet")
    assert figures.num_rows == 0 and figures.schema.field("value").type == pa.float64()
    assert pq.read_table(out / "articles.parquet").column("outcomes").to_pylist() == [0]
    con = duckdb.connect(str(out / "extractor.duckdb"), read_only=True)
    try:
        assert con.execute(f"SELECT count(*) FROM {export.JOINED_VIEW}").fetchone() == (0,)
    finally:
        con.close()
