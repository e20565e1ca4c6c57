"""Benchmark of the verifiable enterprise draw and the inspector matching on PostgreSQL (issue 5, item 8).

Builds (once; reused on later runs unless --rebuild) 1,000,000 enterprises frozen as one task's candidate list in
four strata (interleaved, as the freeze stores them), 200 org units and 20,000 inspectors in its own database,
then prints, measured in this one run (median of --repeat rounds after a warm-up round; each round runs
(a) to (d) in turn, and each ratio is the median of the rounds' own ratios, so that a slow spell of the shared
machine falls on both of its terms):
  (a) our draw (postlicense.randomcheck.dbdraw.draw_in_database, the code the application runs)
  (b) the floor: one scan computing every candidate's SHA-256 rank once; and (a)/(b)
  (c) a bare SELECT count(*)
  (d) a naive, non-verifiable draw: ORDER BY random() LIMIT k per stratum; and (a)/(d)
  (e) inspector matching (postlicense.randomcheck.matching.match) for 100,000 drawn enterprises, inspectors
      and enterprises loaded from the database as services.match_inspectors does.

    .venv/bin/python bench/draw.py [--database-url postgres://postgres@127.0.0.1:5432/postlicense_bench_draw]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import build_register, ensure_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postlicense_bench_draw"
SEED = "bench 2023-07-04 公开种子"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--inspectors", type=int, default=20_000)
    parser.add_argument("--match", type=int, default=100_000, help="drawn enterprises to match")
    parser.add_argument("--load-cap", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--rebuild", action="store_true")
    return parser.parse_args()


def build(args):
    from django.db import connection, transaction

    from postlicense.core.models import OrgUnit
    from postlicense.inspections.selectors import current_template
    from postlicense.randomcheck.models import Task

    build_register(args.candidates, args.units, args.inspectors)
    with transaction.atomic():
        task = Task.objects.create(
            name="基准测试任务",
            year=2023,
            issuing_unit=OrgUnit.objects.get(code="xuchang"),
            deadline=date(2023, 10, 31),
            checklist=current_template("random_check_003"),
            seed=SEED,
            state=Task.State.DRAWN,
            load_cap=args.load_cap,
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO randomcheck_candidate (task_id, enterprise_id, credit_code, stratum) "
                "SELECT %s, id, credit_code, risk_level FROM registry_enterprise WHERE credit_code LIKE %s ORDER BY credit_code",
                [task.pk, "91%"],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE randomcheck_candidate")
    return task


def timed(contenders, repeat):
    """Seconds of each contender in each round, taken in turns (a, b, c, …, a, b, c, …) so that a slow spell of a
    shared machine falls on all of them alike; one warm-up round first puts the table in the caches."""
    times = {name: [] for name in contenders}
    for round_ in range(repeat + 1):
        for name, fn in contenders.items():
            started = time.perf_counter()
            fn()
            if round_:
                times[name].append(time.perf_counter() - started)
    return times


def main():
    args = parse_args()
    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postlicense.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from postlicense.randomcheck import draw, matching, services
    from postlicense.randomcheck.dbdraw import draw_in_database
    from postlicense.randomcheck.models import Candidate, DrawnEnterprise, Task

    if args.rebuild:
        connection.close()
        ensure_database(args.database_url, rebuild=True)
    call_command("migrate", verbosity=0)
    task = Task.objects.filter(name="基准测试任务").first()
    if task is None or task.candidates.count() != args.candidates:
        if task is not None:
            raise SystemExit("the bench database holds another size; run with --rebuild")
        task = build(args)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW max_parallel_workers_per_gather")
        workers = cursor.fetchone()[0]
    candidates = Candidate.objects.filter(task=task)
    print(
        f"PostgreSQL {version} (max_parallel_workers_per_gather={workers}); candidates: {args.candidates:,}; "
        f"median of {args.repeat} rounds after a warm-up round"
    )

    # The freeze knows each stratum's n (services.draw_enterprises passes them), so the draw is timed without
    # counting; the count query is timed separately below.
    def count_strata():
        return dict(candidates.order_by().values("stratum").annotate(n=Count("pk")).values_list("stratum", "n"))

    counts = count_strata()

    def ours():
        return draw_in_database(candidates, SEED, draw.DEFAULT_RATIOS, counts)

    # The floor hashes with the draw's own digest function (migration randomcheck 0003), the cheapest way found.
    def floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(encode(postlicense_rank_digest(%s || '|' || stratum || '|' || credit_code), 'hex') "
                'COLLATE "C") FROM randomcheck_candidate WHERE task_id = %s',
                [SEED, task.pk],
            )
            return cursor.fetchone()[0]

    def count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM randomcheck_candidate")
            return cursor.fetchone()[0]

    result_a = ours()
    ks = {s.stratum: s.k for s in result_a}

    def naive():
        drawn = []
        with connection.cursor() as cursor:
            for stratum, k in ks.items():
                cursor.execute(
                    "SELECT credit_code FROM randomcheck_candidate WHERE task_id = %s AND stratum = %s "
                    "ORDER BY random() LIMIT %s",
                    [task.pk, stratum, k],
                )
                drawn.extend(cursor.fetchall())
        return drawn

    rounds = timed({"a": ours, "b": floor, "c": count, "d": naive, "n": count_strata}, args.repeat)
    a, b, c, d, n_time = (statistics.median(rounds[name]) for name in "abcdn")

    def ratio(x, y):
        per_round = [p / q for p, q in zip(rounds[x], rounds[y])]
        return f"({x})/({y}) = {statistics.median(per_round):.2f} (rounds {min(per_round):.2f}–{max(per_round):.2f})"

    print("strata: " + ", ".join(f"{s.stratum} n={s.n:,} k={s.k:,}" for s in result_a))
    print(f"(a) our verifiable draw:                {a:7.3f} s")
    print(f"(b) floor, every rank computed once:    {b:7.3f} s   {ratio('a', 'b')}  (target ≤ 2)")
    print(f"(c) bare SELECT count(*):               {c:7.3f} s")
    print(f"(d) naive ORDER BY random() LIMIT k:    {d:7.3f} s   {ratio('a', 'd')}  (target ≤ 1.5)")
    print(f"    counting n per stratum (done by the freeze, not in (a)): {n_time:.3f} s")

    # The Python verifier on the same list, as a cross-check of the database draw at full scale.
    started = time.perf_counter()
    expected = draw.draw(
        SEED, candidates.values_list("credit_code", "stratum").iterator(chunk_size=50_000), draw.DEFAULT_RATIOS
    )
    agrees = [s.drawn for s in expected.strata] == [s.drawn for s in result_a]
    print(f"    Python verifier on the same list: {time.perf_counter() - started:.1f} s, agrees with (a): {agrees}")

    # (e) matching: the 100,000 lowest-ranked drawn enterprises, as match_inspectors builds its input.
    drawn_codes = sorted((row.rank, row.credit_code) for s in result_a for row in s.drawn)[: args.match]
    started = time.perf_counter()
    rows = list(
        candidates.filter(credit_code__in=[code for _, code in drawn_codes]).values_list(
            "enterprise_id", "credit_code", "enterprise__supervising_unit_id", "enterprise__product_category_id"
        )
    )
    demands = [
        matching.EnterpriseDemand(id=e, credit_code=code, org_unit_id=unit, product_category=str(category))
        for e, code, unit, category in rows
    ]
    infos = [
        services.inspector_info(i) for i in services.inspector_pool(task).filter(org_unit__code__startswith="bench-")
    ]
    load = time.perf_counter() - started
    timings = {}
    started = time.perf_counter()
    outcome = matching.match(demands, infos, services.match_params(task), timings=timings)
    e = time.perf_counter() - started
    print(
        f"(e) matching {len(demands):,} enterprises × {len(infos):,} inspectors (load cap {task.load_cap}): "
        f"{e:.2f} s (build {timings['build']:.2f} s, solve {timings['solve']:.2f} s, {timings['arcs']:,} eligible pairs), "
        f"ok={outcome.ok}   (target < 10 s; loading from the database took {load:.2f} s more)"
    )
    assert not DrawnEnterprise.objects.filter(task=task).exists()


if __name__ == "__main__":
    main()
