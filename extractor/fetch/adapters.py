"""Outlet adapters: CSS selectors for the article and listing pages of known outlets.

An adapter is chosen by host (suffix match, so `m.nhandan.vn` uses nhandan's) or by name
(`--outlet`), e.g. for a mirror or the test server. Any other page goes through the generic
heuristics of extractor.html, which the selectors only sharpen: a selector that finds nothing
falls back to the heuristics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from extractor.html import ArticleSelectors

__all__ = ["ADAPTERS", "Adapter", "adapter_by_name", "adapter_for", "article_selectors"]


@dataclass(frozen=True)
class Adapter:
    name: str
    hosts: tuple[str, ...]
    lang: str
    article: ArticleSelectors
    links: str | None = None  # article links on a listing/tag page
    next_page: str | None = None  # pagination link on a listing page
    path_pattern: str | None = None  # matches article URLs of a CMS used by many sites
    extra: dict[str, str] = field(default_factory=dict)


ADAPTERS: tuple[Adapter, ...] = (
    Adapter(
        name="phunuthudo",
        hosts=("phunuthudo.vn",),
        lang="vi",
        article=ArticleSelectors(body=".detail-content", title="h1.detail-title", sapo=".detail-sapo",
                                 date=".detail-time", author=".detail-author",
                                 drop=(".detail-related", ".box-comment"), source="Phụ nữ Thủ đô"),
        links=".story h3.story__title a, .story a.story__link",
        next_page=".pagination a.next, a[rel=next]",
    ),
    Adapter(
        name="laodongthudo",
        hosts=("laodongthudo.vn",),
        lang="vi",
        article=ArticleSelectors(body="#content-detail, .content-detail", title="h1.title-detail",
                                 sapo=".sapo", date=".date-detail", author=".author-detail",
                                 drop=(".tinlienquan-inline", ".box-relate-inline", ".box-comment"),
                                 source="Lao Động Thủ Đô"),
        links=".list-news .item h3 a, .list-news .item a.title",
        next_page=".paging a.next, a[rel=next]",
    ),
    Adapter(
        name="nhandan",
        hosts=("nhandan.vn",),
        lang="vi",
        article=ArticleSelectors(body=".article__body", title="h1.article__title", sapo=".article__sapo",
                                 date=".article__meta time, .article__meta .time",
                                 author=".article__author", drop=(".article__related", ".box-related"),
                                 source="Báo Nhân Dân"),
        links="article.story h3.story__heading a, .timeline .story__heading a",
        next_page=".pagination a.next, a[rel=next]",
    ),
    Adapter(
        # Provincial portals (Liferay-based *.gov.vn), e.g. Hưng Yên's.
        name="hungyen",
        hosts=("hungyen.gov.vn",),
        lang="vi",
        article=ArticleSelectors(body=".journal-content-article", title=".news-detail .title-news",
                                 sapo=".news-detail .summary", date=".news-detail .date-news",
                                 author=".news-detail .author-news",
                                 source="Cổng thông tin điện tử tỉnh Hưng Yên"),
        links=".list-news .title-news a",
        next_page=".lfr-pagination-buttons a.next, a[rel=next]",
    ),
    Adapter(
        name="jkb",
        hosts=("jkb.com.cn",),
        lang="zh",
        article=ArticleSelectors(body=".article-content", title=".article-title h1",
                                 date=".article-info .time",
                                 author=".article-info .author", drop=(".xgxw", ".article-share"),
                                 source="健康报网"),
        links=".news-list li a.title, .news-list h3 a",
        next_page=".page a.next, a[rel=next]",
    ),
    Adapter(
        # Provincial health commissions run TRS WCM: body in .TRS_Editor, metadata in <meta name=...>.
        name="henan-wsjkw",
        hosts=("wsjkw.henan.gov.cn",),
        lang="zh",
        article=ArticleSelectors(body=".TRS_Editor", title=".article h1, .content-title",
                                 date=".article .time, .fbrq", source="河南省卫生健康委员会"),
        links=".list li a, .news-list li a",
        next_page="a.next, a[rel=next]",
        path_pattern=r"/t20\d{6}_\d+\.s?html?$",
    ),
    Adapter(
        # City dailies' e-paper editions (Founder layout): /html/2023-12/21/content_123.htm
        name="founder-epaper",
        hosts=("epaper.lhrb.com.cn", "gzdaily.dayoo.com"),
        lang="zh",
        article=ArticleSelectors(body="founder-content, #ozoom", title=".article-title, td.title, h1",
                                 date=".article-date", author=".article-author"),
        links="#main-ed-articlenav-list a, .news-list a",
        next_page="a.next, a[rel=next]",
        path_pattern=r"/html/20\d{2}-\d{2}/\d{2}/content_\d+\.htm$",
    ),
)


def adapter_by_name(name: str) -> Adapter:
    for adapter in ADAPTERS:
        if adapter.name == name:
            return adapter
    known = ", ".join(a.name for a in ADAPTERS)
    raise KeyError(f"unknown outlet {name!r} (known: {known})")


def adapter_for(url: str) -> Adapter | None:
    """The adapter of `url`'s host, else of a CMS whose article path it has, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for adapter in ADAPTERS:
        if any(host == h or host.endswith("." + h) for h in adapter.hosts):
            return adapter
    for adapter in ADAPTERS:
        if adapter.path_pattern and re.search(adapter.path_pattern, parts.path):
            return adapter
    return None


def article_selectors(url: str) -> ArticleSelectors | None:
    adapter = adapter_for(url)
    return adapter.article if adapter else None
