from django import forms

from postlicense.core.concurrency import VersionedForm
from postlicense.core.models import OrgUnit, User
from postlicense.registry.credit_code import normalize_credit_code
from postlicense.registry.forms import DATE
from postlicense.registry.models import Enterprise, ProductCategory

from .models import Inspector


class InspectorForm(VersionedForm, forms.ModelForm):
    avoid_codes = forms.CharField(
        label="回避企业",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="与本人存在利害关系、检查时须回避的企业：每行一个统一社会信用代码",
    )

    class Meta:
        model = Inspector
        fields = [
            "name",
            "org_unit",
            "position",
            "phone",
            "certificate_no",
            "certificate_valid_from",
            "certificate_valid_until",
            "expertise",
            "active",
            "user",
        ]
        widgets = {
            "certificate_valid_from": DATE,
            "certificate_valid_until": DATE,
            "expertise": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.for_user(user)
        self.fields["expertise"].queryset = ProductCategory.objects.filter(active=True)
        self.fields["user"].queryset = User.objects.for_user(user).filter(role=User.Role.INSPECTOR)
        self.scoped_enterprises = Enterprise.objects.for_user(user)
        if self.instance.pk:
            self.initial["avoid_codes"] = "\n".join(
                self.instance.avoid_enterprises.values_list("credit_code", flat=True)
            )

    def get_versioned_fields(self):
        return [*self._meta.fields, "avoid_enterprises"]

    def posted_values(self):
        return {**super().posted_values(), "avoid_enterprises": self.cleaned_data["avoid_codes"]}

    def clean_avoid_codes(self):
        codes = [normalize_credit_code(c) for c in self.cleaned_data["avoid_codes"].split()]
        found = {e.credit_code: e for e in self.scoped_enterprises.filter(credit_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(f"未找到以下信用代码的企业（或不在您的管辖范围内）：{'、'.join(unknown)}")
        return list(found.values())

    def clean_certificate_no(self):
        return self.cleaned_data["certificate_no"].strip().upper()

    def save(self, commit=True):
        inspector = super().save(commit)
        inspector.avoid_enterprises.set(self.cleaned_data["avoid_codes"])
        return inspector

    def clean(self):
        data = super().clean()
        start, end = data.get("certificate_valid_from"), data.get("certificate_valid_until")
        if start and end and end <= start:
            self.add_error("certificate_valid_until", "有效期至须晚于有效期起。")
        return data


class InspectorFilterForm(forms.Form):
    q = forms.CharField(label="姓名/证号/电话", required=False)
    org_unit = forms.ModelChoiceField(label="单位", queryset=OrgUnit.objects.none(), required=False, empty_label="全部")
    certificate = forms.ChoiceField(
        label="执法证",
        required=False,
        choices=[("", "全部"), ("valid", "有效"), ("expiring", "90天内到期"), ("expired", "已过期")],
    )
    active = forms.ChoiceField(label="在岗", required=False, choices=[("", "全部"), ("1", "在岗"), ("0", "不在岗")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.for_user(user)

    def filters(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "org_unit": data["org_unit"].pk if data["org_unit"] else None,
            "certificate": data["certificate"],
            "active": data["active"],
        }
