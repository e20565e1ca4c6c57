"""The enterprise draw run inside the database, for scale; draw.py is the reference it must agree with.

Ranks are SHA-256 hex strings, uniform over [0, 16^64). The k-th lowest of n ranks therefore lies near the
fraction k/n of that range, so each stratum first keeps only the ranks below a hex prefix a few standard
deviations above k/n and sorts those; if fewer than k pass, the bound widens until it keeps every row. The
hash is computed once per candidate either way, which is the floor any verifiable draw must pay.
"""
import math
from collections.abc import Mapping

from django.db import connections, transaction
from django.db.models import Case, CharField, Count, Func, Value, When
from django.db.models.functions import SHA256, Concat

from .draw import STRATA, RankedCandidate, StratumResult, validate_ratios, sample_size, validate_seed

PREFIX_DIGITS = 8
_PREFIX_SPACE = 16**PREFIX_DIGITS


class Sha256Hex(SHA256):
    """Lowercase hex SHA-256 of the UTF-8 bytes, compared byte by byte.

    On PostgreSQL: the built-in sha256() (Django's SHA256 calls pgcrypto's digest(), an extension), and the "C"
    collation, so comparing and sorting ranks is a plain byte comparison instead of the database locale's rules
    (same order for lowercase hex, several times faster). SQLite uses Django's Python function and BINARY order.
    """

    def as_postgresql(self, compiler, connection, **extra_context):
        template = """(ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex') COLLATE "C")"""
        return Func.as_sql(self, compiler, connection, template=template, **extra_context)


def rank_expression(seed: str, stratum=None):
    """The rank of each row: SHA-256 of `seed|stratum|credit_code` (the row's own stratum unless one is given)."""
    parts = [Value(f"{seed}|{stratum}|")] if stratum else [Value(f"{seed}|"), "stratum", Value("|")]
    return Sha256Hex(Concat(*parts, "credit_code", output_field=CharField()))


def rank_bound(n: int, k: int, widen: int) -> str | None:
    """A hex prefix that the k-th lowest rank of n stays below with overwhelming probability (None: no bound).

    The k-th order statistic of n uniforms has mean k/(n+1) and standard deviation below sqrt(k)/n; the
    bound sits 6 deviations (plus a constant for small k) above the mean, times 4 for each widening.
    """
    if k >= n:
        return None
    fraction = (k + 6 * math.sqrt(k) + 16) / n * 4**widen
    if fraction >= 1:
        return None
    return format(math.ceil(fraction * _PREFIX_SPACE), f"0{PREFIX_DIGITS}x")


def _lowest(rows, k: int) -> list[RankedCandidate]:
    return [RankedCandidate(credit_code, rank) for credit_code, rank in rows[:k]]


def _draw_stratum(candidates, seed: str, stratum: str, k: int, n: int, widen: int) -> list[RankedCandidate]:
    """One stratum alone, widening the bound until k rows pass (the fallback of draw_in_database)."""
    rows = candidates.filter(stratum=stratum).annotate(rank=rank_expression(seed, stratum))
    while True:
        bound = rank_bound(n, k, widen)
        bounded = rows if bound is None else rows.filter(rank__lt=bound)
        drawn = list(bounded.order_by("rank", "credit_code").values_list("credit_code", "rank")[:k])
        if len(drawn) == k or bound is None:
            return _lowest(drawn, k)
        widen += 1


def _fetch_passing(candidates, seed: str, bounds: Mapping[str, str]) -> dict[str, list[RankedCandidate]]:
    """One scan: every row ranked once, those below their stratum's bound returned by rank, per stratum.

    A CASE picks each row's bound, so the WHERE clause hashes each row once ("g" sorts after every lowercase
    hex string, i.e. no bound; strata not in `bounds` match nothing).
    """
    bound = Case(*(When(stratum=s, then=Value(b)) for s, b in bounds.items()), output_field=CharField())
    rows = (candidates.annotate(rank=rank_expression(seed)).filter(rank__lt=bound)
            .order_by("rank").values_list("stratum", "credit_code", "rank"))
    passed = {stratum: [] for stratum in STRATA}
    connection = connections[rows.db]
    with transaction.atomic(using=rows.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every built-in function costs 1 to the planner, so it would run this hashing scan in a single
            # process to save moving the ~k rows out of the workers; the scan is what costs, so parallelise it,
            # and let the workers sort their share of the ~k rows in memory.
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # The ORM's SQL with its bound parameters, fetched without per-row field conversion (all text).
        cursor.execute(*rows.query.sql_with_params())
        for stratum, credit_code, rank in cursor.fetchall():
            passed[stratum].append(RankedCandidate(credit_code, rank))
    return passed


def draw_in_database(candidates, seed: str, ratios, counts: Mapping[str, int] | None = None) -> list[StratumResult]:
    """Draw from a queryset of rows with `credit_code` and `stratum` (e.g. a task's frozen Candidate rows).

    `counts` (stratum → n) may be given when the caller already knows them, as the freeze does. Each stratum
    takes the first k of the rows that passed its bound (draw.py breaks rank ties by credit code; two equal
    ranks would take a SHA-256 collision); a stratum where fewer than k passed is drawn again alone with a
    wider bound.
    """
    validate_seed(seed)
    ratio_by_stratum = validate_ratios(ratios)
    if counts is None:
        counts = dict(candidates.order_by().values("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))
    n_k = {s: (counts.get(s, 0), sample_size(ratio_by_stratum[s], counts.get(s, 0))) for s in STRATA}
    bounds = {s: rank_bound(n, k, 0) or "g" for s, (n, k) in n_k.items() if k}
    passed = _fetch_passing(candidates, seed, bounds) if bounds else {s: [] for s in STRATA}
    results = []
    for stratum in STRATA:
        n, k = n_k[stratum]
        drawn = passed[stratum][:k] if len(passed[stratum]) >= k else _draw_stratum(candidates, seed, stratum, k, n, widen=1)
        results.append(StratumResult(stratum=stratum, ratio=ratio_by_stratum[stratum], n=n, k=k, drawn=tuple(drawn)))
    return results
