"""统一社会信用代码 (GB 32100-2015): normalisation, validation and construction.

Layout of the 18 characters:

    1      登记管理部门代码
    2      机构类别代码
    3-8    登记管理机关行政区划码 (GB/T 2260, six digits)
    9-17   主体标识码 = 组织机构代码 (GB 11714: eight body characters + one check character)
    18     校验码

The alphabet is the digits and the capital letters without I, O, Z, S and V; a character's value is its
index in ``ALPHABET``. The check character has value ``31 - sum(value_i * 3**i mod 31) mod 31`` over the
first 17 characters (a result of 31 becomes 0).

The 组织机构代码 check character (GB 11714-1997) has value ``11 - sum(value_i * w_i) mod 11`` over the
eight body characters, with weights 3 7 9 10 5 8 4 2 and letter values A=10 … Z=35; 10 is written X and
11 is written 0.
"""

import unicodedata

from django.core.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_LABEL = "统一社会信用代码"


def normalize_credit_code(value: str) -> str:
    """Strip, fold full-width characters to half-width (NFKC) and upper-case."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character (position 18) of the first 17 characters."""
    if len(first17) != 17 or any(char not in _VALUES for char in first17):
        raise ValueError(f"需要17位代码字符，收到「{first17}」")
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of the eight-character 组织机构代码 body (positions 9-16)."""
    if len(body) != 8 or not body.isascii() or not body.isalnum():
        raise ValueError(f"需要8位组织机构代码本体，收到「{body}」")
    total = sum(int(char, 36) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> str:
    """Return the normalised code, or raise ValidationError naming the first rule it breaks."""
    code = normalize_credit_code(value)
    if not code:
        raise ValidationError(f"请填写{_LABEL}", code="required")
    if len(code) != 18:
        raise ValidationError(f"{_LABEL}长度应为18位，实为{len(code)}位", code="length")
    bad = "".join(dict.fromkeys(char for char in code if char not in _VALUES))
    if bad:
        listed = "".join(f"「{char}」" for char in bad)
        raise ValidationError(
            f"{_LABEL}含有不允许的字符{listed}（只能是数字和除 I、O、Z、S、V 以外的大写字母）", code="charset"
        )
    if not code[2:8].isdigit():
        raise ValidationError(f"{_LABEL}第3–8位登记管理机关行政区划码应为6位数字，实为「{code[2:8]}」", code="region")
    expected_org = org_code_check_char(code[8:16])
    if code[16] != expected_org:
        raise ValidationError(
            f"{_LABEL}第9–17位组织机构代码的校验码错误，第17位应为「{expected_org}」，实为「{code[16]}」",
            code="org_code_check",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(f"{_LABEL}校验码错误，第18位应为「{expected}」，实为「{code[17]}」", code="check")
    return code


def make_credit_code(region_code: str, serial: int, registry_dept: str = "9", org_type: str = "1") -> str:
    """A valid code for demo data: the 组织机构代码 body is ``serial`` as eight digits."""
    if len(region_code) != 6 or not (region_code.isascii() and region_code.isdigit()):
        raise ValueError(f"行政区划码应为6位数字，收到「{region_code}」")
    if not 0 <= serial <= 99_999_999:
        raise ValueError(f"序号应在0–99999999之间，收到{serial}")
    if registry_dept not in _VALUES or org_type not in _VALUES:
        raise ValueError(f"登记管理部门代码和机构类别代码应为代码字符，收到「{registry_dept}」「{org_type}」")
    body = f"{serial:08d}"
    first17 = f"{registry_dept}{org_type}{region_code}{body}{org_code_check_char(body)}"
    return first17 + credit_code_check_char(first17)
