"""The datatrove job (issue 15): over WARC files and a JSONL bundle made here, with datatrove's local
executor and 2 tasks, it writes the records `extract run` writes for the same articles, keeps each WARC
record's provenance, drops what the pre-filter refuses, and its merged shards pass `extract check`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import jsonschema
import pytest

pytest.importorskip("datatrove")
pytest.importorskip("fastwarc")
warcio = pytest.importorskip("warcio")
pq = pytest.importorskip("pyarrow.parquet")

from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

from extractor.cli import main  # noqa: E402
from extractor.cluster.merge import merge_shards  # noqa: E402
from extractor.cluster.pipeline import build_pipeline  # noqa: E402
from extractor.output import read_jsonl  # noqa: E402
from extractor.schemas import load_schema  # noqa: E402


def _page(title: str, body: str, charset: str = "utf-8") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f"<html><head><meta charset='{charset}'><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{paragraphs}</article><div class='related'>Tin liên quan</div></body></html>").encode(charset)


# (target URI, page bytes, HTTP content type): two WARC files, the first gzipped
WARC_FILES: dict[str, list[tuple[str, bytes, str]]] = {
    "crawl-a.warc.gz": [
        ("https://baomoi.example.vn/hien-mau-me-linh.html",
         _page("Hiến máu tại Mê Linh", "Ngày 9/4/2024, huyện Mê Linh tiếp nhận 320 đơn vị máu của người hiến máu "
                                       "tình nguyện.\nChương trình thu hút hơn 400 người đăng ký hiến máu."),
         "text/html; charset=utf-8"),
        ("https://baomoi.example.vn/logo.png", b"\x89PNG\r\n\x1a\n", "image/png"),
        ("https://news.example.cn/xianxue.html",
         _page("南京市开展无偿献血活动", "2024年3月5日，南京市鼓楼区共有320人参加无偿献血，献血量达9.6万毫升。",
               "gb18030"),
         "text/html"),
    ],
    "crawl-b.warc": [
        ("https://baomoi.example.vn/bong-da.html",
         _page("Bóng đá: Hà Nội thắng 2-0",
               "Tối 9/4/2024, đội Hà Nội thắng 2-0 trước 12.000 khán giả tại sân Hàng Đẫy."),
         "text/html; charset=utf-8"),
        ("https://baomoi.example.vn/chu-nhat-do.html",
         _page("Chủ nhật Đỏ tại Đà Nẵng", "Sáng 12/1/2025, tại Cung Thể thao Tiên Sơn, hơn 1.000 người tham gia, "
                                         "tiếp nhận 912 đơn vị máu."),
         "text/html; charset=utf-8"),
    ],
}
JSONL_RECORDS = [
    {"id": "jl-1", "text": "郑州市献血\n\n2023年全年，郑州市共有12.6万人次参加无偿献血，采血量达41.2吨。",
     "published": "2024-01-05", "url": "https://example.cn/zz"},
    {"id": "jl-2", "text": "Hà Nam: Tuần lễ hồng\n\nTuần lễ hồng năm 2024, tỉnh Hà Nam tiếp nhận 2.150 đơn vị máu.",
     "published": "2024-05-20"},
]


def _write_warcs(folder: Path) -> list[dict[str, Any]]:
    """The WARC files; returns, per HTML record, the JSONL line `extract run` reads as the same article."""
    folder.mkdir(parents=True)
    same: list[dict[str, Any]] = []
    for name, records in WARC_FILES.items():
        with open(folder / name, "wb") as f:
            writer = WARCWriter(f, gzip=name.endswith(".gz"))
            for uri, payload, content_type in records:
                http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
                record = writer.create_warc_record(uri, "response", payload=BytesIO(payload), http_headers=http,
                                                   warc_headers_dict={"WARC-Date": "2025-01-13T02:00:00Z"})
                writer.write_record(record)
                if content_type.startswith("text/html"):
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    charset = "gb18030" if "gb18030" in payload.decode("ascii", "ignore") else "utf-8"
                    same.append({"id": record_id.strip("<>").removeprefix("urn:uuid:"),
                                 "html": payload.decode(charset), "url": uri, "fetched_at": "2025-01-13T02:00:00Z",
                                 "_record_id": record_id, "_file": name})
    return same


def _without(record: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in keys}


@pytest.fixture(scope="module")
def job(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("cluster")
    same = _write_warcs(root / "warc")
    (root / "jsonl").mkdir()
    (root / "jsonl" / "bundle.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in JSONL_RECORDS) + "\n", encoding="utf-8")
    executor = LocalPipelineExecutor(
        pipeline=build_pipeline(root / "shards", warc=str(root / "warc"), jsonl=str(root / "jsonl")),
        tasks=2, workers=1, logging_dir=str(root / "logs"))
    executor.run()
    # the same articles for `extract run`: the WARC pages as a JSONL bundle of their HTML, and the bundle itself
    local_in = root / "local-in"
    local_in.mkdir()
    (local_in / "pages.jsonl").write_text("\n".join(json.dumps(_without(r, "_record_id", "_file"), ensure_ascii=False)
                                                    for r in same) + "\n", encoding="utf-8")
    (local_in / "bundle.jsonl").write_text((root / "jsonl" / "bundle.jsonl").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    assert main(["run", str(local_in), "--out", str(root / "local"), "--no-progress", "--workers", "1"]) == 0
    return {"root": root, "same": same}


def _by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


def _shard_records(root: Path, kind: str) -> list[dict[str, Any]]:
    return [r for path in sorted((root / "shards" / kind).glob("*.jsonl")) for r in read_jsonl(path)]


def test_both_tasks_ran_and_left_completion_markers(job: dict[str, Any]) -> None:
    root = job["root"]
    assert sorted(p.name for p in (root / "logs" / "completions").iterdir()) == ["00000", "00001"]
    assert len(list((root / "shards" / "articles").glob("*.jsonl"))) == 2  # each task wrote its own shard


def test_the_job_writes_the_local_run_s_records(job: dict[str, Any]) -> None:
    root = job["root"]
    local_articles = _by_id(read_jsonl(root / "local" / "articles.jsonl"))
    cluster_articles = _by_id(_shard_records(root, "articles"))
    football = next(r["id"] for r in job["same"] if "bong-da" in r["url"])
    del local_articles[football]  # the pre-filter's refusal: not about blood donation
    assert set(cluster_articles) == set(local_articles) and len(cluster_articles) == 5
    for article_id, local in local_articles.items():
        ours = cluster_articles[article_id]
        # a page's bytes in the WARC have their own codec; `extract run` read the same page decoded, from JSONL
        assert _without(ours, "path", "provenance", "encoding") == _without(local, "path", "encoding")
        assert ours["encoding"] == ("gb18030" if "news.example.cn" in (ours["url"] or "") else local["encoding"])
    local_outcomes = [o for o in read_jsonl(root / "local" / "outcomes.jsonl") if o["article_id"] != football]
    assert sorted(_shard_records(root, "outcomes"), key=lambda o: o["id"]) == sorted(local_outcomes,
                                                                                     key=lambda o: o["id"])
    assert local_outcomes


def test_a_warc_article_keeps_its_record_s_provenance(job: dict[str, Any]) -> None:
    root = job["root"]
    cluster_articles = _by_id(_shard_records(root, "articles"))
    for name, kind in (("articles", "articles"), ("outcomes", "outcomes")):
        schema = load_schema(name)
        for record in _shard_records(root, kind):
            jsonschema.validate(record, schema)
    for page in job["same"]:
        if "bong-da" in page["url"]:
            assert page["id"] not in cluster_articles
            continue
        provenance = cluster_articles[page["id"]]["provenance"]
        assert provenance["warc_record_id"] == page["_record_id"] and provenance["warc_target_uri"] == page["url"]
        assert provenance["warc_date"] == "2025-01-13T02:00:00Z" and provenance["warc_file"].endswith(page["_file"])
        with open(provenance["warc_file"], "rb") as f:  # the offset is where the record starts
            f.seek(provenance["warc_offset"])
            record = next(iter(warcio.ArchiveIterator(f)))
            assert record.rec_headers.get_header("WARC-Record-ID") == page["_record_id"]


def test_the_parquet_shards_hold_the_same_records(job: dict[str, Any]) -> None:
    root = job["root"]
    rows = [row for path in sorted((root / "shards" / "outcomes").glob("*.parquet"))
            for row in pq.read_table(path).to_pylist()]
    jsonl = _by_id(_shard_records(root, "outcomes"))
    assert len(rows) == len(jsonl)
    for row in rows:
        record = jsonl[row["id"]]
        assert row["status"] == record["status"] and json.loads(row["metrics"]) == record["metrics"]
        assert json.loads(row["period"]) == record["period"] and row["partial"] == record["partial"]
    articles = [row for path in sorted((root / "shards" / "articles").glob("*.parquet"))
                for row in pq.read_table(path).to_pylist()]
    warc = [json.loads(a["provenance"]) for a in articles if a["provenance"]]
    assert len(warc) == 3 and all(p["warc_offset"] >= 0 for p in warc)
    assert all(a["extra"] is None for a in articles)  # every field has its column


def test_the_merged_shards_pass_extract_check(job: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    root = job["root"]
    counts = merge_shards(root / "shards", root / "merged")
    assert counts["articles"] == 5 and counts["outcomes"] == len(_shard_records(root, "outcomes"))
    assert main(["check", str(root / "merged")]) == 0
    assert main(["merge", str(root / "shards"), "--out", str(root / "merged-cli")]) == 0
    assert (root / "merged-cli" / "outcomes.jsonl").read_bytes() == (root / "merged" / "outcomes.jsonl").read_bytes()
    assert "checks on 5 articles" in capsys.readouterr().out
    assert main(["export", str(root / "merged"), "--format", "parquet"]) == 0  # and export them
    written = [Path(p) for p in capsys.readouterr().out.split()]
    outcomes = next(p for p in written if p.name == "outcomes.parquet")
    lines = (root / "merged" / "outcomes.jsonl").read_text(encoding="utf-8").splitlines()
    assert pq.read_table(outcomes).num_rows == len(lines) > 0


@pytest.mark.skipif(not __import__("importlib").util.find_spec("ray"), reason="ray is not installed (extra: ray)")
def test_the_same_job_on_a_local_ray_cluster(job: dict[str, Any], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """RayPipelineExecutor on ray.init(num_cpus=2): the records of the local executor's run."""
    import ray
    from datatrove.executor.ray import RayPipelineExecutor

    root = job["root"]
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # datatrove's Ray workers log to $TMPDIR/ray_logs
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}  # ray.init sets its own
    # Ray's sockets need short paths (107 bytes): its session folder goes in a short temporary folder
    session = tempfile.mkdtemp(prefix="ray-", dir="/tmp" if os.path.isdir("/tmp") else None)
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _temp_dir=session,
                 configure_logging=False)
        RayPipelineExecutor(pipeline=build_pipeline(tmp_path / "shards", warc=str(root / "warc"),
                                                    jsonl=str(root / "jsonl"), parquet=False),
                            tasks=2, cpus_per_task=1, mem_per_cpu_gb=0.5, logging_dir=str(tmp_path / "logs")).run()
    finally:
        ray.shutdown()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        shutil.rmtree(session, ignore_errors=True)
    for kind in ("articles", "outcomes", "errors"):
        ours = [r for p in sorted((tmp_path / "shards" / kind).glob("*.jsonl")) for r in read_jsonl(p)]
        assert sorted(map(json.dumps, ours)) == sorted(map(json.dumps, _shard_records(root, kind))), kind
