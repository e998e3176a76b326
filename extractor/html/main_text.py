"""Main text heuristics: drop page furniture, find the body container, keep its prose.

Readability-style scoring rather than a fixed layout: an outlet's selectors (patterns/outlets.yaml)
only sharpen it. Class/id words come from patterns/html.yaml, the plain-text headings and widget
lines of furniture from patterns/<lang>/furniture.yaml (via extractor.textdoc), so the HTML reader
and the text reader drop the same boxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from extractor.html.decoding import squash
from extractor.html.metadata import parse_date
from extractor.html.selectors import ArticleSelectors, name_matches
from extractor.textdoc import furniture_headings, widget_lines

__all__ = ["main_text"]

# Tags that never hold article text.
_DROP_TAGS = ("script", "style", "noscript", "iframe", "form", "nav", "footer", "aside", "button", "svg",
              "template", "select", "input", "textarea", "figure", "picture", "video", "audio", "canvas",
              "object", "embed", "link", "meta")
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
               "ol", "blockquote", "pre", "table", "tbody", "thead", "tr", "td", "th", "dl", "dt", "dd",
               "figcaption", "header", "center", "founder-content", "hr"}
_PARA_TAGS = {"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "pre"}


# Headings of furniture boxes ("Tin liên quan", "相关新闻"), matched against a block's whole text: the
# same headings as plain text, from patterns/<lang>/furniture.yaml.
@cache
def _label() -> re.Pattern[str]:
    words = "|".join(re.escape(h) for h in sorted(furniture_headings(), key=len, reverse=True))
    return re.compile(rf"^\s*(?:{words})\s*[:：]?\s*$", re.I)


def _is_widget_line(text: str) -> bool:
    """A whole line that is a button or a player, not prose (rules in patterns/<lang>/furniture.yaml)."""
    return any(rx.match(text) for rx in widget_lines())


def _named(el: Tag, kind: str) -> bool:
    """Whether one of the element's class names or its id is a `kind` word of patterns/html.yaml."""
    names = [*el.get("class", []), el.get("id") or ""]
    return any(name_matches(kind, n) for n in names if n)


def _protected(el: Tag) -> bool:
    """Never drop a node that wraps the headline or the article itself (class 'has-sidebar', or a
    body classed 'post-content share-enabled'): several long paragraphs are prose, not furniture,
    unless the node is named a comment or related-news box."""
    if el.name in ("html", "body", "article", "main"):
        return True
    if el.find(["h1", "article"]) or el.find(attrs={"itemprop": "articleBody"}):
        return True
    if _named(el, "sure_furniture"):
        return False
    return sum(len(squash(p.get_text(" "))) >= 80 for p in el.find_all("p")) >= 3


def _remove_furniture(root: Tag) -> None:
    for el in root.find_all(string=lambda s: isinstance(s, Comment)):
        el.extract()
    for el in root.find_all(_DROP_TAGS):
        el.decompose()
    for el in root.find_all("header"):
        if not el.find_parent("article"):  # site header (logo, menu); an article's own header stays
            el.decompose()
    for el in [e for e in root.find_all(True) if _named(e, "furniture") and not _protected(e)]:
        if not el.decomposed:
            el.decompose()


@dataclass
class _Block:
    text: str
    link_chars: int
    tag: str

    @property
    def link_density(self) -> float:
        return self.link_chars / max(len(self.text), 1)


def _blocks(el: Tag) -> list[_Block]:
    """The element's text as paragraphs: one per innermost block element or <br>-separated line."""
    out: list[_Block] = []
    parts: list[tuple[str, bool]] = []

    def flush() -> None:
        out.extend(_lines(parts, el.name))
        parts.clear()

    for child in el.children:
        if isinstance(child, NavigableString):
            parts.append((str(child), False))
        elif not isinstance(child, Tag):
            continue
        elif child.name == "br":
            parts.append(("\n", False))
        elif child.name in _BLOCK_TAGS or child.find(list(_BLOCK_TAGS)):
            flush()
            out.extend(_blocks(child))
        else:
            parts.append((child.get_text(), child.name == "a" or child.find("a") is not None))
    flush()
    return out


def _lines(parts: list[tuple[str, bool]], tag: str) -> Iterator[_Block]:
    """Split collected inline parts on <br> into blocks, tracking how much of each is link text."""
    text, links = "", 0
    for piece, is_link in [*parts, ("\n", False)]:
        if piece != "\n":
            text += piece
            links += len(squash(piece)) if is_link else 0
            continue
        line = squash(text)
        if line:
            yield _Block(line, min(links, len(line)), tag)
        text, links = "", 0


def _score_containers(root: Tag) -> Tag | None:
    """Readability-style: the prose in each paragraph credits its container fully, the next one up half."""
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    for string in root.find_all(string=True):
        text = squash(str(string))
        if len(text) < 10 or string.find_parent("a"):
            continue
        block = string.parent
        while block is not None and block.name not in _BLOCK_TAGS and block.parent is not None:
            block = block.parent
        holder = block.parent if block is not None and block.name in _PARA_TAGS else block
        for node, weight in ((holder, 1.0), (holder.parent if holder else None, 0.5)):
            if isinstance(node, Tag):
                nodes[id(node)] = node
                scores[id(node)] = scores.get(id(node), 0.0) + weight * len(text)
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k] * _class_bonus(nodes[k]))
    return nodes[best]


def _class_bonus(node: Tag) -> float:
    """A small multiplier for containers named like an article body."""
    return 1.1 if _named(node, "body") else 1.0


def _body(soup: BeautifulSoup, sel: ArticleSelectors | None) -> Tag | None:
    if sel and sel.body:
        found = soup.select_one(sel.body)
        if found:
            return found
    marked = soup.find(attrs={"itemprop": "articleBody"})
    return marked or _score_containers(soup.body or soup)


def _sapo(soup: BeautifulSoup, body: Tag | None, sel: ArticleSelectors | None) -> list[str]:
    """The lead paragraph when it sits outside the body container (it often carries the figures)."""
    candidates: list[Tag] = soup.select(sel.sapo) if sel and sel.sapo else []
    if not candidates:
        candidates = [el for el in soup.find_all(["div", "p", "h2", "section"], class_=True)
                      if any(name_matches("sapo", c) for c in el.get("class", []))][:1]
    inside = set(id(el) for el in body.find_all(True)) if body else set()
    return [squash(el.get_text(" ")) for el in candidates
            if id(el) not in inside and el is not body and squash(el.get_text(" "))]


def _keep(blocks: Iterable[_Block], title: str | None) -> list[str]:
    """Drop labels of furniture boxes with the link lists after them, link-dense lines and widgets."""
    kept: list[str] = []
    skipping_teasers = False
    for block in blocks:
        if _label().match(block.text):
            skipping_teasers = True  # what follows a "Tin liên quan" label is teasers until prose resumes
            continue
        if block.link_density > 0.5:
            continue
        if skipping_teasers and len(block.text) < 60 and block.tag in ("li", "h3", "h4", "h5", "span", "div"):
            continue
        skipping_teasers = False
        if _is_widget_line(block.text) or block.text == title or _is_dateline(block.text):
            continue
        if kept and kept[-1] == block.text:
            continue
        kept.append(block.text)
    return kept


def _is_dateline(text: str) -> bool:
    """A stand-alone timestamp line ('Thứ Sáu, 14/06/2024 10:25', '2023-12-21 10:20 来源：')."""
    if len(text) > 40 or not parse_date(text):
        return False
    return len(re.findall(r"[^\W\d_]", text)) <= 12


def main_text(soup: BeautifulSoup, title: str | None, sel: ArticleSelectors | None = None) -> str:
    """Title line, blank line, paragraphs separated by blank lines. Mutates `soup` (furniture removed)."""
    if sel:
        for css in sel.drop:
            for el in soup.select(css):
                el.decompose()
    _remove_furniture(soup)
    body = _body(soup, sel)
    paragraphs = _sapo(soup, body, sel) + (_keep(_blocks(body), title) if body else [])
    paragraphs = [p for i, p in enumerate(paragraphs) if p not in paragraphs[:i]]
    return "\n\n".join(([title] if title else []) + paragraphs)
