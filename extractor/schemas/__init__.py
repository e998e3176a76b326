"""JSON Schemas of the output records, shipped with the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_schema(name: str) -> dict[str, Any]:
    """`load_schema("outcomes")` or `load_schema("articles")`."""
    with resources.files(__package__).joinpath(f"{name}.schema.json").open(encoding="utf-8") as f:
        return json.load(f)
