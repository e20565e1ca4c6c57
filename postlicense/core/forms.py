from django import forms
from django.contrib.auth.forms import UserCreationForm

from . import users
from .concurrency import VersionedForm
from .models import User

ASSIGNMENT_FIELDS = ["display_name", "role", "org_unit"]


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
        self.fields["org_unit"].queryset = users.assignable_units(manager)
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
