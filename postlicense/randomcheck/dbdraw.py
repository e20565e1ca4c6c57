"""The enterprise draw run inside the database, for scale; draw.py is the reference it must agree with.

Ranks are SHA-256 hex strings, uniform over [0, 16^64). The k-th lowest of n ranks therefore lies near the
fraction k/n of that range, so each stratum keeps only the ranks below a hex prefix a few standard deviations
above k/n; one pass over the candidates hashes each once, keeps those below their stratum's bound and returns
them in rank order, and each stratum takes its k first. A stratum where fewer than k pass is drawn again with a
wider bound, until the bound keeps every row.
"""

import gc
import math
from collections.abc import Mapping
from contextlib import contextmanager
from functools import partial

import psycopg
from django.db import connections, transaction
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import SHA256, Concat

from .draw import STRATA, RankedCandidate, StratumResult, sample_size, validate_ratios, validate_seed

PREFIX_DIGITS = 8
_PREFIX_SPACE = 16**PREFIX_DIGITS

# postlicense_rank_digest (migrations 0002, 0003) is volatile, so PostgreSQL keeps the subquery as a fence: the
# digest is computed once per row, compared raw with the bound (byte order is hex order) and hex-encoded only for
# the rows that pass. "C" collation: ranks sort byte by byte, as draw.py sorts them, without the locale's rules.
_POSTGRESQL_SQL = """
SELECT stratum, credit_code, ENCODE(digest, 'hex') COLLATE "C" AS rank
FROM (SELECT stratum, credit_code, postlicense_rank_digest({prefix} || credit_code) AS digest
      FROM ({candidates}) candidate) ranked
WHERE digest < {bound}
ORDER BY rank, credit_code
"""
# 33 bytes of 0xff sort after every 32-byte digest: the bound of a stratum that keeps every row.
_NO_BOUND = b"\xff" * 33

_ranked = partial(tuple.__new__, RankedCandidate)

# The rows arrive in chunks (libpq 17 and later; one by one before that) and become RankedCandidates while the
# server is still merging and sending the rest, rather than all at once after the last has arrived.
_STREAM_ROWS = 1000 if psycopg.pq.version() >= 170000 else 1


@contextmanager
def collector_paused():
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


def _below_bounds(cursor, candidates, seed: str, bounds: Mapping[str, str | None]):
    """(stratum, credit_code, rank) of the candidates below their stratum's bound (None: no bound), by rank."""
    rows = candidates.order_by()
    if cursor.db.vendor == "postgresql":
        # A stratum not in `bounds` gets no prefix, so a NULL digest, which no bound keeps: no hashing, no filter.
        sql, params = rows.values_list("stratum", "credit_code").query.sql_with_params()
        prefixes, digest_bounds = [], []
        for stratum, bound in bounds.items():
            prefixes += [stratum, f"{seed}|{stratum}|"]
            digest_bounds += [stratum, _NO_BOUND if bound is None else bytes.fromhex(bound)]
        query = _POSTGRESQL_SQL.format(
            candidates=sql,
            prefix="CASE stratum " + "WHEN %s THEN %s " * len(bounds) + "END",
            bound="CASE stratum " + "WHEN %s THEN %s::bytea " * len(bounds) + "END",
        )
        return cursor.cursor.stream(query, [*prefixes, *params, *digest_bounds], size=_STREAM_ROWS)
    below = Q()
    for stratum, bound in bounds.items():
        below |= Q(stratum=stratum) if bound is None else Q(stratum=stratum, rank__lt=bound)
    rank = SHA256(Concat(Value(f"{seed}|"), "stratum", Value("|"), "credit_code", output_field=CharField()))
    rows = rows.annotate(rank=rank).filter(below).order_by("rank", "credit_code")
    return rows.values_list("stratum", "credit_code", "rank")


def _draw_strata(cursor, candidates, seed: str, sizes: Mapping[str, tuple[int, int]]) -> dict[str, list]:
    """The k lowest ranks of each stratum, `sizes` being stratum → (n, k)."""
    drawn, pending, widen = {}, dict(sizes), 0
    while pending:
        bounds = {stratum: rank_bound(n, k, widen) for stratum, (n, k) in pending.items()}
        below = {stratum: [] for stratum in pending}
        with collector_paused(), cursor.db.wrap_database_errors:
            for stratum, credit_code, rank in _below_bounds(cursor, candidates, seed, bounds):
                below[stratum].append(_ranked((credit_code, rank)))
        for stratum, ranked in below.items():
            k = pending[stratum][1]
            if len(ranked) >= k or bounds[stratum] is None:
                drawn[stratum] = ranked[:k]
                del pending[stratum]
        widen += 1
    return drawn


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
    with transaction.atomic(using=candidates.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Every built-in function costs 1 to the planner, so for a smaller task it would run the hashing scan
            # in one process to save moving the ~k rows out of the workers; the hashing is what costs, so
            # parallelise it, and let the workers sort their share of the ~k rows in memory.
            cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        n_by_stratum = {stratum: counts.get(stratum, 0) for stratum in STRATA}
        sizes = {stratum: (n, sample_size(ratio_by_stratum[stratum], n)) for stratum, n in n_by_stratum.items()}
        drawn = _draw_strata(cursor, candidates, seed, {stratum: (n, k) for stratum, (n, k) in sizes.items() if k})
    return [
        StratumResult(stratum=s, ratio=ratio_by_stratum[s], n=n, k=k, drawn=tuple(drawn.get(s, ())))
        for s, (n, k) in sizes.items()
    ]
