"""Model fields that keep a code in one canonical spelling and carry its rule as their validator.

The rule sits on the model field, so every way in — the register's forms, Django admin (both through
`full_clean`), the API (DRF's ModelSerializer takes the model field's validators; `CanonicalSerializerMixin`
folds the value as `to_python` does) and the .xlsx import (`RowCheck.clean` calls the field) — refuses a
wrong value with the same Chinese message and stores the same spelling.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

from .credit_code import normalize_credit_code, validate_credit_code
from .license_number import normalize_license_number, validate_license_number
from .phone import PHONE_HELP, normalize_phone, validate_phone


class CanonicalCharField(models.CharField):
    """`to_python` folds what people type with `canonical`; `default_validators` explain what is still wrong.

    The rule's own length check replaces max_length's generic one (two messages for one mistake), and the
    form input has no maxlength: a browser would cut a pasted code with spaces before it is folded.
    """

    canonical = staticmethod(str.strip)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators[:] = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value)
        return self.canonical(value) if isinstance(value, str) and value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": None, **kwargs})


class CreditCodeField(CanonicalCharField):
    """统一社会信用代码, checked by GB 32100-2015 (credit_code.py)."""

    canonical = staticmethod(normalize_credit_code)
    default_validators = [validate_credit_code]


class LicenseNumberField(CanonicalCharField):
    """许可证编号 in its canonical form 豫XK13-201-00123 (license_number.py)."""

    canonical = staticmethod(normalize_license_number)
    default_validators = [validate_license_number]


class PhoneField(CanonicalCharField):
    """联系电话: mobile or fixed line with area code (phone.py)."""

    canonical = staticmethod(normalize_phone)
    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", PHONE_HELP)
        super().__init__(*args, **kwargs)
