"""A report's tables as plain data: what a page shows, an .xlsx holds, a submission freezes and a city adds up.

A Table has columns of three types: text (the row's key, e.g. the county or the task), count (summed when tables
are added up) and rate (a percentage recomputed from two count columns of the same row, never summed).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    label: str
    type: str = "count"  # "text" | "count" | "rate"
    of: tuple[int, int] | None = None  # a rate: (numerator column, denominator column)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def with_total(self, label="合计"):
        """The rows plus a total row: counts summed, rates recomputed, text columns blank but the first."""
        total = []
        for i, column in enumerate(self.columns):
            if column.type == "count":
                total.append(sum(row[i] or 0 for row in self.rows))
            else:
                total.append(label if i == 0 else "")
        return self.rows + [fill_rates(self.columns, total)] if self.rows else []

    def as_dict(self):
        return {
            "title": self.title,
            "note": self.note,
            "columns": [{"label": c.label, "type": c.type, "of": list(c.of) if c.of else None} for c in self.columns],
            "rows": self.rows,
        }

    @classmethod
    def from_dict(cls, data):
        columns = [Column(c["label"], c["type"], tuple(c["of"]) if c["of"] else None) for c in data["columns"]]
        return cls(data["title"], columns, [list(row) for row in data["rows"]], data.get("note", ""))


def rate(numerator, denominator):
    """A percentage with one decimal, as the national platform shows its rates; None when nothing is counted."""
    return round(100 * numerator / denominator, 1) if denominator else None


def fill_rates(columns, row):
    for i, column in enumerate(columns):
        if column.type == "rate":
            num, den = column.of
            row[i] = rate(row[num] or 0, row[den] or 0)
    return row


def add_up(tables):
    """One table from several of the same shape (the counties' frozen tables → the city's): rows with the same
    text columns are merged, counts summed, rates recomputed; row order is first appearance."""
    first = tables[0]
    keys = [i for i, c in enumerate(first.columns) if c.type == "text"]
    merged = {}
    for table in tables:
        if [c.label for c in table.columns] != [c.label for c in first.columns]:
            raise ValueError(f"tables of different shapes cannot be added up: {table.title}")
        for row in table.rows:
            key = tuple(row[i] for i in keys)
            if key not in merged:
                merged[key] = [row[i] if c.type == "text" else 0 for i, c in enumerate(first.columns)]
            for i, column in enumerate(first.columns):
                if column.type == "count":
                    merged[key][i] += row[i] or 0
    return Table(first.title, first.columns, [fill_rates(first.columns, row) for row in merged.values()], first.note)
