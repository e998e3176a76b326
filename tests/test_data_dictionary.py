"""The data dictionary: every field of every record schema described, real ids and one version, the
records carrying that version, and docs/DATA.md generated from the schemas as they are now."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extractor import export
from extractor.datadict import RECORD_SCHEMAS, iter_fields, main, render, undescribed
from extractor.schemas import SCHEMA_BASE, SCHEMA_VERSION, load_schema

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "extractor" / "schemas"


def test_every_record_schema_is_in_the_dictionary() -> None:
    shipped = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
    assert shipped == sorted(RECORD_SCHEMAS)


@pytest.mark.parametrize("name", RECORD_SCHEMAS)
def test_every_property_has_a_description(name: str) -> None:
    schema = load_schema(name)
    assert schema.get("description") or schema.get("title")
    assert undescribed(schema) == [], f"{name}.schema.json: properties without a description"


@pytest.mark.parametrize("name", RECORD_SCHEMAS)
def test_schemas_have_a_real_id_and_the_version(name: str) -> None:
    schema = load_schema(name)
    assert schema["$id"] == f"{SCHEMA_BASE}{name}.json"
    assert schema["version"] == SCHEMA_VERSION


@pytest.mark.parametrize("name", ["articles", "outcomes", "run"])
def test_records_must_carry_the_schema_version(name: str) -> None:
    schema = load_schema(name)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert "schema_version" in schema["required"]


# the walker itself: a property without a description anywhere is found, however deep
WALKED: list[tuple[dict[str, Any], list[str]]] = [
    ({"properties": {"a": {"type": "string", "description": "A."}}}, []),
    ({"properties": {"a": {"type": "string"}}}, ["a"]),
    ({"properties": {"a": {"type": "string", "description": "  "}}}, ["a"]),
    ({"properties": {"loc": {"type": "object", "description": "Where.",
                             "properties": {"codes": {"type": "object", "description": "Codes.",
                                                      "properties": {"ward": {"type": "string"}}}}}}},
     ["loc.codes.ward"]),
    ({"properties": {"metrics": {"type": "array", "description": "Figures.",
                                 "items": {"type": "object", "properties": {"value": {"type": "number"}}}}}},
     ["metrics[].value"]),
]


@pytest.mark.parametrize(("schema", "missing"), WALKED)
def test_the_walk_finds_every_undescribed_property(schema: dict[str, Any], missing: list[str]) -> None:
    assert undescribed(schema) == missing


def test_the_walk_reaches_the_nested_fields_of_the_outcomes() -> None:
    paths = {f.path for f in iter_fields(load_schema("outcomes"))}
    assert {"location.codes.adcode", "metrics[].low", "period.source.role"} <= paths
    assert len(paths) > 50


@pytest.mark.parametrize("table", export.TABLES)
def test_the_arrow_schema_is_the_table_schema(table: str) -> None:
    schema = load_schema(f"{table}_table")
    arrow = export.arrow_schema(table)
    assert arrow.names == list(schema["properties"])
    assert all(arrow.field(n).metadata[b"description"].decode() == p["description"]
               for n, p in schema["properties"].items())


def test_the_committed_data_dictionary_is_current() -> None:
    assert (REPO / "docs" / "DATA.md").read_text(encoding="utf-8") == render(), (
        "docs/DATA.md is out of date: python -m extractor.datadict --write docs/DATA.md")


def test_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "DATA.md"
    stale.write_text(render().replace("Record format version", "Format version"), encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert main(["--write", str(stale)]) == 0
    assert main(["--check", str(stale)]) == 0


def test_the_dictionary_describes_every_field_of_every_schema() -> None:
    text = render()
    for name in RECORD_SCHEMAS:
        for f in iter_fields(load_schema(name)):
            assert f"| `{f.path}` |" in text, (name, f.path)


def test_shipped_schemas_are_valid_json_schemas() -> None:
    import jsonschema

    for name in RECORD_SCHEMAS:
        jsonschema.Draft202012Validator.check_schema(json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text()))


@pytest.mark.parametrize("name", ["figures_table", "outcomes_table", "articles_table", "gold"])
def test_table_and_gold_schemas_list_the_registered_languages(name: str) -> None:
    from extractor.lang import codes

    assert set(load_schema(name)["properties"]["lang"]["enum"]) == set(codes())


def test_table_and_gold_schemas_list_the_metrics_and_countries() -> None:
    from extractor.lang import packs
    from extractor.metrics import METRIC_NAMES

    assert set(load_schema("figures_table")["properties"]["metric"]["enum"]) == set(METRIC_NAMES)
    assert set(load_schema("gold")["properties"]["facts"]["items"]["properties"]["metric"]["enum"]) == set(METRIC_NAMES)
    countries = set(load_schema("figures_table")["properties"]["location_country"]["enum"])
    assert countries == {p.country for p in packs()} | {None}


def test_a_run_writes_a_manifest_and_errors_of_the_shipped_schemas(tmp_path: Path) -> None:
    import jsonschema

    from extractor.cli import main as extract
    from extractor.output import read_jsonl

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Ngày 12/3/2024, Tỉnh đoàn Bắc Ninh tổ chức ngày hội hiến máu, tiếp nhận 410 đơn vị "
                                  "máu.\n", encoding="utf-8")
    (corpus / "b.meta.json").write_text('{"published": "2024-02-30"}', encoding="utf-8")
    (corpus / "b.txt").write_text("2024年3月5日，漯河市中心血站在源汇区开展无偿献血活动，"
                                  "共有156人成功献血，献血量达5万毫升。\n", encoding="utf-8")
    (corpus / "c.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    assert extract(["run", str(corpus), "--out", str(out), "--no-progress"]) == 1  # the .pdf is an error
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    jsonschema.validate(run, load_schema("run"))
    assert run["schema_version"] == SCHEMA_VERSION
    assert run["command"][:3] == ["extract", "run", str(corpus)] and len(run["patterns_sha256"]) == 64
    errors = read_jsonl(out / "errors.jsonl")
    assert {e["level"] for e in errors} == {"error", "warning"}
    for record in errors:
        jsonschema.validate(record, load_schema("errors"))
    for name in ("articles", "outcomes"):
        for record in read_jsonl(out / f"{name}.jsonl"):
            assert record["schema_version"] == SCHEMA_VERSION
            jsonschema.validate(record, load_schema(name))
