"""Counting for reports: one GROUP BY query per measure, keyed by the enterprise's (supervising unit, class), folded
into a table's rows (a dozen keys) in Python."""

from django.db.models import Count

from .tables import Column, Table, fill_rates


def grouped(qs, prefix, count="pk", distinct=False):
    """{(supervising unit name, supervision class): n} in one GROUP BY query; `prefix` leads to the enterprise."""
    return grouped_many(qs, prefix, n=Count(count, distinct=distinct))[0]


def grouped_many(qs, prefix, **aggregates):
    """Several counts of one scan: [{(supervising unit name, supervision class): n}] in the aggregates' order."""
    unit, klass = f"{prefix}supervising_unit__name", f"{prefix}supervision_class"
    rows = list(qs.values(unit, klass).annotate(**aggregates).order_by())
    return [{(r[unit], r[klass]): r[name] for r in rows} for name in aggregates]


def fold(title, label, columns, counted, key):
    """A table from grouped counts (one dict per column, None for a rate): rows keyed by key(group), summed."""
    rows = {}
    for i, counts in enumerate(counted, start=1):
        for group, n in (counts or {}).items():
            name = key(group)
            row = rows.setdefault(name, [name] + [None if c.type == "rate" else 0 for c in columns])
            row[i] += n
    columns = [Column(label, "text"), *columns]
    return Table(title, columns, [fill_rates(columns, rows[k]) for k in sorted(rows, key=str)])
