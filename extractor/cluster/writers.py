"""Cluster writers: the records of each task as JSONL (`<kind>s/<rank>.jsonl`, the lines `extract run`
writes) and as Parquet (`<kind>s/<rank>.parquet`), where a column is a top-level field of the record
schema: scalars typed, nested objects and lists as JSON text (DuckDB: `metrics::JSON`)."""

from __future__ import annotations

import json
from functools import cache
from typing import IO, Any

from datatrove.data import Document
from datatrove.pipeline.writers.disk_base import DiskWriter
from datatrove.pipeline.writers.parquet import ParquetWriter

KINDS = ("article", "outcome", "error")
_SCHEMAS = {"article": "articles", "outcome": "outcomes"}
_ERROR_FIELDS = ("path", "id", "level", "reason")


class RecordJsonlWriter(DiskWriter):
    """Every record of the task into `articles/`, `outcomes/`, `errors/` JSONL files, line for line as
    `extract run` writes them (datatrove's JsonlWriter would re-encode them with orjson)."""

    name = "🩸 records JSONL"
    default_output_filename = "${kind}s/${rank}.jsonl"

    def __init__(self, output_folder: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compression", None)
        super().__init__(output_folder, adapter=_line_adapter, mode="wb", **kwargs)

    def _get_output_filename(self, document: Document, rank: int | str = 0, **kwargs: Any) -> str:
        return self.output_filename.substitute({"rank": str(rank).zfill(5), "kind": document.metadata["kind"]})

    def _write(self, document: dict, file_handler: IO, _filename: str) -> None:
        file_handler.write(document["line"].encode("utf-8"))


def _line_adapter(self: Any, document: Document) -> dict:
    return {"line": document.metadata["line"]}


class RecordParquetWriter(ParquetWriter):
    """The records of one kind into `<kind>s/<rank>.parquet`, with a fixed schema (from the record's
    JSON Schema), so every shard of a job has the same columns."""

    name = "🩸 records Parquet"

    def __init__(self, output_folder: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("output_filename", f"{kind}s/${{rank}}.parquet")
        kwargs.setdefault("max_file_size", -1)
        super().__init__(output_folder, adapter=_row_adapter, schema=arrow_schema(kind), **kwargs)

    def _get_output_filename(self, document: Document, rank: int | str = 0, **kwargs: Any) -> str:
        return self.output_filename.substitute({"rank": str(rank).zfill(5)})

    def write(self, document: Document, rank: int = 0, **kwargs: Any) -> None:
        if document.metadata["kind"] == self.kind:
            super().write(document, rank, **kwargs)


def _row_adapter(self: Any, document: Document) -> dict:
    return record_row(self.kind, document.metadata["record"])


@cache
def columns(kind: str) -> tuple[tuple[str, str], ...]:
    """(field, arrow type name) for every top-level field; 'json' for nested values."""
    if kind == "error":
        return tuple((name, "string") for name in _ERROR_FIELDS)
    from extractor.schemas import load_schema

    schema = load_schema(_SCHEMAS[kind])
    out = []
    for name, spec in schema["properties"].items():
        types = spec.get("type", "string")
        types = {types} if isinstance(types, str) else set(types)
        types.discard("null")
        scalar = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}
        out.append((name, scalar[next(iter(types))] if len(types) == 1 and next(iter(types)) in scalar else "json"))
    return (*out, ("extra", "json"))  # fields a newer record holds that the schema does not name


def arrow_schema(kind: str) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
             "json": pa.string()}
    return pa.schema([(name, types[kind_]) for name, kind_ in columns(kind)])


def record_row(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    named = set()
    for name, type_ in columns(kind):
        named.add(name)
        if name == "extra":
            continue
        value = record.get(name)
        row[name] = json.dumps(value, ensure_ascii=False) if type_ == "json" and value is not None else value
    extra = {k: v for k, v in record.items() if k not in named}
    row["extra"] = json.dumps(extra, ensure_ascii=False) if extra else None
    return row
