"""JSON Schemas of the output records, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# The version of the record formats (articles, outcomes, run.json, the export tables): every record carries
# it as `schema_version`, every schema names it; a change a reader must know of raises it (semver).
SCHEMA_VERSION = "1.0.0"
SCHEMA_BASE = "https://github.com/extractor-project/extractor/schemas/"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """`load_schema("outcomes")` or `load_schema("articles")`."""
    with resources.files(__package__).joinpath(f"{name}.schema.json").open(encoding="utf-8") as f:
        return json.load(f)
