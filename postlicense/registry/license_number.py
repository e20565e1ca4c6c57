"""工业产品生产许可证编号: normalisation, validation, parsing and construction.

Accepted forms (see docs/license-number.md):

    豫XK13-201-00123    issued by a province: 省级简称 + XK + 类别号-产品编号-企业编号
    XK13-201-00123      issued by the national authority (the pre-reform 国家级 form)

On certificates the province is printed in parentheses, ``(豫)XK13-201-00123``; that spelling and the ten
digits without hyphens are accepted and stored in the canonical form above, so one license has one number.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError

# 省级行政区简称 of the 31 provinces, autonomous regions and municipalities, then the official alternates
# (贵州 黔, 云南 滇, 四川 蜀, 陕西 秦, 甘肃 陇).
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新" + "黔滇蜀秦陇"

FORM_HINT = "许可证编号格式应为「省份简称XK两位类别号-三位产品编号-五位企业编号」，如 豫XK13-201-00123；国家级发证的为 XK13-201-00123"

DASHES = re.compile("[\u2010-\u2015\u2212]")  # NFKC already folds the full-width and small hyphens
_BRACKETED_PROVINCE = re.compile(r"^\((.)\)")
_HYPHENLESS = re.compile(r"^(.?XK)(\d{2})(\d{3})(\d{5})$")
_GROUPS = (("类别号", 2), ("产品编号", 3), ("企业编号", 5))


@dataclass(frozen=True)
class LicenseNumber:
    province: str | None
    category_code: str
    unit_code: str
    serial: str

    def __str__(self):
        return f"{self.province or ''}XK{self.category_code}-{self.unit_code}-{self.serial}"


def normalize_license_number(value: str) -> str:
    """NFKC, drop whitespace, upper-case, every dash variant to '-', '(豫)' to '豫', hyphenate ten bare digits."""
    text = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    text = _BRACKETED_PROVINCE.sub(r"\1", DASHES.sub("-", text))
    return _HYPHENLESS.sub(r"\1\2-\3-\4", text)


def parse_license_number(value: str) -> LicenseNumber:
    """Split a number into its parts, or raise ValidationError saying what is wrong and what is expected."""
    text = normalize_license_number(value)
    if not text:
        raise ValidationError(f"请填写许可证编号。{FORM_HINT}", code="required")
    prefix, marker, rest = text.partition("XK")
    if not marker:
        raise ValidationError(f"许可证编号缺少许可标记「XK」。{FORM_HINT}", code="marker")
    if prefix and (len(prefix) != 1 or prefix not in PROVINCES):
        raise ValidationError(f"「{prefix}」不是省、自治区、直辖市的简称。{FORM_HINT}", code="province")
    groups = rest.split("-")
    if len(groups) != len(_GROUPS):
        found = f"，实为「{rest}」" if rest else ""
        raise ValidationError(f"XK 后应为用「-」分隔的三段数字{found}。{FORM_HINT}", code="groups")
    for group, (label, width) in zip(groups, _GROUPS):
        if len(group) != width or not group.isascii() or not group.isdigit():
            raise ValidationError(f"{label}应为{width}位数字，实为「{group}」。{FORM_HINT}", code="group")
    return LicenseNumber(prefix or None, *groups)


def validate_license_number(value: str) -> str:
    """Return the canonical number, or raise ValidationError."""
    return str(parse_license_number(value))


def make_license_number(province: str | None, category_code: str, unit_code: str, serial: int) -> str:
    """A canonical number for demo data; ``province`` None or '' gives the national form."""
    number = LicenseNumber(province or None, category_code, unit_code, f"{serial:05d}")
    try:
        return validate_license_number(str(number))
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
