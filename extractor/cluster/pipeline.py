"""The cluster job as a list of datatrove steps, for any executor."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from extractor.cluster.readers import JsonlArticleReader, WarcArticleReader
from extractor.cluster.steps import ArticleFilter, ExtractRecords
from extractor.cluster.writers import RecordJsonlWriter, RecordParquetWriter


def build_pipeline(output: Any, warc: Any = None, jsonl: Any = None, langs: Iterable[str] | None = None,
                   topic: bool = True, parquet: bool = True, keep_text: bool = True,
                   warc_glob: str = "**/*.warc*", jsonl_glob: str = "**/*.jsonl") -> list[Any]:
    """Read WARC files under `warc` and JSONL bundles under `jsonl` (folders, local or fsspec URLs such
    as "s3://bucket/crawl/"), keep articles in `langs` about blood donation (`topic`), extract them and
    write their records under `output` (`articles/`, `outcomes/`, `errors/`: JSONL, and Parquet unless
    `parquet` is False). Each task reads its share of the files."""
    if warc is None and jsonl is None:
        raise ValueError("nothing to read: give warc=, jsonl= or both")
    output, warc, jsonl = (os.fspath(x) if isinstance(x, os.PathLike) else x for x in (output, warc, jsonl))
    steps: list[Any] = []
    if warc is not None:
        steps.append(WarcArticleReader(warc, glob_pattern=warc_glob))
    if jsonl is not None:
        steps.append(JsonlArticleReader(jsonl, glob_pattern=jsonl_glob))
    steps += [ArticleFilter(langs, topic=topic), ExtractRecords(keep_text=keep_text), RecordJsonlWriter(output)]
    if parquet:
        steps += [RecordParquetWriter(output, kind) for kind in ("article", "outcome", "error")]
    return steps
