"""统一社会信用代码 rules (GB 32100-2015, with the GB 11714 组织机构代码 check inside it). No database."""

import pytest
from django.core.exceptions import ValidationError

from postlicense.registry.credit_code import (
    ALPHABET,
    credit_code_check_char,
    make_credit_code,
    normalize_credit_code,
    org_code_check_char,
    validate_credit_code,
)

# Published codes of real companies. Each passes both check characters (a misremembered character survives
# both with a chance of about 1 in 341) and was matched to its company in public sources: Wikipedia's
# infobox for 华为, published business-register extracts for the others.
REAL_CODES = {
    "914403001922038216": "华为技术有限公司",
    "91440300708461136T": "深圳市腾讯计算机系统有限公司",
    "9144030071526726XG": "腾讯科技（深圳）有限公司",
    "91330100799655058B": "阿里巴巴（中国）有限公司",
    "91110108551385082Q": "小米科技有限责任公司",
    "91440300192317458F": "比亚迪股份有限公司",
    "91440400192548256N": "珠海格力电器股份有限公司",
    "91520000214434146R": "中航重机股份有限公司",
}


def rejection(value):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(value)
    return caught.value.messages[0]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    """GB 32100-2015 校验码 (check character) and GB 11714 (organization code check digit at position 17)."""
    assert validate_credit_code(code) == code


@pytest.mark.parametrize("code", REAL_CODES)
def test_check_char_of_real_codes(code):
    """GB 32100-2015 校验码: position 18 = 31 − Σ(value·3^i mod 31) mod 31 over positions 1–17."""
    assert credit_code_check_char(code[:17]) == code[17]


def test_org_code_check_worked_examples():
    """GB 11714: weights 3 7 9 10 5 8 4 2, C9 = 11 − Σ mod 11, 10 → X, 11 → 0."""
    # 华为 19220382: 3+63+18+20+0+24+32+4 = 164, 164 mod 11 = 10, 11 − 10 = 1.
    assert org_code_check_char("19220382") == "1"
    # 腾讯科技 71526726: 21+7+45+20+30+56+8+12 = 199, 199 mod 11 = 1, 11 − 1 = 10 → X.
    assert org_code_check_char("71526726") == "X"
    assert org_code_check_char("00000000") == "0"
    # Letters count A=10 … (as in the newer "MA…" bodies): M=22, A=10 → 66+70 = 136, 136 mod 11 = 4, 11 − 4 = 7.
    assert org_code_check_char("MA000000") == "7"


def test_normalize_folds_full_width_case_and_spaces():
    """GB 32100-2015: the code is 18 half-width digits and capital letters; input may be full-width or lower-case."""
    assert normalize_credit_code("  ９１４４０３００７１５２６７２６ｘｇ\u3000") == "9144030071526726XG"
    assert validate_credit_code("9144030071526726xg") == "9144030071526726XG"


def test_empty():
    """A required field: an empty code says so rather than reporting a length of 0."""
    assert rejection("   ") == "请填写统一社会信用代码"


@pytest.mark.parametrize("value, length", [("91440300192203821", 17), ("9144030019220382161", 19)])
def test_length(value, length):
    """GB 32100-2015 代码结构: 18 characters."""
    assert rejection(value) == f"统一社会信用代码长度应为18位，实为{length}位"


def test_forbidden_letters_are_named():
    """GB 32100-2015 代码字符集: the alphabet has no I, O, Z, S or V; every offending character is shown once."""
    message = rejection("91440300I9220O8I16")
    assert message.startswith("统一社会信用代码含有不允许的字符「I」「O」（")
    assert "I、O、Z、S、V" in message


@pytest.mark.parametrize("letter", "IOZSV")
def test_each_forbidden_letter(letter):
    """GB 32100-2015 代码字符集: each of I, O, Z, S, V is named."""
    assert f"「{letter}」" in rejection("91440300192203821" + letter)


def test_region_must_be_digits():
    """GB 32100-2015 代码结构: positions 3–8 are the GB/T 2260 region code, six digits."""
    assert (
        rejection("9144A300192203821" + "6")
        == "统一社会信用代码第3–8位登记管理机关行政区划码应为6位数字，实为「44A300」"
    )


def test_org_code_check_digit():
    """GB 32100-2015 代码结构 / GB 11714: positions 9–17 are an organization code with its own check digit."""
    assert (
        rejection("914403001922038226")
        == "统一社会信用代码第9–17位组织机构代码的校验码错误，第17位应为「1」，实为「2」"
    )


def test_check_character():
    """GB 32100-2015 校验码: a wrong 18th character names the right one."""
    assert rejection("914403001922038217") == "统一社会信用代码校验码错误，第18位应为「6」，实为「7」"


def test_every_single_substitution_is_caught():
    """GB 32100-2015 校验码: 31 is prime and no weight is 0 mod 31, so any one changed character fails the check."""
    code = "914403001922038216"
    for position in range(18):
        for char in ALPHABET:
            if char != code[position]:
                with pytest.raises(ValidationError):
                    validate_credit_code(code[:position] + char + code[position + 1 :])


def test_check_char_rejects_bad_input():
    """GB 32100-2015 校验码 is defined over exactly 17 characters of the code alphabet."""
    with pytest.raises(ValueError):
        credit_code_check_char("9144030019220382")
    with pytest.raises(ValueError):
        credit_code_check_char("9144030019220382I")


@pytest.mark.parametrize("serial", [0, 1, 7, 123_456, 99_999_999])
def test_made_codes_are_valid(serial):
    """Demo data: make_credit_code gives codes that pass every check, region and serial in place."""
    code = make_credit_code("411082", serial)
    assert validate_credit_code(code) == code
    assert code.startswith("91411082") and code[8:16] == f"{serial:08d}"


def test_made_code_other_registry_and_type():
    """GB 32100-2015: position 1 registry department (e.g. 9 市场监管), position 2 organization type."""
    code = make_credit_code("411002", 42, registry_dept="9", org_type="2")
    assert code[:2] == "92" and validate_credit_code(code) == code


@pytest.mark.parametrize(
    "args",
    [("41108", 1), ("41108A", 1), ("411082", -1), ("411082", 100_000_000), ("411082", 1, "I"), ("411082", 1, "9", "O")],
)
def test_make_rejects_bad_arguments(args):
    """GB 32100-2015 代码结构: six-digit region, eight-digit body, code-alphabet positions 1–2."""
    with pytest.raises(ValueError):
        make_credit_code(*args)
