"""The same extraction as `extract run`, as a datatrove pipeline: for archives too big for one machine.

    readers   CC-NEWS WARC files (fastwarc; each record keeps its WARC record id, target URI, date, file
              and offset) and JSONL bundles, local or on object storage (fsspec URLs: s3://, gs://, hf://)
    steps     a pre-filter on language and topic (patterns/<lang>/topic.yaml), then `process_article`,
              the local run's own per-article function (`extractor.results.article_lines`)
    writers   articles / outcomes / errors records as JSONL (the very lines `extract run` writes) and as
              Parquet shards, one file per task
    merge     the shards of a finished job into one output folder that `extract check` reads

`pipeline.build_pipeline` assembles them; any datatrove executor runs the list: `LocalPipelineExecutor`,
`SlurmPipelineExecutor`, `RayPipelineExecutor` (README: "Cluster runs"). A finished task leaves a
completion marker in the executor's logging folder, so a rerun of the same job does only what is left.
(`extractor.cluster.merge` needs no datatrove.)
"""
