import itertools
import random
from collections import Counter
from datetime import date, timedelta

import pytest

from postlicense.randomcheck import matching
from postlicense.randomcheck.draw import inspector_rank
from postlicense.randomcheck.matching import EnterpriseDemand, InspectorInfo, MatchParams, eligibility, match

SEED = "0d6b1f8e4c2a49d7b3e5f1a9c8d7e6f5"
DEADLINE = date(2023, 10, 31)
VALID_UNTIL = date(2026, 6, 30)


def inspector(inspector_id: int, unit="U1", expertise=("水泥",), **fields) -> InspectorInfo:
    fields.setdefault("certificate_no", f"豫执法{inspector_id:05d}")
    fields.setdefault("certificate_valid_until", VALID_UNTIL)
    return InspectorInfo(id=inspector_id, org_unit_id=unit, expertise=frozenset(expertise), **fields)


def enterprise(enterprise_id: int, unit="U1", category="水泥", **fields) -> EnterpriseDemand:
    fields.setdefault("credit_code", f"91410100MA{enterprise_id:08d}")
    return EnterpriseDemand(id=enterprise_id, org_unit_id=unit, product_category=category, **fields)


def params(load_cap=2, seed=SEED, **fields) -> MatchParams:
    return MatchParams(seed=seed, deadline=DEADLINE, load_cap=load_cap, **fields)


def ranked_eligible(demand, inspectors, match_params) -> list[InspectorInfo]:
    eligible = [i for i in sorted(inspectors, key=lambda i: i.id) if eligibility(demand, i, match_params) is None]
    return sorted(eligible, key=lambda i: inspector_rank(match_params.seed, demand.credit_code, i.certificate_no))


def assert_valid_assignment(result, enterprises, inspectors, match_params):
    """Every enterprise has exactly `required` distinct eligible inspectors, best rank first, within the load cap."""
    assert result.ok and not result.shortfalls
    assert set(result.assignments) == {e.id for e in enterprises}
    by_id = {i.id: i for i in inspectors}
    total_cost = 0
    for demand in enterprises:
        assigned = result.assignments[demand.id]
        assert len(assigned) == len(set(assigned)) == demand.required
        ranked = [i.id for i in ranked_eligible(demand, inspectors, match_params)]
        assert all(eligibility(demand, by_id[i], match_params) is None for i in assigned)
        assert assigned == sorted(assigned, key=ranked.index)
        total_cost += sum(ranked.index(i) for i in assigned)
    load = Counter(i for assigned in result.assignments.values() for i in assigned)
    assert max(load.values()) <= match_params.load_cap
    assert result.total_cost == total_cost


def greedy(enterprises, inspectors, match_params):
    """The obvious approach: each enterprise in turn takes its best-ranked inspectors that still have capacity."""
    load = Counter()
    assignments = {}
    for demand in sorted(enterprises, key=lambda e: e.id):
        free = [i for i in ranked_eligible(demand, inspectors, match_params) if load[i.id] < match_params.load_cap]
        if len(free) < demand.required:
            return None
        assignments[demand.id] = [i.id for i in free[: demand.required]]
        load.update(assignments[demand.id])
    return assignments


def brute_force_cost(enterprises, inspectors, match_params):
    """Minimum total rank position over every feasible assignment, or None if there is none."""
    options = []
    for demand in enterprises:
        position = {i.id: p for p, i in enumerate(ranked_eligible(demand, inspectors, match_params))}
        combos = itertools.combinations(position, demand.required)
        options.append(sorted((sum(position[i] for i in combo), combo) for combo in combos))
    best = None
    load = Counter()

    def search(k, cost):
        nonlocal best
        if best is not None and cost >= best:
            return
        if k == len(options):
            best = cost
            return
        for combo_cost, combo in options[k]:
            if all(load[i] < match_params.load_cap for i in combo):
                load.update(combo)
                search(k + 1, cost + combo_cost)
                load.subtract(combo)

    search(0, 0)
    return best


# --- eligibility ---------------------------------------------------------------------------------------------


def test_eligible_inspector():
    assert eligibility(enterprise(1), inspector(1), params()) is None


@pytest.mark.parametrize(
    ("inspector_fields", "enterprise_fields", "reason"),
    [
        ({"active": False}, {}, "已停用"),
        ({"certificate_valid_until": DEADLINE - timedelta(days=1)}, {}, "执法证已过期或有效期不足至截止日"),
        ({"certificate_valid_until": date(2020, 1, 1)}, {}, "执法证已过期或有效期不足至截止日"),
        ({"certificate_valid_until": None}, {}, "未登记执法证号或有效期"),
        ({"certificate_no": ""}, {}, "未登记执法证号或有效期"),
        ({"avoid_enterprise_ids": frozenset({1})}, {}, "在该企业回避名单中"),
        ({}, {"last_inspector_ids": frozenset({1})}, "上次检查过该企业"),
        ({"expertise": ("电线电缆",)}, {}, "缺少该产品类别的专业"),
        ({"unit": "U2"}, {}, "不属于负责该企业的单位"),
    ],
)
def test_each_eligibility_rule(inspector_fields, enterprise_fields, reason):
    """003 五(二) matching, 002 第9条 valid certificates, and the avoidance / not-last-time rules of DESIGN.md."""
    assert eligibility(enterprise(1, **enterprise_fields), inspector(1, **inspector_fields), params()) == reason


def test_certificate_valid_on_the_deadline_is_enough():
    assert eligibility(enterprise(1), inspector(1, certificate_valid_until=DEADLINE), params()) is None


def test_expertise_rule_can_be_switched_off():
    assert eligibility(enterprise(1), inspector(1, expertise=()), params(require_expertise=False)) is None


def test_widen_pool_allows_any_org_unit():
    assert eligibility(enterprise(1), inspector(1, unit="U9"), params(widen_pool=True)) is None


def test_cross_audit_units_replace_the_own_unit():
    cross_audit = params(allowed_org_units_by_enterprise={1: frozenset({"U2", "U3"})})
    assert eligibility(enterprise(1), inspector(1, unit="U1"), cross_audit) == "不属于负责该企业的单位"
    assert eligibility(enterprise(1), inspector(2, unit="U3"), cross_audit) is None
    assert eligibility(enterprise(2), inspector(1, unit="U1"), cross_audit) is None


# --- feasible instances --------------------------------------------------------------------------------------


def test_small_greedy_trap_is_solved():
    """Enterprise 1 may use {w, x, y, z}, enterprise 2 (电线电缆) only {x, y}; load cap 1.

    The seed is chosen so that enterprise 1's two best ranks include x or y: greedy, serving enterprise 1 first,
    then leaves enterprise 2 short. The only feasible assignment is 1 → {w, z}, 2 → {x, y}.
    """
    w, z = inspector(1), inspector(4)
    x, y = inspector(2, expertise=("水泥", "电线电缆")), inspector(3, expertise=("水泥", "电线电缆"))
    inspectors = [w, x, y, z]
    enterprises = [enterprise(1), enterprise(2, category="电线电缆")]

    def greedy_is_trapped(seed):
        best_two = ranked_eligible(enterprises[0], inspectors, params(load_cap=1, seed=seed))[:2]
        return {x.id, y.id} & {i.id for i in best_two}

    seed = next(seed for seed in (f"trap-{n}" for n in itertools.count()) if greedy_is_trapped(seed))
    trap = params(load_cap=1, seed=seed)
    assert greedy(enterprises, inspectors, trap) is None

    result = match(enterprises, inspectors, trap)
    assert_valid_assignment(result, enterprises, inspectors, trap)
    assert sorted(result.assignments[1]) == [w.id, z.id]
    assert sorted(result.assignments[2]) == [x.id, y.id]


def generated_trap(units: int):
    """Per org unit: 5 inspectors qualified for 水泥 and 电线电缆, 5 only for 电线电缆, load cap 4; 10 电线电缆
    enterprises (served first by greedy) and 10 水泥 enterprises that only the first five may inspect."""
    inspectors, enterprises = [], []
    for unit in range(units):
        for n in range(10):
            expertise = ("水泥", "电线电缆") if n < 5 else ("电线电缆",)
            inspectors.append(inspector(unit * 10 + n, unit=unit, expertise=expertise))
        for n in range(20):
            enterprises.append(enterprise(unit * 20 + n, unit=unit, category="电线电缆" if n < 10 else "水泥"))
    return enterprises, inspectors


def test_generated_greedy_trap_is_solved():
    enterprises, inspectors = generated_trap(units=20)
    trap = params(load_cap=4)
    assert greedy(enterprises, inspectors, trap) is None
    result = match(enterprises, inspectors, trap)
    assert_valid_assignment(result, enterprises, inspectors, trap)


def random_instance(rng: random.Random):
    categories = ("水泥", "电线电缆")
    enterprise_count, inspector_count = rng.randint(2, 4), rng.randint(4, 8)
    inspectors = [
        inspector(
            n,
            unit=rng.choice(("U1", "U2")),
            expertise=rng.choice((categories, categories, categories[:1], categories[1:])),
            active=rng.random() > 0.05,
            certificate_valid_until=rng.choice((VALID_UNTIL,) * 9 + (DEADLINE - timedelta(days=3),)),
            avoid_enterprise_ids=frozenset(rng.sample(range(enterprise_count), rng.randint(0, 1))),
        )
        for n in range(inspector_count)
    ]
    enterprises = [
        enterprise(
            n,
            unit=rng.choice(("U1", "U2")),
            category=rng.choice(categories),
            required=rng.choice((2, 2, 3)),
            last_inspector_ids=frozenset(rng.sample(range(inspector_count), rng.randint(0, 1))),
        )
        for n in range(enterprise_count)
    ]
    match_params = params(load_cap=rng.randint(1, 3), widen_pool=rng.random() < 0.7, seed=f"random-{rng.random()}")
    return enterprises, inspectors, match_params


def count_certificates(monkeypatch) -> Counter:
    """Count how often a restricted optimum was proved optimal overall (True) or rejected (False)."""
    certificates = Counter()
    certify = matching._Component._optimal_for_all_arcs

    def counting_certify(*args):
        proved = certify(*args)
        certificates[proved] += 1
        return proved

    monkeypatch.setattr(matching._Component, "_optimal_for_all_arcs", counting_certify)
    return certificates


@pytest.mark.parametrize("spare_ranks", [0, matching._SPARE_RANKS])
def test_match_is_optimal_and_finds_every_feasible_assignment(spare_ranks, monkeypatch):
    """Against exhaustive search: a match exists exactly when one exists, and its total rank position is minimal,
    also when the solver first sees only `required` arcs per enterprise and must widen them (spare_ranks=0)."""
    monkeypatch.setattr(matching, "_SPARE_RANKS", spare_ranks)
    rng = random.Random(11)
    outcomes = Counter()
    for _ in range(300):
        enterprises, inspectors, match_params = random_instance(rng)
        best = brute_force_cost(enterprises, inspectors, match_params)
        result = match(enterprises, inspectors, match_params)
        if best is None:
            assert not result.ok and result.shortfalls and result.assignments == {}
            outcomes["infeasible"] += 1
        else:
            assert_valid_assignment(result, enterprises, inspectors, match_params)
            assert result.total_cost == best
            outcomes["feasible"] += 1
    assert outcomes["feasible"] > 50 and outcomes["infeasible"] > 50


def test_rejected_restricted_optimum_is_widened_to_the_true_optimum(monkeypatch):
    """Four enterprises share eight inspectors who may take one enterprise each. With only each enterprise's best
    arcs at first, some restricted optima are not optimal overall; the certificate must reject them."""
    monkeypatch.setattr(matching, "_SPARE_RANKS", 0)
    certificates = count_certificates(monkeypatch)
    inspectors = [inspector(n, expertise=()) for n in range(8)]
    enterprises = [enterprise(n) for n in range(4)]
    for n in range(60):
        match_params = params(load_cap=1, require_expertise=False, seed=f"widen-{n}")
        result = match(enterprises, inspectors, match_params)
        assert_valid_assignment(result, enterprises, inspectors, match_params)
        assert result.total_cost == brute_force_cost(enterprises, inspectors, match_params)
    assert certificates[False] > 0 and certificates[True] > 0


def three_units_instance():
    """200 enterprises and 45 inspectors in 3 units; a load cap of 10 leaves little slack."""
    rng = random.Random(5)
    inspectors = [inspector(n, unit=n % 3, expertise=()) for n in range(45)]
    enterprises = [enterprise(n, unit=rng.randrange(3)) for n in range(200)]
    return enterprises, inspectors, params(load_cap=10, require_expertise=False)


def test_restricted_arcs_give_the_same_optimum_as_all_arcs(monkeypatch):
    enterprises, inspectors, tight = three_units_instance()
    restricted = match(enterprises, inspectors, tight)
    monkeypatch.setattr(matching, "_SPARE_RANKS", 10**6)
    complete = match(enterprises, inspectors, tight)
    assert_valid_assignment(restricted, enterprises, inspectors, tight)
    assert restricted.total_cost == complete.total_cost


def test_parallel_hashing_gives_the_same_match(monkeypatch):
    """Large instances hash their pairs in worker processes, in chunks of rows; the match must not change."""
    enterprises, inspectors, match_params = three_units_instance()
    in_process = match(enterprises, inspectors, match_params)
    chunks_hashed_by_workers = []

    class Pool(matching.ProcessPoolExecutor):
        def map(self, fn, *iterables, **kwargs):
            results = list(super().map(fn, *iterables, **kwargs))
            chunks_hashed_by_workers.append(len(results))
            return results

    monkeypatch.setattr(matching, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(matching, "_PARALLEL_PAIRS", 0)
    monkeypatch.setattr(matching, "_CHUNK_PAIRS", 150)  # 10 rows of 15 inspectors: several chunks per group
    assert match(enterprises, inspectors, match_params) == in_process
    per_unit = Counter(e.org_unit_id for e in enterprises).values()
    assert chunks_hashed_by_workers == [sum(-(-count // 10) for count in per_unit)]  # one map, every chunk


def test_match_is_deterministic_whatever_the_input_order():
    enterprises, inspectors = generated_trap(units=3)
    match_params = params(load_cap=4)
    expected = match(enterprises, inspectors, match_params)
    rng = random.Random(8)
    for _ in range(3):
        rng.shuffle(enterprises)
        rng.shuffle(inspectors)
        assert match(enterprises, inspectors, match_params) == expected


def test_prefers_best_ranked_inspectors_when_capacity_allows():
    inspectors = [inspector(n) for n in range(6)]
    demand = enterprise(1)
    result = match([demand], inspectors, params())
    best_two = [i.id for i in ranked_eligible(demand, inspectors, params())[:2]]
    assert result.assignments == {1: best_two}
    assert result.total_cost == 1


def test_cross_audit_and_widened_pool():
    inspectors = [inspector(1, unit="U1"), inspector(2, unit="U1"), inspector(3, unit="U2"), inspector(4, unit="U3")]
    cross_audit = params(allowed_org_units_by_enterprise={10: frozenset({"U2", "U3"})})
    result = match([enterprise(10, unit="U1")], inspectors, cross_audit)
    assert sorted(result.assignments[10]) == [3, 4]

    lonely = [enterprise(20, unit="U4")]
    assert not match(lonely, inspectors, params()).ok
    widened = match(lonely, inspectors, params(widen_pool=True))
    assert_valid_assignment(widened, lonely, inspectors, params(widen_pool=True))


def test_three_inspectors_when_required():
    inspectors = [inspector(n) for n in range(3)]
    result = match([enterprise(1, required=3)], inspectors, params())
    assert sorted(result.assignments[1]) == [0, 1, 2]


def test_no_enterprises_is_trivially_matched():
    assert match([], [inspector(1)], params()) == matching.MatchResult({}, (), 0)


# --- infeasible instances ------------------------------------------------------------------------------------


def test_too_few_eligible_inspectors_lists_the_reasons():
    inspectors = [
        inspector(1),
        inspector(2, active=False),
        inspector(3, certificate_valid_until=date(2023, 1, 1)),
        inspector(4, expertise=("电线电缆",)),
        inspector(5, unit="U2"),
        inspector(6, avoid_enterprise_ids=frozenset({1})),
        inspector(7),
    ]
    result = match([enterprise(1, last_inspector_ids=frozenset({7}))], inspectors, params())
    assert not result.ok and result.assignments == {} and result.total_cost is None
    assert result.shortfalls == (
        matching.Shortfall(
            1,
            matching.SHORTFALL_TOO_FEW_ELIGIBLE,
            "仅有1名符合条件的检查人员（需要2名）；不符合条件：不属于负责该企业的单位1名，已停用1名，"
            "执法证已过期或有效期不足至截止日1名，缺少该产品类别的专业1名，在该企业回避名单中1名，上次检查过该企业1名",
        ),
    )


def test_no_inspectors_at_all():
    result = match([enterprise(1)], [], params())
    assert [s.message for s in result.shortfalls] == ["仅有0名符合条件的检查人员（需要2名）"]


def test_capacity_conflict_names_the_competing_enterprises():
    """Enterprises 2 and 3 (电线电缆) both need the same two inspectors, each of whom may take one enterprise;
    enterprise 1 (水泥) has its own three inspectors and is not part of the conflict, nor is unit U2."""
    cable = ("电线电缆",)
    inspectors = [
        inspector(1, expertise=cable),
        inspector(2, expertise=cable),
        inspector(3),
        inspector(4),
        inspector(5),
        inspector(6, unit="U2"),
        inspector(7, unit="U2"),
    ]
    enterprises = [
        enterprise(1),
        enterprise(2, category="电线电缆"),
        enterprise(3, category="电线电缆"),
        enterprise(4, unit="U2"),
    ]
    result = match(enterprises, inspectors, params(load_cap=1))
    assert not result.ok and result.assignments == {}
    message = "检查人员负荷不足：本企业与其他1户企业共需4人次检查，符合条件的2名检查人员在每人最多1户的上限内最多只能承担2人次"
    assert result.shortfalls == (
        matching.Shortfall(2, matching.SHORTFALL_CAPACITY, message),
        matching.Shortfall(3, matching.SHORTFALL_CAPACITY, message),
    )


def test_every_problem_is_reported_together():
    inspectors = [inspector(1), inspector(2), inspector(3, unit="U2"), inspector(4, unit="U2"), inspector(5, unit="U3")]
    enterprises = [enterprise(1), enterprise(2), enterprise(3), enterprise(4, unit="U2"), enterprise(5, unit="U3")]
    result = match(enterprises, inspectors, params(load_cap=2))
    kinds = {s.enterprise_id: s.kind for s in result.shortfalls}
    assert kinds == {
        1: matching.SHORTFALL_CAPACITY,
        2: matching.SHORTFALL_CAPACITY,
        3: matching.SHORTFALL_CAPACITY,
        5: matching.SHORTFALL_TOO_FEW_ELIGIBLE,
    }
    assert "共需6人次" in result.shortfalls[0].message and "最多只能承担4人次" in result.shortfalls[0].message


# --- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enterprises", "inspectors", "match_params", "message"),
    [
        ([enterprise(1, required=1)], [], params(), "不得少于2名"),
        ([enterprise(1), enterprise(1)], [], params(), "企业重复：1"),
        ([], [inspector(1), inspector(1)], params(), "检查人员重复：1"),
        ([], [], params(load_cap=0), "上限应为正整数"),
        ([], [], params(seed=""), "随机种子不能为空"),
        ([], [], params(widen_pool=True, allowed_org_units_by_enterprise={1: frozenset({"U2"})}), "放宽"),
    ],
)
def test_invalid_input_is_rejected(enterprises, inspectors, match_params, message):
    with pytest.raises(ValueError, match=message):
        match(enterprises, inspectors, match_params)
