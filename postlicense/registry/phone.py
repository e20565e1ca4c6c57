"""联系电话: a number a bureau can call back — a mobile number, or a fixed line with its area code.

    mobile       1, then 3-9, then nine digits                13812345678
    fixed line   area code, '-', local number, optional extension after '-'
                 010 and 020-029 (three digits) take 8 digits: 010-12345678
                 every other area code (0 + 3-9 + two digits) takes 7 or 8: 0374-1234567, 0374-1234567-801

What people type is folded first (NFKC, so full-width digits and brackets become ASCII; spaces dropped; every
dash variant becomes '-'; "(0374)1234567" → "0374-1234567"; "转801" → "-801"; a mobile number loses its
separators: "138-1234-5678" → "13812345678"; a fixed line written without its hyphen gets it, the area code's
length being fixed by its first digits: "03741234567" → "0374-1234567").
"""

import re
import unicodedata

from django.core.exceptions import ValidationError

from .license_number import DASHES

_BRACKETED_AREA = re.compile(r"^\((0\d{2,3})\)-?")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_FIXED = re.compile(r"(0(10|2\d)-\d{8}|0[3-9]\d{2}-\d{7,8})(-\d{1,6})?")
_FIXED_WITHOUT_HYPHEN = re.compile(r"(0(?:10|2\d))(\d{8})|(0[3-9]\d{2})(\d{7,8})")
PHONE_HELP = "手机号码，或带区号的固定电话，如 0374-1234567"
HINT = "应为手机号码（如 13812345678）或带区号的固定电话（如 0374-1234567、010-12345678，分机号接在后面：0374-1234567-801）"


def normalize_phone(value: str) -> str:
    text = DASHES.sub("-", "".join(unicodedata.normalize("NFKC", value).split()))
    text = _BRACKETED_AREA.sub(r"\1-", text).replace("转", "-")
    compact = text.replace("-", "")
    if _MOBILE.fullmatch(compact):
        return compact
    if bare := _FIXED_WITHOUT_HYPHEN.fullmatch(text):
        return "-".join(part for part in bare.groups() if part)
    return text


def validate_phone(value: str) -> str:
    """Return the folded number, or raise ValidationError saying which rule it breaks."""
    text = normalize_phone(value)
    if _MOBILE.fullmatch(text) or _FIXED.fullmatch(text):
        return text
    digits = text.replace("-", "")
    if digits.isascii() and digits.isdigit():
        if digits.startswith("1") and len(digits) > 8:
            raise ValidationError(f"手机号码应为13–19开头的11位数字，实为「{text}」（{len(digits)}位）", code="mobile")
        if not digits.startswith("0"):
            raise ValidationError(f"固定电话「{text}」缺少区号：联系电话{HINT}", code="area_code")
    raise ValidationError(f"联系电话「{text}」格式不对：{HINT}", code="phone")
