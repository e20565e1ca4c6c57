import hashlib
import io
import math
import random
import re
from decimal import Decimal

import pytest

from postlicense.randomcheck import draw

SEED = "a3f1c9e2b7d04f6a8c5e1b2d3f4a6c7e"
FIXED_DIGEST = "34062a3231261833b59b60c9154cea187585f7f6cf12607aec6891adfc00e5b7"


def candidate_list(count: int, rng: random.Random) -> list[draw.Candidate]:
    return [draw.Candidate(f"9141{n:013d}{rng.choice('ABCX')}", rng.choice(draw.STRATA)) for n in range(count)]


def test_rank_is_sha256_of_seed_stratum_credit_code():
    """DESIGN "The draw must be verifiable": rank = hex SHA-256 of UTF-8 `seed|stratum|credit_code`."""
    expected = hashlib.sha256(f"{SEED}|high|91410100MA9X8Y7Z6K".encode()).hexdigest()
    assert draw.rank(SEED, "high", "91410100MA9X8Y7Z6K") == expected
    # Fixed vector (from `printf %s '…' | sha256sum`): changing the formula must break this test.
    assert expected == "77c21847a72a4631a1da09092af356b472f739f1c09cfaef0ddaffe655cb805a"


def test_inspector_rank_is_sha256_of_seed_inspector_credit_code_certificate():
    expected = hashlib.sha256(f"{SEED}|inspector|91410100MA9X8Y7Z6K|豫执法1001".encode()).hexdigest()
    assert draw.inspector_rank(SEED, "91410100MA9X8Y7Z6K", "豫执法1001") == expected
    assert expected == "fa53527b38626e31f25bbfd134e8bd599070290cf5ba31af37a50d3d3a916a19"


def test_default_ratios_follow_003():
    """003 三: low/medium/medium-high/high risk enterprises are drawn at 10/20/30/50%."""
    assert draw.STRATA == ("low", "medium", "medium_high", "high")
    assert draw.DEFAULT_RATIOS == {"low": 10, "medium": 20, "medium_high": 30, "high": 50}


@pytest.mark.parametrize(
    ("ratio", "n", "k"),
    [
        (10, 1, 1),
        (10, 10, 1),
        (10, 11, 2),
        (0, 25, 0),
        (100, 25, 25),
        (20, 0, 0),
        (50, 3, 2),
        (Decimal("12.5"), 8, 1),
        (Decimal("12.5"), 9, 2),
        ("33.33", 3, 1),
        # float arithmetic would give 0.07 × 10000 / 100 = 7.000000000000001 → 8
        (Decimal("0.07"), 10000, 7),
    ],
)
def test_sample_size_is_exact_ceiling(ratio, n, k):
    """003 三: 10/20/30/50% of each stratum, rounded up: k = ceil(ratio × n / 100)."""
    assert draw.sample_size(ratio, n) == k


@pytest.mark.parametrize("ratio", [-1, Decimal("100.01"), "101", Decimal("NaN"), Decimal("Infinity")])
def test_ratio_outside_0_to_100_is_rejected(ratio):
    with pytest.raises(ValueError, match="抽取比例应在0到100之间"):
        draw.validate_ratio(ratio)


def test_ratio_with_more_than_two_decimals_is_rejected():
    with pytest.raises(ValueError, match="最多保留两位小数"):
        draw.validate_ratio(Decimal("10.001"))
    assert draw.validate_ratio(Decimal("10.500")) == Decimal("10.5")


@pytest.mark.parametrize("ratio", [0.1, True, None])
def test_ratio_must_not_be_float(ratio):
    with pytest.raises(TypeError, match="抽取比例"):
        draw.validate_ratio(ratio)


def test_draw_takes_lowest_ranks_per_stratum():
    """003 三: 10/20/30/50% per stratum, the k lowest SHA-256 ranks, recomputed here with hashlib."""
    candidates = candidate_list(257, random.Random(1))
    result = draw.draw(SEED, candidates, draw.DEFAULT_RATIOS)
    assert [stratum.stratum for stratum in result.strata] == list(draw.STRATA)
    for stratum in draw.STRATA:
        codes = [c.credit_code for c in candidates if c.stratum == stratum]
        ranked = sorted((hashlib.sha256(f"{SEED}|{stratum}|{code}".encode()).hexdigest(), code) for code in codes)
        k = math.ceil(draw.DEFAULT_RATIOS[stratum] * len(codes) / 100)
        outcome = result.for_stratum(stratum)
        assert (outcome.n, outcome.k, outcome.ratio) == (len(codes), k, Decimal(draw.DEFAULT_RATIOS[stratum]))
        assert outcome.drawn == tuple((code, rank) for rank, code in ranked[:k])
    assert result.seed == SEED
    assert result.candidates_digest == draw.candidates_digest(candidates)


def test_draw_does_not_depend_on_candidate_order():
    """003 三: the same seed and list give the same 10/20/30/50% sample in any row order."""
    candidates = candidate_list(120, random.Random(2))
    shuffled = candidates[:]
    random.Random(3).shuffle(shuffled)
    assert draw.draw(SEED, shuffled, draw.DEFAULT_RATIOS) == draw.draw(SEED, candidates, draw.DEFAULT_RATIOS)


def test_draw_with_custom_ratios():
    """003 三 sets 10/20/30/50% by default; a task may set other ratios (e.g. all of the high-risk stratum)."""
    candidates = candidate_list(60, random.Random(4))
    ratios = {"low": 0, "medium": Decimal("12.5"), "medium_high": "30", "high": 100}
    result = draw.draw(SEED, candidates, ratios)
    high = [c.credit_code for c in candidates if c.stratum == "high"]
    assert result.for_stratum("low").drawn == ()
    assert sorted(code for code, _ in result.for_stratum("high").drawn) == sorted(high)
    medium = result.for_stratum("medium")
    assert medium.k == math.ceil(Decimal("12.5") * medium.n / 100)


def test_draw_rejects_empty_seed_and_empty_list():
    candidates = candidate_list(3, random.Random(5))
    with pytest.raises(ValueError, match="随机种子不能为空"):
        draw.draw("", candidates, draw.DEFAULT_RATIOS)
    with pytest.raises(ValueError, match="随机种子不能为空"):
        draw.draw("   ", candidates, draw.DEFAULT_RATIOS)
    with pytest.raises(ValueError, match="候选企业名单为空"):
        draw.draw(SEED, [], draw.DEFAULT_RATIOS)


def test_draw_rejects_bad_ratios_and_candidates():
    candidates = candidate_list(3, random.Random(6))
    with pytest.raises(ValueError, match="缺少中高风险"):
        draw.draw(SEED, candidates, {"low": 10, "medium": 20, "high": 50})
    with pytest.raises(ValueError, match="未知的风险等级"):
        draw.draw(SEED, candidates, {**draw.DEFAULT_RATIOS, "extreme": 80})
    with pytest.raises(ValueError, match="抽取比例应在0到100之间"):
        draw.draw(SEED, candidates, {**draw.DEFAULT_RATIOS, "high": 150})
    with pytest.raises(ValueError, match="统一社会信用代码重复"):
        draw.draw(SEED, [*candidates, (candidates[0].credit_code, "low")], draw.DEFAULT_RATIOS)
    with pytest.raises(ValueError, match="风险等级无效"):
        draw.draw(SEED, [("91410100MA9X8Y7Z6K", "中风险")], draw.DEFAULT_RATIOS)
    with pytest.raises(ValueError, match="统一社会信用代码无效"):
        draw.draw(SEED, [("9141,0100", "low")], draw.DEFAULT_RATIOS)


def test_candidate_csv_is_canonical_and_its_sha256_is_the_digest():
    """The published CSV (Chinese headers and stratum names) has `sha256sum` equal to the recorded digest."""
    candidates = [("91411000MA4B5C6D7E", "low"), ("91410100MA9X8Y7Z6K", "high")]
    buffer = io.BytesIO()
    draw.write_candidates_csv(candidates, buffer)
    data = buffer.getvalue()
    assert data == "统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,高风险\n91411000MA4B5C6D7E,低风险\n".encode()
    assert draw.candidates_digest(candidates) == hashlib.sha256(data).hexdigest()
    # Fixed vector from `printf '统一社会信用代码,风险等级\n…' | sha256sum`.
    assert draw.candidates_digest(candidates) == FIXED_DIGEST


def test_candidate_csv_round_trip_and_order_independent_digest():
    candidates = candidate_list(200, random.Random(7))
    buffer = io.BytesIO()
    draw.write_candidates_csv(candidates, buffer)
    buffer.seek(0)
    read = draw.read_candidates_csv(buffer)
    assert sorted(read) == sorted(candidates)
    reversed_digest = draw.candidates_digest(reversed(candidates))
    assert reversed_digest == draw.candidates_digest(candidates) == hashlib.sha256(buffer.getvalue()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", reversed_digest)


def test_read_candidate_csv_tolerates_bom_and_crlf():
    data = "\ufeff统一社会信用代码,风险等级\r\n91410100MA9X8Y7Z6K,高风险\r\n91411000MA4B5C6D7E,低风险\r\n".encode()
    assert draw.read_candidates_csv(io.BytesIO(data)) == [
        ("91410100MA9X8Y7Z6K", "high"),
        ("91411000MA4B5C6D7E", "low"),
    ]
    text = io.StringIO("统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,中高风险\n")
    assert draw.read_candidates_csv(text) == [("91410100MA9X8Y7Z6K", "medium_high")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("credit_code,stratum\n", "第1行表头应为"),
        ("统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K\n", "第2行应有2列"),
        ("统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,高风险,extra\n", "第2行应有2列"),
        ("统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,高风险\n91411000MA4B5C6D7E,极高风险\n", "第3行风险等级无效"),
        (
            "统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,high\n",
            "第2行风险等级无效：'high'（应为低风险、中风险、中高风险、高风险之一）",
        ),
        (
            "统一社会信用代码,风险等级\n91410100MA9X8Y7Z6K,高风险\n91411000MA4B5C6D7E,低风险\n91410100MA9X8Y7Z6K,低风险\n",
            "第4行统一社会信用代码重复：91410100MA9X8Y7Z6K（首次出现在第2行）",
        ),
        ("统一社会信用代码,风险等级\n 91410100MA9X8Y7Z6K,高风险\n", "第2行统一社会信用代码无效"),
    ],
)
def test_read_candidate_csv_rejects_bad_rows_naming_the_line(content, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        draw.read_candidates_csv(io.BytesIO(content.encode()))


def test_read_candidate_csv_rejects_non_utf8():
    with pytest.raises(ValueError, match="UTF-8"):
        draw.read_candidates_csv(io.BytesIO("统一社会信用代码,风险等级\n".encode("gbk")))


def test_seed_joins_contributions_in_entry_order_with_a_bar():
    """DESIGN "The draw must be verifiable": the seed is the contributions in entry order joined with "|"."""
    assert draw.join_contributions(["骰子 4 2 6", "20230711"]) == "骰子 4 2 6|20230711"
    assert draw.join_contributions(["b", "a", "c"]) == "b|a|c"


def test_seed_needs_at_least_two_contributions():
    """DESIGN "The draw must be verifiable": contributions from at least two named people."""
    with pytest.raises(ValueError, match="至少需要2个贡献值（当前1个）"):
        draw.join_contributions(["骰子 4 2 6"])
    with pytest.raises(ValueError, match="当前0个"):
        draw.join_contributions([])


def test_contributions_are_nfc_normalised():
    """ "é" typed as e + combining accent and as one character are the same contribution, so the same seed."""
    decomposed, composed = "cafe\u0301 12", "caf\u00e9 12"
    assert draw.normalize_contribution(decomposed) == composed
    assert draw.join_contributions([decomposed, "7"]) == draw.join_contributions([composed, "7"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        (" 42", "首尾不能有空格"),
        ("42\u3000", "首尾不能有空格"),
        ("4|2", "不能包含分隔符“|”"),
        ("4\n2", "控制字符"),
        ("x" * 101, "最多100个字符"),
        (42, "不能为空"),
    ],
)
def test_contribution_refuses_the_separator_outer_blanks_and_control_characters(value, message):
    """The joined seed must split back into exactly its contributions: no "|", no blanks at either end."""
    with pytest.raises(ValueError, match=re.escape(message)):
        draw.normalize_contribution(value)
