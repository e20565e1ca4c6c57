"""工业产品生产许可证编号 rules (docs/license-number.md). No database.

The number is XK + 两位行业(类别)编号-三位产品编号-五位企业编号 (《工业产品生产许可证管理条例实施办法》);
a province-issued license puts the province's short name in front (省级发证, printed as "(豫)XK…").
"""

import pytest
from django.core.exceptions import ValidationError

from postlicense.registry.license_number import (
    FORM_HINT,
    LicenseNumber,
    make_license_number,
    normalize_license_number,
    parse_license_number,
    validate_license_number,
)

PROVINCE_SHORT_NAMES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"


def rejection(value):
    with pytest.raises(ValidationError) as caught:
        validate_license_number(value)
    message = caught.value.messages[0]
    assert message.endswith(FORM_HINT)
    return message.removesuffix(FORM_HINT)


@pytest.mark.parametrize(
    "value, canonical",
    [
        ("豫XK13-201-00123", "豫XK13-201-00123"),
        ("京XK16-204-00234", "京XK16-204-00234"),
        ("XK13-201-00123", "XK13-201-00123"),
        ("(豫)XK13-201-00123", "豫XK13-201-00123"),
        ("（豫）ＸＫ１３－２０１－００１２３", "豫XK13-201-00123"),
        (" 豫 xk13 - 201 - 00123 ", "豫XK13-201-00123"),
        ("xk13\u2014201\u201300123", "XK13-201-00123"),
        ("豫XK13\u2212201\ufe6300123", "豫XK13-201-00123"),
        ("豫XK1320100123", "豫XK13-201-00123"),
    ],
)
def test_accepted_spellings_have_one_canonical_form(value, canonical):
    """Provincial and national forms; full-width, lower-case, spaced, any dash, bracketed province, bare digits."""
    assert validate_license_number(value) == canonical


@pytest.mark.parametrize("province", PROVINCE_SHORT_NAMES)
def test_all_31_provinces(province):
    """省级发证: the short name of each of the 31 provinces, autonomous regions and municipalities."""
    assert validate_license_number(f"{province}XK06-001-00001") == f"{province}XK06-001-00001"


@pytest.mark.parametrize("province", "黔滇蜀秦陇")
def test_alternate_short_names(province):
    """贵州 黔, 云南 滇, 四川 蜀, 陕西 秦, 甘肃 陇 are official short names too."""
    assert parse_license_number(f"{province}XK06-001-00001").province == province


def test_parse_provincial():
    """省级发证: province, 类别号, 产品编号 and 企业编号 come apart."""
    assert parse_license_number("豫XK13-201-00123") == LicenseNumber("豫", "13", "201", "00123")


def test_parse_national():
    """The national authority's form has no province."""
    number = parse_license_number("XK13-201-00123")
    assert number.province is None
    assert str(number) == "XK13-201-00123"


def test_normalize_only_reformats():
    """Normalisation changes spelling only; judging the result is parse's job."""
    assert normalize_license_number("（鲁）ｘｋ06－001－00039") == "鲁XK06-001-00039"
    assert normalize_license_number("not a number") == "NOTANUMBER"


def test_empty():
    """A required field: an empty number says so, with the accepted forms."""
    assert rejection(" ") == "请填写许可证编号。"


def test_hint_shows_the_accepted_forms():
    """Every rejection shows both accepted forms with an example."""
    assert "省份简称XK两位类别号-三位产品编号-五位企业编号" in FORM_HINT
    assert "豫XK13-201-00123" in FORM_HINT and "XK13-201-00123" in FORM_HINT.split("；")[1]


def test_missing_marker():
    """XK (许可) is mandatory."""
    assert rejection("豫13-201-00123") == "许可证编号缺少许可标记「XK」。"


@pytest.mark.parametrize("prefix", ["港", "河南", "Y", "(豫"])
def test_unknown_province(prefix):
    """Only the short name of a province-level division may precede XK."""
    assert rejection(f"{prefix}XK13-201-00123") == f"「{prefix}」不是省、自治区、直辖市的简称。"


@pytest.mark.parametrize(
    "rest, expected",
    [
        ("13-20100123", "XK 后应为用「-」分隔的三段数字，实为「13-20100123」。"),
        ("13-201-001-23", "XK 后应为用「-」分隔的三段数字，实为「13-201-001-23」。"),
        ("", "XK 后应为用「-」分隔的三段数字。"),
        ("1-201-00123", "类别号应为2位数字，实为「1」。"),
        ("AB-201-00123", "类别号应为2位数字，实为「AB」。"),
        ("13-2O1-00123", "产品编号应为3位数字，实为「2O1」。"),
        ("13-201-0123", "企业编号应为5位数字，实为「0123」。"),
        ("13-201-001234", "企业编号应为5位数字，实为「001234」。"),
    ],
)
def test_groups(rest, expected):
    """Two-digit category, three-digit product, five-digit enterprise serial, separated by hyphens."""
    assert rejection(f"豫XK{rest}") == expected


def test_make_provincial_and_national():
    """Demo data: make_license_number builds the canonical form."""
    assert make_license_number("豫", "13", "201", 123) == "豫XK13-201-00123"
    assert make_license_number(None, "16", "204", 234) == "XK16-204-00234"
    assert make_license_number("", "16", "204", 234) == "XK16-204-00234"


@pytest.mark.parametrize(
    "args",
    [
        ("港", "13", "201", 1),
        ("豫", "1", "201", 1),
        ("豫", "13", "21", 1),
        ("豫", "13", "201", 100_000),
        ("豫", "13", "201", -1),
    ],
)
def test_make_rejects_bad_arguments(args):
    """Demo numbers obey the same province and 2-3-5 digit rules."""
    with pytest.raises(ValueError):
        make_license_number(*args)
