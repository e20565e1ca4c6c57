"""Inspector matching for a random check (003 五(二)): every drawn enterprise gets `required` (≥2, 002 第9条)
distinct eligible inspectors and no inspector exceeds the load cap. Among all such assignments the one with the
least total cost is chosen, where assigning an inspector costs their position (0, 1, …) in the enterprise's
eligible list ordered by draw.inspector_rank, so seeded ranks decide as in the enterprise draw. Solved exactly
as a min-cost flow: an assignment is found whenever one exists; otherwise the enterprises that cannot be
covered are named with the reason.
"""

import hashlib
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from postlicense.randomcheck.draw import validate_seed

MIN_INSPECTORS = 2

REASON_ORG_UNIT = "不属于负责该企业的单位"
REASON_INACTIVE = "已停用"
REASON_CERTIFICATE_MISSING = "未登记执法证号或有效期"
REASON_CERTIFICATE_EXPIRES = "执法证已过期或有效期不足至截止日"
REASON_EXPERTISE = "缺少该产品类别的专业"
REASON_AVOIDANCE = "在该企业回避名单中"
REASON_LAST_TIME = "上次检查过该企业"
# The order in which eligibility() tests the rules; each ineligible inspector is counted under the first.
REASONS = (
    REASON_ORG_UNIT,
    REASON_INACTIVE,
    REASON_CERTIFICATE_MISSING,
    REASON_CERTIFICATE_EXPIRES,
    REASON_EXPERTISE,
    REASON_AVOIDANCE,
    REASON_LAST_TIME,
)

SHORTFALL_TOO_FEW_ELIGIBLE = "too_few_eligible"
SHORTFALL_CAPACITY = "capacity"

_SOURCE, _SINK, _FIRST_INSPECTOR_NODE = 0, 1, 2
# Ranks beyond `required` that each enterprise offers the solver at first (see _Component.solve).
_SPARE_RANKS = 2
# Hashing every eligible pair is most of the work at scale (about 1 µs a pair in one process): from this many
# pairs on, the pairs are hashed by one process per CPU, in chunks of about _CHUNK_PAIRS.
_PARALLEL_PAIRS = 1_000_000
_CHUNK_PAIRS = 100_000


@dataclass(frozen=True)
class InspectorInfo:
    id: Hashable
    certificate_no: str
    org_unit_id: Hashable
    certificate_valid_until: date | None
    expertise: frozenset[str] = frozenset()
    avoid_enterprise_ids: frozenset = frozenset()
    active: bool = True


@dataclass(frozen=True)
class EnterpriseDemand:
    id: Hashable
    credit_code: str
    org_unit_id: Hashable
    product_category: str
    required: int = MIN_INSPECTORS
    last_inspector_ids: frozenset = frozenset()


@dataclass(frozen=True)
class MatchParams:
    seed: str
    deadline: date
    load_cap: int
    require_expertise: bool = True
    # Any org unit may inspect any enterprise (e.g. a unit without enough inspectors).
    widen_pool: bool = False
    # Enterprise id → org units whose inspectors may inspect it (cross audits: every unit but its own);
    # enterprises not listed are inspected by their own org unit.
    allowed_org_units_by_enterprise: Mapping[Hashable, frozenset] = field(default_factory=dict)


@dataclass(frozen=True)
class Shortfall:
    enterprise_id: Hashable
    kind: str
    message: str


@dataclass(frozen=True)
class MatchResult:
    # Enterprise id → inspector ids, lowest inspector_rank first; empty unless every enterprise is covered.
    assignments: dict
    shortfalls: tuple[Shortfall, ...]
    # Sum over assignments of the inspector's position in the enterprise's ranked eligible list.
    total_cost: int | None

    @property
    def ok(self) -> bool:
        return not self.shortfalls


def _allowed_units(enterprise: EnterpriseDemand, params: MatchParams) -> frozenset | None:
    if params.widen_pool:
        return None
    return frozenset(params.allowed_org_units_by_enterprise.get(enterprise.id, (enterprise.org_unit_id,)))


def _group_reason(
    allowed: frozenset | None, category: str, inspector: InspectorInfo, params: MatchParams
) -> str | None:
    """The rules shared by all enterprises with the same allowed units and product category."""
    if allowed is not None and inspector.org_unit_id not in allowed:
        return REASON_ORG_UNIT
    if not inspector.active:
        return REASON_INACTIVE
    if not inspector.certificate_no or inspector.certificate_valid_until is None:
        return REASON_CERTIFICATE_MISSING
    if inspector.certificate_valid_until < params.deadline:
        return REASON_CERTIFICATE_EXPIRES
    if params.require_expertise and category not in inspector.expertise:
        return REASON_EXPERTISE
    return None


def _pair_reason(enterprise: EnterpriseDemand, inspector: InspectorInfo) -> str | None:
    if enterprise.id in inspector.avoid_enterprise_ids:
        return REASON_AVOIDANCE
    if inspector.id in enterprise.last_inspector_ids:
        return REASON_LAST_TIME
    return None


def eligibility(enterprise: EnterpriseDemand, inspector: InspectorInfo, params: MatchParams) -> str | None:
    """None if the inspector may inspect the enterprise, otherwise the reason why not."""
    allowed = _allowed_units(enterprise, params)
    return _group_reason(allowed, enterprise.product_category, inspector, params) or _pair_reason(enterprise, inspector)


def _validate(enterprises: list[EnterpriseDemand], inspectors: list[InspectorInfo], params: MatchParams) -> None:
    validate_seed(params.seed)
    if isinstance(params.load_cap, bool) or not isinstance(params.load_cap, int) or params.load_cap < 1:
        raise ValueError("每名检查人员的检查户数上限应为正整数")
    if params.widen_pool and params.allowed_org_units_by_enterprise:
        raise ValueError("放宽到全部单位时不能再限定各企业的检查单位")
    for label, items in (("企业", enterprises), ("检查人员", inspectors)):
        duplicated = [item_id for item_id, count in Counter(item.id for item in items).items() if count > 1]
        if duplicated:
            raise ValueError(f"{label}重复：{duplicated[0]}")
    for enterprise in enterprises:
        if not isinstance(enterprise.required, int) or enterprise.required < MIN_INSPECTORS:
            raise ValueError(
                f"企业{enterprise.credit_code}的检查人员不得少于{MIN_INSPECTORS}名（白城事中事后监管办法 第九条）"
            )


@dataclass
class _Group:
    """Enterprises sharing allowed org units and (when expertise is required) product category."""

    allowed: frozenset | None
    category: str
    enterprises: list[EnterpriseDemand] = field(default_factory=list)
    eligible: list[int] = field(default_factory=list)  # inspector indices, ascending
    excluded: Counter = field(default_factory=Counter)  # reason → inspectors failing the shared rules
    # Per enterprise row, the eligible columns in inspector_rank order (see _rank_orders).
    order: np.ndarray | None = None


def _build_groups(enterprises, inspectors, params) -> list[_Group]:
    indices_by_unit = defaultdict(list)
    for index, inspector in enumerate(inspectors):
        indices_by_unit[inspector.org_unit_id].append(index)
    groups: dict[tuple, _Group] = {}
    for enterprise in enterprises:
        allowed = _allowed_units(enterprise, params)
        key = (allowed, enterprise.product_category if params.require_expertise else None)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(allowed, enterprise.product_category)
            if allowed is None:
                in_units = range(len(inspectors))
            else:
                in_units = sorted(index for unit in allowed for index in indices_by_unit.get(unit, ()))
            group.excluded[REASON_ORG_UNIT] = len(inspectors) - len(in_units)
            for index in in_units:
                reason = _group_reason(allowed, group.category, inspectors[index], params)
                if reason:
                    group.excluded[reason] += 1
                else:
                    group.eligible.append(index)
        group.enterprises.append(enterprise)
    return list(groups.values())


def _components(groups: list[_Group], inspectors: list[InspectorInfo]) -> list[list[_Group]]:
    """Groups whose eligible inspectors' org units are connected; each component is solved on its own."""
    parent: dict = {}

    def find(unit):
        while parent.setdefault(unit, unit) != unit:
            parent[unit] = parent[parent[unit]]
            unit = parent[unit]
        return unit

    for group in groups:
        units = {inspectors[index].org_unit_id for index in group.eligible}
        if units:
            root = find(next(iter(units)))
            for unit in units:
                parent[find(unit)] = root
    by_root = defaultdict(list)
    for group in groups:
        by_root[find(inspectors[group.eligible[0]].org_unit_id) if group.eligible else None].append(group)
    return list(by_root.values())


def _rank_order(seed: str, credit_codes: list[str], certificates: list[str]) -> np.ndarray:
    """For each enterprise row, the certificate columns sorted by inspector_rank, ties by column.

    Hashes `seed|inspector|credit_code|certificate_no` exactly like draw.inspector_rank, but compares the
    raw digests (same order as their lowercase hex) without building per-pair Python strings.
    """
    sha256 = hashlib.sha256
    encoded = [certificate.encode("utf-8") for certificate in certificates]
    chunks = []
    for credit_code in credit_codes:
        prefix = f"{seed}|inspector|{credit_code}|".encode()
        chunks.append(b"".join([sha256(prefix + certificate).digest() for certificate in encoded]))
    words = np.frombuffer(b"".join(chunks), dtype=">u8").reshape(len(credit_codes), len(encoded), 4)
    order = np.argsort(words[:, :, 0], axis=1, kind="stable")
    leading = np.take_along_axis(words[:, :, 0], order, axis=1)
    # Equal leading 64 bits: sort those rows on the whole digest (lexsort is stable and its last key leads).
    for row in np.flatnonzero((leading[:, 1:] == leading[:, :-1]).any(axis=1)):
        order[row] = np.lexsort(words[row, :, ::-1].T)
    return order.astype(np.int32)


def _rank_orders(seed: str, groups: list[_Group], inspectors: list[InspectorInfo]) -> None:
    """Set each group's `order` (_rank_order of its enterprises and eligible inspectors).

    Rows are independent, so large groups are cut into chunks of rows, and with enough pairs in all the chunks
    are hashed in parallel ("forkserver": the workers start from a clean process, not a copy of this one and
    its threads) and put back together in order.
    """
    chunks, owners = [], []
    for group in groups:
        if not group.eligible:
            continue
        certificates = [inspectors[index].certificate_no for index in group.eligible]
        codes = [enterprise.credit_code for enterprise in group.enterprises]
        rows = max(1, _CHUNK_PAIRS // len(certificates))
        for start in range(0, len(codes), rows):
            chunks.append((codes[start : start + rows], certificates))
            owners.append(group)
    pairs = sum(len(codes) * len(certificates) for codes, certificates in chunks)
    workers = min(len(os.sched_getaffinity(0)), len(chunks))  # the CPUs this process may run on
    if pairs < _PARALLEL_PAIRS or workers < 2:
        orders = [_rank_order(seed, codes, certificates) for codes, certificates in chunks]
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
            orders = list(pool.map(_rank_order, [seed] * len(chunks), *zip(*chunks)))
    parts = defaultdict(list)
    for group, order in zip(owners, orders):
        parts[id(group)].append(order)
    for group in groups:
        if group.eligible:
            group.order = np.concatenate(parts[id(group)])


def _too_few_message(eligible_count: int, required: int, excluded: Counter) -> str:
    message = f"仅有{eligible_count}名符合条件的检查人员（需要{required}名）"
    counts = "，".join(f"{reason}{excluded[reason]}名" for reason in REASONS if excluded[reason])
    return f"{message}；不符合条件：{counts}" if counts else message


class _Component:
    """The flow network of one component: source → enterprise (cap required) → inspector (cap 1,
    cost = position in the enterprise's ranked eligible list) → sink (cap load cap)."""

    def __init__(self, groups: list[_Group], inspectors: list[InspectorInfo], pair_excluded):
        self.inspector_indices = np.array(sorted({i for group in groups for i in group.eligible}), dtype=np.int64)
        self.first_enterprise_node = _FIRST_INSPECTOR_NODE + len(self.inspector_indices)
        self.enterprises: list[EnterpriseDemand] = []
        self.shortfalls: list[Shortfall] = []
        tails, heads, costs = [], [], []
        for group in groups:
            arcs = self._group_arcs(group, inspectors, pair_excluded)
            if arcs:
                tails.append(arcs[0])
                heads.append(arcs[1])
                costs.append(arcs[2])
        self.arc_tails = np.concatenate(tails) if tails else np.zeros(0, dtype=np.int64)
        self.arc_heads = np.concatenate(heads) if heads else np.zeros(0, dtype=np.int64)
        self.arc_costs = np.concatenate(costs) if costs else np.zeros(0, dtype=np.int64)
        self.required = np.array([enterprise.required for enterprise in self.enterprises], dtype=np.int64)

    def _group_arcs(self, group, inspectors, pair_excluded):
        if not group.eligible:
            for enterprise in group.enterprises:
                message = _too_few_message(0, enterprise.required, group.excluded)
                self.shortfalls.append(Shortfall(enterprise.id, SHORTFALL_TOO_FEW_ELIGIBLE, message))
            return None
        column_of = {index: column for column, index in enumerate(group.eligible)}
        eligible = np.ones((len(group.enterprises), len(group.eligible)), dtype=bool)
        for row, enterprise in enumerate(group.enterprises):
            for index in pair_excluded(enterprise):
                if index in column_of:
                    eligible[row, column_of[index]] = False
        order = group.order
        ranked_eligible = np.take_along_axis(eligible, order, axis=1)
        positions = np.cumsum(ranked_eligible, axis=1) - 1
        counts = eligible.sum(axis=1)
        first_row_node = self.first_enterprise_node + len(self.enterprises)
        kept = np.zeros(len(group.enterprises), dtype=bool)
        for row, enterprise in enumerate(group.enterprises):
            if counts[row] >= enterprise.required:
                kept[row] = True
                self.enterprises.append(enterprise)
                continue
            excluded = group.excluded.copy()
            for column in np.flatnonzero(~eligible[row]):
                excluded[_pair_reason(enterprise, inspectors[group.eligible[column]])] += 1
            message = _too_few_message(int(counts[row]), enterprise.required, excluded)
            self.shortfalls.append(Shortfall(enterprise.id, SHORTFALL_TOO_FEW_ELIGIBLE, message))
        rows, ranks = np.nonzero(ranked_eligible & kept[:, None])
        enterprise_nodes = first_row_node + np.cumsum(kept) - 1
        group_inspector_nodes = _FIRST_INSPECTOR_NODE + np.searchsorted(self.inspector_indices, group.eligible)
        return enterprise_nodes[rows], group_inspector_nodes[order[rows, ranks]], positions[rows, ranks]

    def _arcs(self, load_cap: int, included: np.ndarray):
        """Source arcs, sink arcs, then the included enterprise → inspector arcs (in enterprise, rank order)."""
        enterprise_nodes = self.first_enterprise_node + np.arange(len(self.enterprises))
        inspector_nodes = _FIRST_INSPECTOR_NODE + np.arange(len(self.inspector_indices))
        match_count = int(np.count_nonzero(included))
        tails = np.concatenate([np.full(len(enterprise_nodes), _SOURCE), inspector_nodes, self.arc_tails[included]])
        heads = np.concatenate([enterprise_nodes, np.full(len(inspector_nodes), _SINK), self.arc_heads[included]])
        capacities = np.concatenate(
            [self.required, np.full(len(inspector_nodes), load_cap), np.ones(match_count, dtype=np.int64)]
        )
        source_and_sink_costs = np.zeros(len(enterprise_nodes) + len(inspector_nodes), dtype=np.int64)
        costs = np.concatenate([source_and_sink_costs, self.arc_costs[included]])
        return tails, heads, capacities, costs

    def solve(self, inspectors: list[InspectorInfo], load_cap: int):
        """(assignments, cost) of a min-cost assignment over all eligible arcs, or None if none exists.

        The solver first sees only each enterprise's best-ranked arcs; its result is accepted only if it is
        provably optimal for the complete graph (_optimal_for_all_arcs), otherwise the rank limit doubles
        until, at worst, every arc is included, so leaving arcs out never loses feasibility or optimality.
        """
        demand = int(self.required.sum())
        first_match_arc = len(self.enterprises) + len(self.inspector_indices)
        limit = int(self.required.max()) + _SPARE_RANKS
        while True:
            included = self.arc_costs < limit
            complete = bool(included.all())
            flow = min_cost_flow.SimpleMinCostFlow()
            tails, heads, capacities, costs = self._arcs(load_cap, included)
            flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
            flow.set_node_supply(_SOURCE, demand)
            flow.set_node_supply(_SINK, -demand)
            status = flow.solve()
            if status == flow.OPTIMAL:
                flows = flow.flows(np.arange(len(tails)))
                used = flows[first_match_arc:] == 1
                loads = flows[len(self.enterprises) : first_match_arc]
                if complete or self._optimal_for_all_arcs(included, used, loads, load_cap):
                    return self._assignments(inspectors, np.flatnonzero(included)[used]), int(flow.optimal_cost())
            elif status != flow.INFEASIBLE:
                raise RuntimeError(f"min cost flow failed with status {status}")
            elif complete:
                return None
            limit *= 2

    def _optimal_for_all_arcs(self, included, used, loads, load_cap: int) -> bool:
        """Whether a min-cost flow over the included arcs is also min-cost over all arcs.

        Shortest-path distances in its residual graph (Bellman–Ford from a virtual root; that graph has no
        negative cycle because the flow is optimal there) give every residual arc a non-negative reduced cost.
        The excluded arcs carry no flow, so each adds one forward residual arc; if those too have non-negative
        reduced costs, the complete residual graph has no negative cycle, which proves optimality.
        """
        tails, heads, costs = self.arc_tails[included], self.arc_heads[included], self.arc_costs[included]
        inspector_nodes = _FIRST_INSPECTOR_NODE + np.arange(len(self.inspector_indices))
        unsaturated, loaded = inspector_nodes[loads < load_cap], inspector_nodes[loads > 0]
        residual_tails = np.concatenate([heads[used], tails[~used], unsaturated, np.full(len(loaded), _SINK)])
        residual_heads = np.concatenate([tails[used], heads[~used], np.full(len(unsaturated), _SINK), loaded])
        residual_costs = np.concatenate(
            [-costs[used], costs[~used], np.zeros(len(unsaturated) + len(loaded), dtype=np.int64)]
        )
        potential = np.zeros(self.first_enterprise_node + len(self.enterprises), dtype=np.int64)
        while True:
            relaxed = potential.copy()
            np.minimum.at(relaxed, residual_heads, potential[residual_tails] + residual_costs)
            if np.array_equal(relaxed, potential):
                break
            potential = relaxed
        excluded = ~included
        reduced = potential[self.arc_tails[excluded]] + self.arc_costs[excluded] - potential[self.arc_heads[excluded]]
        return bool((reduced >= 0).all())

    def _assignments(self, inspectors: list[InspectorInfo], used_arcs: np.ndarray) -> dict:
        assignments = {enterprise.id: [] for enterprise in self.enterprises}
        enterprise_rows = self.arc_tails[used_arcs] - self.first_enterprise_node
        inspector_indices = self.inspector_indices[self.arc_heads[used_arcs] - _FIRST_INSPECTOR_NODE]
        for enterprise_row, inspector_index in zip(enterprise_rows.tolist(), inspector_indices.tolist()):
            assignments[self.enterprises[enterprise_row].id].append(inspectors[inspector_index].id)
        return assignments

    def capacity_shortfalls(self, load_cap: int) -> list[Shortfall]:
        """Enterprises on the source side of a minimum cut: together they need more inspections than their
        eligible inspectors can give, Σ_i min(load cap, number of these enterprises i may inspect) (Hall)."""
        tails, heads, capacities, _ = self._arcs(load_cap, np.ones(len(self.arc_tails), dtype=bool))
        flow = max_flow.SimpleMaxFlow()
        flow.add_arcs_with_capacity(tails, heads, capacities)
        status = flow.solve(_SOURCE, _SINK)
        if status != flow.OPTIMAL:
            raise RuntimeError(f"max flow failed with status {status}")
        if flow.optimal_flow() == self.required.sum():
            return []
        source_side = np.array(flow.get_source_side_min_cut(), dtype=np.int64)
        rows = np.sort(source_side[source_side >= self.first_enterprise_node] - self.first_enterprise_node)
        in_cut = np.zeros(len(self.enterprises), dtype=bool)
        in_cut[rows] = True
        reachable_arcs = in_cut[self.arc_tails - self.first_enterprise_node]
        degree = np.bincount(
            self.arc_heads[reachable_arcs] - _FIRST_INSPECTOR_NODE, minlength=len(self.inspector_indices)
        )
        pool = int(np.count_nonzero(degree))
        capacity = int(np.minimum(degree, load_cap).sum())
        demand = int(self.required[rows].sum())
        message = (
            f"检查人员负荷不足：本企业与其他{len(rows) - 1}户企业共需{demand}人次检查，"
            f"符合条件的{pool}名检查人员在每人最多{load_cap}户的上限内最多只能承担{capacity}人次"
        )
        return [Shortfall(self.enterprises[row].id, SHORTFALL_CAPACITY, message) for row in rows.tolist()]


def match(
    enterprises: Iterable[EnterpriseDemand],
    inspectors: Iterable[InspectorInfo],
    params: MatchParams,
    timings: dict | None = None,
) -> MatchResult:
    """Assign inspectors to every enterprise or explain, per enterprise, why that is impossible.

    `timings`, if given, receives seconds spent building the network ("build") and solving it ("solve"),
    and the number of enterprise → inspector arcs ("arcs").
    """
    started = time.perf_counter()
    solving = 0.0
    arc_count = 0
    enterprises = sorted(enterprises, key=lambda enterprise: enterprise.id)
    inspectors = sorted(inspectors, key=lambda inspector: inspector.id)
    _validate(enterprises, inspectors, params)
    groups = _build_groups(enterprises, inspectors, params)
    _rank_orders(params.seed, groups, inspectors)
    avoided_by = defaultdict(list)
    for index, inspector in enumerate(inspectors):
        for enterprise_id in inspector.avoid_enterprise_ids:
            avoided_by[enterprise_id].append(index)
    index_of_id = {inspector.id: index for index, inspector in enumerate(inspectors)}

    def pair_excluded(enterprise: EnterpriseDemand) -> list[int]:
        last_time = [index_of_id[i] for i in enterprise.last_inspector_ids if i in index_of_id]
        return avoided_by.get(enterprise.id, []) + last_time

    shortfalls: list[Shortfall] = []
    assignments: dict = {}
    total_cost = 0
    for component_groups in _components(groups, inspectors):
        component = _Component(component_groups, inspectors, pair_excluded)
        shortfalls.extend(component.shortfalls)
        arc_count += len(component.arc_tails)
        if not component.enterprises:
            continue
        solve_started = time.perf_counter()
        solved = None if shortfalls else component.solve(inspectors, params.load_cap)
        if solved is None:
            shortfalls.extend(component.capacity_shortfalls(params.load_cap))
        else:
            assignments.update(solved[0])
            total_cost += solved[1]
        solving += time.perf_counter() - solve_started
    if timings is not None:
        timings.update(build=time.perf_counter() - started - solving, solve=solving, arcs=arc_count)
    if shortfalls:
        return MatchResult({}, tuple(sorted(shortfalls, key=lambda shortfall: shortfall.enterprise_id)), None)
    return MatchResult(assignments, (), total_cost)
