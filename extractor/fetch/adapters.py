"""Outlet adapters: CSS selectors for the article and listing pages of known outlets.

The table is data, patterns/outlets.yaml, loaded and looked up by extractor.html.selectors, so the
crawler and the HTML reader share one table (an `Adapter` is an `Outlet` of that table). An adapter
is chosen by host (suffix match, so `m.nhandan.vn` uses nhandan's), by a CMS article path, or by
name (`--outlet`), e.g. for a mirror or the test server. Any other page goes through the generic
heuristics of extractor.html, which the selectors only sharpen: a selector that finds nothing
falls back to the heuristics.

This module imports extractor.html, never the reverse.
"""

from __future__ import annotations

from extractor.html.selectors import ArticleSelectors, Outlet, outlet_by_name, outlet_for, outlets

__all__ = ["ADAPTERS", "Adapter", "ArticleSelectors", "adapter_by_name", "adapter_for", "article_selectors"]

Adapter = Outlet

ADAPTERS: tuple[Adapter, ...] = outlets()


def adapter_by_name(name: str) -> Adapter:
    """The adapter called `name`; KeyError naming the known outlets otherwise."""
    return outlet_by_name(name)


def adapter_for(url: str) -> Adapter | None:
    """The adapter of `url`'s host, else of a CMS whose article path it has, else None."""
    return outlet_for(url)


def article_selectors(url: str) -> ArticleSelectors | None:
    adapter = adapter_for(url)
    return adapter.article if adapter else None
