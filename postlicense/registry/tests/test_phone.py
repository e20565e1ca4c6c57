"""联系电话 rule (registry/phone.py): a mobile number 1[3-9] + 9 digits, or a fixed line with its area code
(0374-1234567, 010-12345678) and an optional extension. No database."""

import pytest
from django.core.exceptions import ValidationError

from postlicense.registry.phone import normalize_phone, validate_phone


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "19912345678",
        "14712345678",
        "0374-1234567",
        "010-12345678",
        "0374-6123456-801",
        "021-87654321",
        "0991-1234567",
    ],
)
def test_mobile_and_fixed_lines_with_area_code_are_accepted(value):
    assert validate_phone(value) == value


@pytest.mark.parametrize(
    "value, folded",
    [
        ("１３８１２３４５６７８", "13812345678"),  # full-width digits
        (" 138 1234 5678 ", "13812345678"),  # spaces anywhere
        ("138-1234-5678", "13812345678"),  # a mobile number keeps no separators
        ("0374－1234567", "0374-1234567"),  # full-width hyphen
        ("0374\u20141234567", "0374-1234567"),  # em dash
        ("（0374）1234567", "0374-1234567"),  # area code in brackets
        ("(010)-12345678", "010-12345678"),
        ("0374-1234567转801", "0374-1234567-801"),  # extension written with 转
        ("03741234567", "0374-1234567"),  # hyphen left out: 0374 is a four-digit area code
        ("01012345678", "010-12345678"),  # 010 and 02x are three digits long
        ("02187654321", "021-87654321"),
    ],
)
def test_typed_spellings_fold_to_one_form(value, folded):
    assert normalize_phone(value) == folded
    assert validate_phone(value) == folded


def rejection(value):
    with pytest.raises(ValidationError) as caught:
        validate_phone(value)
    return caught.value


@pytest.mark.parametrize("value", ["1381234567", "138123456789", "12812345678", "11012345678"])
def test_a_mobile_number_needs_eleven_digits_starting_13_to_19(value):
    error = rejection(value)
    assert error.code == "mobile" and "11位" in error.messages[0]


@pytest.mark.parametrize("value", ["6123456", "61234567", "1234567"])
def test_a_fixed_line_without_area_code_is_refused(value):
    error = rejection(value)
    assert error.code == "area_code" and "缺少区号" in error.messages[0]


@pytest.mark.parametrize(
    "value",
    [
        "0374-12345",
        "0374-123456789",
        "010-1234567",
        "0123-1234567",
        "0374-1234567-1234567",
        "037-",
        "电话 0374",
        "tel:13812345678",
        "13812345678、0374-1234567",
    ],
)
def test_other_shapes_are_refused_with_the_accepted_forms(value):
    error = rejection(value)
    assert "0374-1234567" in error.messages[0] and "13812345678" in error.messages[0]
