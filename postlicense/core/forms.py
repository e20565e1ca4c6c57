from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import security_events, users
from .concurrency import VersionedForm
from .deadlines import check_n
from .models import DeadlineSetting, User
from .selectors import org_units_for

ASSIGNMENT_FIELDS = ["display_name", "role", "org_unit"]


def _attrs(attrs):
    """Django's widgets/attrs.html: in the widget's order, True as a bare name, False left out."""
    return mark_safe(  # noqa: S308 (format_html's escaped output)
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
            for name, value in attrs.items()
            if value is not False
        )
    )


class PlainSelect(forms.Select):
    """A <select> with the markup of Django's Select, written in Python: Django renders every <option> through two
    template includes, which made the seven selects of the enterprise list's filters a third of that page's render
    (issue 12 item 7; bench/request_cpu.py). Same context (get_context), same attributes, same escaping."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _attrs(widget["attrs"]))]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            parts += [
                format_html('<option value="{}"{}>{}</option>', str(o["value"]), _attrs(o["attrs"]), o["label"])
                for o in options
            ]
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every part above is format_html's escaped output)


class UsernameLengthMixin:
    """A username longer than any account's is refused at the field, before authenticate() runs and django-axes
    records the failure (its AccessAttempt.username holds 255 characters: a longer one was an HTTP 500 on
    PostgreSQL). AuthenticationForm sets max_length on the field after it is built, so it is not validated.
    The refusal is still a failed login in the audit trail, as authenticate() would have made it."""

    def clean_username(self):
        username = self.cleaned_data["username"]
        limit = User._meta.get_field("username").max_length
        if len(username) > limit:
            security_events.login_failed(self.request, username)
            raise ValidationError(f"用户名不能超过 {limit} 个字符（您输入了 {len(username)} 个）。", code="max_length")
        return username


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="动态口令或恢复码",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class AssignmentMixin:
    """A bureau user's name, role and org unit; the choices offered are what the manager may assign."""

    def limit_choices(self, manager):
        self.fields["display_name"].required = True
        self.fields["role"].choices = [(r.value, r.label) for r in users.MANAGED_ROLES]
        self.fields["org_unit"].required = True
        self.fields["org_unit"].queryset = org_units_for(manager)
        self.fields["org_unit"].empty_label = "请选择"


class UserForm(VersionedForm, AssignmentMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ASSIGNMENT_FIELDS

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(manager)


class NewUserForm(AssignmentMixin, UserCreationForm):
    """A new user: a login name unique whatever its case, a first password under Django's password rules."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", *ASSIGNMENT_FIELDS]

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_choices(manager)


class DeadlineSettingForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = DeadlineSetting
        fields = ["n", "basis"]
        labels = {"n": "数值"}

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["n"].help_text = "月日，如 625 表示 6月25日" if unit == "月日" else f"单位：{unit}"
        self.fields["basis"].help_text = "法规条款，或“本局规定”"

    def clean_n(self):
        check_n(self.unit, self.cleaned_data["n"])
        return self.cleaned_data["n"]
