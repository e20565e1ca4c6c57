"""The enterprise draw run inside the database, for scale; draw.py is the reference it must agree with.

Ranks are SHA-256 hex strings, uniform over [0, 16^64). The k-th lowest of n ranks therefore lies near the
fraction k/n of that range, so each stratum keeps only the ranks below a hex prefix a few standard deviations
above k/n and sorts those; if fewer than k pass, the bound widens until it keeps every row. On PostgreSQL each
candidate is hashed exactly once, which is the floor any verifiable draw must pay.
"""
import gc
import math
from collections.abc import Mapping
from contextlib import contextmanager
from functools import partial

from django.db import connections, transaction
from django.db.models import CharField, Count, Value
from django.db.models.functions import SHA256, Concat

from .draw import STRATA, RankedCandidate, StratumResult, sample_size, validate_ratios, validate_seed

PREFIX_DIGITS = 8
_PREFIX_SPACE = 16**PREFIX_DIGITS

# postlicense_rank_digest (migration 0002) is volatile, so PostgreSQL keeps the subquery as a fence: the digest is
# computed once per row, compared raw with the bound (byte order is hex order) and hex-encoded only for the rows
# that pass. "C" collation: ranks sort byte by byte, as draw.py sorts them, without the locale's rules.
_POSTGRESQL_STRATUM_SQL = """
SELECT credit_code, ENCODE(digest, 'hex') COLLATE "C" AS rank
FROM (SELECT credit_code, postlicense_rank_digest(%s || credit_code) AS digest FROM ({candidates}) candidate) ranked
WHERE %s::bytea IS NULL OR digest < %s::bytea
ORDER BY rank, credit_code
LIMIT %s
"""

_ranked = partial(tuple.__new__, RankedCandidate)


@contextmanager
def _collector_paused():
    """Up to hundreds of thousands of rows become tuples of strings, which cannot form reference cycles; left
    on, the cyclic garbage collector would run hundreds of times meanwhile, each pass walking the process's
    whole heap, which about doubles the time these rows take to arrive."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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


def _lowest_below(cursor, candidates, seed: str, stratum: str, bound: str | None, k: int) -> list[RankedCandidate]:
    """The k lowest ranks of one stratum among those below `bound` (fewer if fewer pass)."""
    rows = candidates.filter(stratum=stratum)
    prefix = f"{seed}|{stratum}|"
    if cursor.db.vendor == "postgresql":
        sql, params = rows.order_by().values_list("credit_code").query.sql_with_params()
        digest_bound = None if bound is None else bytes.fromhex(bound)
        cursor.execute(_POSTGRESQL_STRATUM_SQL.format(candidates=sql), [prefix, *params, digest_bound, digest_bound, k])
        with _collector_paused():
            return list(map(_ranked, cursor.fetchall()))
    rows = rows.annotate(rank=SHA256(Concat(Value(prefix), "credit_code", output_field=CharField())))
    if bound is not None:
        rows = rows.filter(rank__lt=bound)
    return list(map(_ranked, rows.order_by("rank", "credit_code").values_list("credit_code", "rank")[:k]))


def _draw_stratum(cursor, candidates, seed: str, stratum: str, n: int, k: int) -> list[RankedCandidate]:
    widen = 0
    while True:
        bound = rank_bound(n, k, widen)
        drawn = _lowest_below(cursor, candidates, seed, stratum, bound, k)
        if len(drawn) == k or bound is None:
            return drawn
        widen += 1


def draw_in_database(candidates, seed: str, ratios, counts: Mapping[str, int] | None = None) -> list[StratumResult]:
    """Draw from a queryset of rows with `credit_code` and `stratum` (e.g. a task's frozen Candidate rows).

    `counts` (stratum → n) may be given when the caller already knows them, as the freeze does. draw.py breaks
    rank ties by credit code, and so does the query (two equal ranks would take a SHA-256 collision).
    """
    validate_seed(seed)
    ratio_by_stratum = validate_ratios(ratios)
    if counts is None:
        counts = dict(candidates.order_by().values("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))
    connection = connections[candidates.db]
    results = []
    with transaction.atomic(using=candidates.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every built-in function costs 1 to the planner, so for the smaller strata it would run the hashing
            # scan in one process to save moving the ~k rows out of the workers; the hashing is what costs, so
            # parallelise it, and let the workers sort their share of the ~k rows in memory.
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        for stratum in STRATA:
            n = counts.get(stratum, 0)
            k = sample_size(ratio_by_stratum[stratum], n)
            drawn = _draw_stratum(cursor, candidates, seed, stratum, n, k) if k else []
            results.append(StratumResult(stratum=stratum, ratio=ratio_by_stratum[stratum], n=n, k=k, drawn=tuple(drawn)))
    return results
