"""Reads a rendered table's cells as text, to compare a page with its CSV download."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any


class _Tables(HTMLParser):
    def __init__(self, selector: tuple[str, str]) -> None:
        super().__init__()
        self.attr, self.value = selector
        self.depth = 0  # inside the wanted table when > 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            if self.depth or (self.attr, self.value) in attrs:
                self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(
    html: str, *, id: str | None = None, testid: str | None = None, cls: str | None = None
) -> list[list[str]]:
    """The rows of the table with that id (or data-testid, or class), header row included."""
    parser = _Tables(("id", id) if id else ("class", cls) if cls else ("data-testid", testid or ""))
    parser.feed(html)
    return parser.rows


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
