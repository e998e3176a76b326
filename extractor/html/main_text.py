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

from bs4 import BeautifulSoup, Comment, NavigableString, PageElement, Tag

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


def _protected(el: Tag, below: dict[int, tuple[bool, int]]) -> bool:
    """Never drop a node that wraps the headline or the article itself (class 'has-sidebar', or a
    body classed 'post-content share-enabled'): several long paragraphs are prose, not furniture,
    unless the node is named a comment or related-news box. `below` holds what each element has
    beneath it (`_beneath`)."""
    if el.name in ("html", "body", "article", "main"):
        return True
    holds_article, long_paragraphs = below[id(el)]
    if holds_article:
        return True
    if _named(el, "sure_furniture"):
        return False
    return long_paragraphs >= 3


def _beneath(root: Tag) -> dict[int, tuple[bool, int]]:
    """For each element under `root`: whether a headline, an <article> or an articleBody lies beneath
    it, and how many paragraphs of 80 characters or more. One pass from the leaves up, instead of a
    search under every candidate box (quadratic when boxes nest deep)."""
    tags = [root, *(d for d in root.descendants if isinstance(d, Tag))]
    below: dict[int, tuple[bool, int]] = {}
    for el in reversed(tags):  # every element after all of its descendants
        holds, paragraphs = False, 0
        for child in el.children:
            if not isinstance(child, Tag):
                continue
            child_holds, child_paragraphs = below[id(child)]
            holds = holds or child_holds or child.name in ("h1", "article") or child.get("itemprop") == "articleBody"
            paragraphs += child_paragraphs + (child.name == "p" and len(squash(child.get_text(" "))) >= 80)
        below[id(el)] = (holds, paragraphs)
    return below


def _remove_furniture(root: Tag) -> None:
    for el in root.find_all(string=lambda s: isinstance(s, Comment)):
        el.extract()
    for el in root.find_all(_DROP_TAGS):
        el.decompose()
    for el in _outside(root, "header", "article"):  # site header (logo, menu); an article's own stays
        el.decompose()
    boxes = [e for e in root.find_all(True) if _named(e, "furniture")]
    below = _beneath(root) if boxes else {}
    for el in [e for e in boxes if not _protected(e, below)]:
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
    """The element's text as paragraphs: one per innermost block element or <br>-separated line.

    Walked with an explicit stack, not recursion, and with the elements holding a block element
    found in one pass: a page nested 100,000 levels deep is read in linear time."""
    holds_block = _holding_blocks(el)
    out: list[_Block] = []
    # one frame per open element: its remaining children and the inline parts collected so far
    stack: list[tuple[Tag, Iterator[PageElement], list[tuple[str, bool]]]] = [(el, iter(el.children), [])]
    while stack:
        node, children, parts = stack[-1]
        child = next(children, None)
        if child is None:
            out.extend(_lines(parts, node.name))
            stack.pop()
        elif isinstance(child, NavigableString):
            parts.append((str(child), False))
        elif not isinstance(child, Tag):
            continue
        elif child.name == "br":
            parts.append(("\n", False))
        elif child.name in _BLOCK_TAGS or id(child) in holds_block:
            out.extend(_lines(parts, node.name))
            parts.clear()
            stack.append((child, iter(child.children), []))
        else:
            parts.append((child.get_text(), child.name == "a" or child.find("a") is not None))
    return out


def _holding_blocks(root: Tag) -> set[int]:
    """The ids of the elements under `root` that have a block element among their descendants: each
    block element marks its ancestors up to the first one already marked, so each is marked once."""
    marked: set[int] = set()
    for node in root.descendants:
        if isinstance(node, Tag) and node.name in _BLOCK_TAGS:
            parent = node.parent
            while parent is not None and id(parent) not in marked:
                marked.add(id(parent))
                if parent is root:
                    break
                parent = parent.parent
    return marked


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
    """Readability-style: the prose in each paragraph credits its container fully, the next one up half.

    One walk down the tree carries, for each element, whether it sits inside a link and its nearest
    block element, instead of a walk up from every string (quadratic on a deeply nested page)."""
    scores: dict[int, float] = {}
    nodes: dict[int, Tag] = {}
    above = list(_ancestors(root))  # the start of the walk: what lies above `root`
    in_link = any(a.name == "a" for a in above)
    top = above[-1] if above else root
    nearest = next((a for a in above if a.name in _BLOCK_TAGS and a.parent is not None), None)
    # pre-order, so containers are credited in document order (ties go to the first, as before)
    stack: list[tuple[PageElement, bool, Tag | None]] = [(root, in_link, nearest)]
    while stack:
        element, link, block = stack.pop()
        if isinstance(element, Tag):
            link = link or element.name == "a"
            own = element if element.name in _BLOCK_TAGS and element.parent is not None else block
            stack.extend((child, link, own) for child in reversed(element.contents))
            continue
        if not isinstance(element, NavigableString):
            continue
        text = squash(str(element))
        if len(text) < 10 or link:
            continue
        container = block if block is not None else top
        holder = container.parent if container.name in _PARA_TAGS else container
        for target, weight in ((holder, 1.0), (holder.parent if holder else None, 0.5)):
            if isinstance(target, Tag):
                nodes[id(target)] = target
                scores[id(target)] = scores.get(id(target), 0.0) + weight * len(text)
    if not scores:
        return None
    best = max(scores, key=lambda k: scores[k] * _class_bonus(nodes[k]))
    return nodes[best]


def _outside(root: Tag, name: str, container: str) -> list[Tag]:
    """The `name` elements with no `container` element above them, in one walk down the tree."""
    found: list[Tag] = []
    inside = any(a.name == container for a in _ancestors(root))
    stack: list[tuple[Tag, bool]] = [(root, inside)]
    while stack:
        el, inside = stack.pop()
        if el.name == name and not inside:
            found.append(el)
        inside = inside or el.name == container
        stack.extend((child, inside) for child in reversed(el.contents) if isinstance(child, Tag))
    return found


def _ancestors(el: Tag) -> Iterator[Tag]:
    parent = el.parent
    while parent is not None:
        yield parent
        parent = parent.parent


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
    paragraphs = list(dict.fromkeys(paragraphs))  # a repeated paragraph once, in first-seen order
    return "\n\n".join(([title] if title else []) + paragraphs)
