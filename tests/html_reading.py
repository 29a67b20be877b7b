"""Reading rfm's HTML as a reader sees it: a small DOM from the standard library's parser, and
the report's summary (Sammanfattning) as its parts. Shared by the report's tests and rfm
serve's (whose tenant page shows the report's sections)."""

from __future__ import annotations

from fractions import Fraction
from html.parser import HTMLParser

import attrs

from tests.rounding_rule import in_steps, shown

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr"}


@attrs.define(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = attrs.field(factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def all(self, tag: str, **where: str) -> list[Node]:
        found = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag and all(
                    value in c.attrs.get(k.rstrip("_"), "").split() for k, value in where.items()
                ):
                    found.append(c)
                found += c.all(tag, **where)
        return found

    def by_id(self, ident: str) -> Node:
        (found,) = [n for n in self.all("section") if n.attrs.get("id") == ident]
        return found


class Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in [n.tag for n in self.stack]:
            return  # a stray end tag (of a part of a page) closes nothing
        while self.stack[-1].tag != tag:  # an element left open ends with its parent
            self.stack.pop()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    tree = Tree()
    tree.feed(html)
    return tree.root


def table_rows(table: Node) -> list[list[str]]:
    return [[c.text() for c in tr.all("td")] for tr in table.all("tr") if tr.all("td")]


def who(model: str, recipient: str, amounts, labels: dict[str, str]) -> str:
    """The summary's name of a recipient: with its model's label when the model has several."""
    several = len({k[2] for k in amounts if k[1] == model}) > 1
    return f"{recipient} ({labels[model]})" if several else labels[model]


def percent_of(text: str) -> Fraction:
    assert text.endswith(" %"), text
    return shown(text.removesuffix(" %")) / 100


def check_largest(rows: list[list[str]], changes: dict[str, int], rounding: str) -> None:
    """The table of the largest increases and decreases: three of each, in order, named with
    the change they really had (ties may be named in either order)."""
    ups = sorted((v for v in changes.values() if v > 0), reverse=True)[:3]
    downs = sorted(v for v in changes.values() if v < 0)[:3]
    assert [r[0] for r in rows] == ["Störst ökning"] * len(ups) + ["Störst minskning"] * len(downs)
    assert [in_steps(r[2], rounding) for r in rows] == ups + downs
    for kind, name, figure in rows:
        assert changes[name] == in_steps(figure, rounding), (kind, name)
    assert len({r[1] for r in rows}) == len(rows)


def summary_of(html: str) -> tuple[list[tuple[str, str, str, str]], list[str], list[list[str]]]:
    """The summary: its key figures (label, value, note, tone), its paragraphs and its table."""
    root = parse(html)
    section = root.by_id("summary")
    (first,) = [c for c in section.children if isinstance(c, Node)][:1] or [None]
    assert first is not None and first.tag == "h2" and first.text() == "Sammanfattning"
    assert root.all("section")[0] is section  # the summary comes first
    figures = []
    for f in section.all("div", class_="figure"):
        (value,) = f.all("b")
        note = f.all("small")
        label = "".join(c for c in f.children if isinstance(c, str)).strip()
        figures.append((label, value.text(), note[0].text() if note else "", value.attrs["class"]))
    tables = section.all("table")
    return figures, [p.text() for p in section.all("p")], table_rows(tables[0]) if tables else []
