"""Reading a report's HTML page back in the integration tests: its tables as rows of cell
texts, and whether anything on it links out of the page."""

import html.parser
import re


class Tables(html.parser.HTMLParser):
    """The tables of a page as lists of rows of cell texts; and whether anything links out."""

    def __init__(self):
        super().__init__()
        self.tables, self.row, self.cell, self.outside = [], None, None, []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") or (v and re.match(r"\s*(https?:|//)", v)):
                self.outside.append((tag, k, v))
        if tag == "link" or (tag == "script"):
            self.outside.append((tag, "", ""))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "br" and self.cell is not None:
            self.cell += "\n"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def page_tables(path):
    """The tables of the page at path (Tables.tables)."""
    t = Tables()
    with open(path, encoding="utf-8") as f:
        t.feed(f.read())
    return t.tables
