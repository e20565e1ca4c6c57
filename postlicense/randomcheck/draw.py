"""The publicly verifiable enterprise draw of a 双随机 random check (DESIGN.md "The draw must be verifiable").

Anyone holding the published seed and the candidate CSV can re-run the draw: each candidate's rank is
the lowercase hex SHA-256 of ``seed|stratum|credit_code`` and each stratum takes its k lowest ranks,
k = ceil(ratio% × n / 100) (003 三: low/medium/medium_high/high → 10/20/30/50%).

The seed is made after the candidate list is frozen, from at least two contributions of named people:
each is NFC-normalised and they are joined in entry order with SEED_SEPARATOR ("|"), which a contribution may
not contain (nor leading or trailing blanks), so the joined seed splits back into exactly its contributions.
"""

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import BinaryIO, NamedTuple

STRATA = ("low", "medium", "medium_high", "high")
STRATUM_LABELS = {"low": "低风险", "medium": "中风险", "medium_high": "中高风险", "high": "高风险"}
DEFAULT_RATIOS = {"low": 10, "medium": 20, "medium_high": 30, "high": 50}

STRATUM_OF_LABEL = {label: stratum for stratum, label in STRATUM_LABELS.items()}
MIN_CONTRIBUTIONS = 2
SEED_SEPARATOR = "|"
CONTRIBUTION_MAX_LENGTH = 100

# The published candidate list: Chinese headers, each stratum by its Chinese name (the hash uses its key).
CSV_HEADER = "统一社会信用代码,风险等级"

# Uppercase letters and digits cover the 18-character 统一社会信用代码 and the older 15-digit
# registration number; anything else could break the CSV, the "|" separator or open a formula in Excel.
_CREDIT_CODE_RE = re.compile(r"[0-9A-Z]+")


class Candidate(NamedTuple):
    credit_code: str
    stratum: str


class RankedCandidate(NamedTuple):
    credit_code: str
    rank: str


@dataclass(frozen=True)
class StratumResult:
    stratum: str
    ratio: Decimal
    n: int
    k: int
    drawn: tuple[RankedCandidate, ...]


@dataclass(frozen=True)
class DrawResult:
    seed: str
    candidates_digest: str
    strata: tuple[StratumResult, ...]

    def for_stratum(self, stratum: str) -> StratumResult:
        return self.strata[STRATA.index(stratum)]


def _sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rank(seed: str, stratum: str, credit_code: str) -> str:
    return _sha256_hex(f"{seed}|{stratum}|{credit_code}")


def inspector_rank(seed: str, credit_code: str, certificate_no: str) -> str:
    return _sha256_hex(f"{seed}|inspector|{credit_code}|{certificate_no}")


def normalize_contribution(value) -> str:
    """A seed contribution as it enters the seed (NFC), or ValueError saying in Chinese what is wrong with it."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("贡献值不能为空")
    if value != value.strip():
        raise ValueError("贡献值首尾不能有空格或其他空白字符")
    if SEED_SEPARATOR in value:
        raise ValueError(f"贡献值不能包含分隔符“{SEED_SEPARATOR}”")
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("贡献值不能包含换行、制表符等控制字符")
    value = unicodedata.normalize("NFC", value)
    if len(value) > CONTRIBUTION_MAX_LENGTH:
        raise ValueError(f"贡献值最多{CONTRIBUTION_MAX_LENGTH}个字符")
    return value


def join_contributions(values) -> str:
    """The seed: the contributions in entry order, each NFC-normalised, joined with "|" (at least two)."""
    values = [normalize_contribution(value) for value in values]
    if len(values) < MIN_CONTRIBUTIONS:
        raise ValueError(f"随机种子至少需要{MIN_CONTRIBUTIONS}个贡献值（当前{len(values)}个）")
    return SEED_SEPARATOR.join(values)


def validate_seed(seed: str) -> None:
    if not isinstance(seed, str) or not seed.strip():
        raise ValueError("随机种子不能为空")
    if seed != seed.strip():
        raise ValueError("随机种子首尾不能有空白字符")


def validate_ratio(ratio_percent) -> Decimal:
    """Return the ratio as an exact Decimal; floats are refused because 12.3 is not exactly 12.3."""
    if isinstance(ratio_percent, bool) or not isinstance(ratio_percent, int | Decimal | str):
        raise TypeError("抽取比例应为整数或Decimal小数，不能使用浮点数")
    try:
        ratio = Decimal(ratio_percent)
    except InvalidOperation:
        raise ValueError(f"抽取比例不是有效数字：{ratio_percent!r}") from None
    if not ratio.is_finite() or not 0 <= ratio <= 100:
        raise ValueError("抽取比例应在0到100之间")
    if ratio != ratio.quantize(Decimal("0.01")):
        raise ValueError("抽取比例最多保留两位小数")
    return ratio


def sample_size(ratio_percent, n: int) -> int:
    ratio = validate_ratio(ratio_percent)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("候选企业数应为非负整数")
    return math.ceil(Fraction(ratio) * n / 100)


def validate_ratios(ratios: Mapping) -> dict[str, Decimal]:
    unknown = [key for key in ratios if key not in STRATA]
    if unknown:
        raise ValueError(f"未知的风险等级：{unknown[0]!r}")
    missing = [stratum for stratum in STRATA if stratum not in ratios]
    if missing:
        raise ValueError(f"缺少{STRATUM_LABELS[missing[0]]}（{missing[0]}）的抽取比例")
    return {stratum: validate_ratio(ratios[stratum]) for stratum in STRATA}


def _stratum_error(value) -> str:
    return f"风险等级无效：{value!r}（应为{'、'.join(STRATUM_LABELS.values())}之一）"


def _candidate_error(credit_code, stratum) -> str | None:
    if not isinstance(credit_code, str) or not _CREDIT_CODE_RE.fullmatch(credit_code):
        return f"统一社会信用代码无效：{credit_code!r}（只能由数字和大写字母组成）"
    if stratum not in STRATA:
        return _stratum_error(stratum)
    return None


def _canonical_candidates(candidates: Iterable) -> list[Candidate]:
    """Validated candidates sorted by credit code (code point order, i.e. `LC_ALL=C sort`)."""
    seen: set[str] = set()
    rows = []
    for credit_code, stratum in candidates:
        error = _candidate_error(credit_code, stratum)
        if error:
            raise ValueError(error)
        if credit_code in seen:
            raise ValueError(f"统一社会信用代码重复：{credit_code}")
        seen.add(credit_code)
        rows.append(Candidate(credit_code, stratum))
    rows.sort()
    return rows


def _csv_bytes(rows: list[Candidate]) -> bytes:
    lines = [CSV_HEADER, *(f"{row.credit_code},{STRATUM_LABELS[row.stratum]}" for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def candidates_csv_bytes(candidates: Iterable) -> bytes:
    """The canonical candidate CSV: header, rows sorted by credit code, every line ending in \\n."""
    return _csv_bytes(_canonical_candidates(candidates))


def candidates_digest(candidates: Iterable) -> str:
    """SHA-256 of the canonical candidate CSV, so `sha256sum` of the published file reproduces it."""
    return hashlib.sha256(candidates_csv_bytes(candidates)).hexdigest()


def write_candidates_csv(candidates: Iterable, fp: BinaryIO) -> None:
    fp.write(candidates_csv_bytes(candidates))


def read_candidates_csv(fp) -> list[Candidate]:
    """Read a candidate CSV (binary or text file); tolerates a UTF-8 BOM and \\r\\n line ends."""
    data = fp.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("候选企业文件不是UTF-8编码") from None
    lines = data.removeprefix("\ufeff").split("\n")
    if lines[0].removesuffix("\r") != CSV_HEADER:
        raise ValueError(f"第1行表头应为“{CSV_HEADER}”")
    first_line_of: dict[str, int] = {}
    rows = []
    for line_no, line in enumerate(lines[1:], start=2):
        line = line.removesuffix("\r")
        if not line:
            continue
        fields = line.split(",")
        if len(fields) != 2:
            raise ValueError(f"第{line_no}行应有2列（{CSV_HEADER}），实际为{len(fields)}列")
        credit_code, label = fields
        stratum = STRATUM_OF_LABEL.get(label)
        error = _candidate_error(credit_code, stratum) if stratum else _stratum_error(label)
        if error:
            raise ValueError(f"第{line_no}行{error}")
        if credit_code in first_line_of:
            raise ValueError(
                f"第{line_no}行统一社会信用代码重复：{credit_code}（首次出现在第{first_line_of[credit_code]}行）"
            )
        first_line_of[credit_code] = line_no
        rows.append(Candidate(credit_code, stratum))
    return rows


def draw(seed: str, candidates: Iterable, ratios: Mapping = DEFAULT_RATIOS) -> DrawResult:
    """Draw k = ceil(ratio% × n / 100) lowest-ranked candidates per stratum; ties ordered by credit code."""
    validate_seed(seed)
    ratio_by_stratum = validate_ratios(ratios)
    rows = _canonical_candidates(candidates)
    if not rows:
        raise ValueError("候选企业名单为空，无法抽取")
    strata = []
    for stratum in STRATA:
        codes = [row.credit_code for row in rows if row.stratum == stratum]
        ranked = sorted((rank(seed, stratum, credit_code), credit_code) for credit_code in codes)
        ratio = ratio_by_stratum[stratum]
        k = sample_size(ratio, len(ranked))
        drawn = tuple(RankedCandidate(credit_code, row_rank) for row_rank, credit_code in ranked[:k])
        strata.append(StratumResult(stratum=stratum, ratio=ratio, n=len(ranked), k=k, drawn=drawn))
    return DrawResult(seed=seed, candidates_digest=hashlib.sha256(_csv_bytes(rows)).hexdigest(), strata=tuple(strata))
