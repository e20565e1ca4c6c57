"""Time postlicense.randomcheck.matching.match alone on synthetic data at benchmark scale.

Default: 200 org units × 100 inspectors, 100,000 enterprises (500 per unit), 2 inspectors each, load cap 12.
    .venv/bin/python bench/matching_only.py [--expertise N] [--enterprises N] [--units N] ...
--expertise 0 (default) disables the expertise rule, so every same-unit inspector is eligible: the densest
case (≈10 million eligible pairs). --expertise K gives each inspector K of the 11 focus categories.
"""

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from postlicense.randomcheck import matching  # noqa: E402

CATEGORIES = (
    "复混肥",
    "农药",
    "电热毯",
    "机动车制动液",
    "助力车",
    "人造板",
    "电线电缆",
    "水泥",
    "危险化学品",
    "危险化学品包装物及容器",
    "食品相关产品",
)


def synthetic(units: int, inspectors_per_unit: int, enterprises: int, expertise: int, rng: random.Random):
    inspectors = []
    for unit in range(units):
        for n in range(inspectors_per_unit):
            inspector_id = unit * inspectors_per_unit + n
            inspectors.append(
                matching.InspectorInfo(
                    id=inspector_id,
                    certificate_no=f"豫{unit:03d}{n:05d}",
                    org_unit_id=unit,
                    certificate_valid_until=date(2027, 12, 31),
                    expertise=frozenset(rng.sample(CATEGORIES, expertise)) if expertise else frozenset(),
                    avoid_enterprise_ids=frozenset({rng.randrange(enterprises)}),
                )
            )
    demands = [
        matching.EnterpriseDemand(
            id=n,
            credit_code=f"91410{n:012d}X",
            org_unit_id=n % units,
            product_category=rng.choice(CATEGORIES),
            last_inspector_ids=frozenset({(n % units) * inspectors_per_unit + rng.randrange(inspectors_per_unit)}),
        )
        for n in range(enterprises)
    ]
    return demands, inspectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--inspectors-per-unit", type=int, default=100)
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--load-cap", type=int, default=12)
    parser.add_argument("--expertise", type=int, default=0)
    args = parser.parse_args()

    demands, inspectors = synthetic(
        args.units, args.inspectors_per_unit, args.enterprises, args.expertise, random.Random(20230704)
    )
    params = matching.MatchParams(
        seed="5f0c8a3e9b7d41c2a6e8f0b1d3c5e7a9",
        deadline=date(2023, 10, 31),
        load_cap=args.load_cap,
        require_expertise=bool(args.expertise),
    )
    timings = {}
    start = time.perf_counter()
    result = matching.match(demands, inspectors, params, timings=timings)
    total = time.perf_counter() - start
    print(f"enterprises={len(demands)} inspectors={len(inspectors)} ", end="")
    print(f"load_cap={args.load_cap} expertise={args.expertise}")
    print(f"eligible pairs (arcs): {timings['arcs']:,}")
    print(f"build edges: {timings['build']:.2f} s   solve: {timings['solve']:.2f} s   total: {total:.2f} s")
    print(f"ok={result.ok} shortfalls={len(result.shortfalls)} total_cost={result.total_cost}")


if __name__ == "__main__":
    main()
