from django import forms

from postlicense.core.concurrency import VersionedForm
from postlicense.core.models import OrgUnit, Region
from postlicense.inspections.selectors import current_template, versions_for_kind
from postlicense.registry.models import Enterprise

from .draw import CONTRIBUTION_MAX_LENGTH, STRATA
from .models import DrawnEnterprise, Task
from .rules import deadline_error, ratio_reason_error, ratios_error

PLAN_FIELDS = ["plan_number", "plan_name"]
DRAW_FIELDS = [
    "name",
    "year",
    "issuing_unit",
    "regions",
    "product_categories",
    "statuses",
    "ratio_low",
    "ratio_medium",
    "ratio_medium_high",
    "ratio_high",
    "ratio_reason",
    "exclude_recent_months",
    "deadline",
    "checklist",
]
MATCH_FIELDS = ["inspectors_per_enterprise", "load_cap", "require_expertise", "widen_pool"]


class TaskForm(VersionedForm, forms.ModelForm):
    statuses = forms.MultipleChoiceField(
        label="纳入的生产状态",
        choices=Enterprise.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="默认含停产企业（许昌双随机实施方案 三：全部获证企业）；"
        "只有冻结当日持有有效生产许可证的企业进入候选名单",
    )

    class Meta:
        model = Task
        fields = PLAN_FIELDS + DRAW_FIELDS + MATCH_FIELDS
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ratio_reason": forms.Textarea(attrs={"rows": 2}),
            "regions": forms.CheckboxSelectMultiple,
            "product_categories": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_unit"].queryset = OrgUnit.objects.for_user(user).select_related("region")
        prefix = user.org_unit.region.scope_prefix if user.org_unit and not user.is_superuser else ""
        self.fields["regions"].queryset = Region.objects.filter(code__startswith=prefix, level=Region.Level.COUNTY)
        self.fields["checklist"].queryset = versions_for_kind("random_check")  # 一企两表: the 003 table
        self.initial.setdefault("statuses", list(self.instance.statuses))
        self.initial.setdefault("checklist", current_template("random_check_003"))
        if self.instance.pk and self.instance.state != Task.State.DRAFT:
            for name in DRAW_FIELDS:
                self.fields[name].disabled = True

    def clean_statuses(self):
        return list(self.cleaned_data["statuses"])

    def clean(self):
        cleaned = super().clean()
        ratios = {stratum: cleaned.get(f"ratio_{stratum}") for stratum in STRATA}
        if None not in ratios.values():
            if error := ratios_error(ratios):
                for stratum in STRATA:
                    self.add_error(f"ratio_{stratum}", error)
            elif error := ratio_reason_error(ratios, cleaned.get("ratio_reason", "")):
                self.add_error("ratio_reason", error)
        year, deadline = cleaned.get("year"), cleaned.get("deadline")
        if year and deadline and (error := deadline_error(year, deadline)):
            self.add_error("deadline", error)
        return cleaned


class ContributionForm(forms.Form):
    """One seed contribution; services.add_contribution checks the value (NFC, no "|", no outer blanks)."""

    contributor = forms.CharField(label="贡献人", max_length=50)
    contributor_unit = forms.CharField(label="贡献人单位", max_length=100)
    value = forms.CharField(
        label="贡献值",
        max_length=CONTRIBUTION_MAX_LENGTH,
        strip=False,
        help_text="如现场掷骰子的点数、见证人写下的数字；不能包含“|”，首尾不能有空格",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="取消原因", widget=forms.Textarea(attrs={"rows": 3}), help_text="取消原因将随任务公示"
    )


class SwapForm(forms.Form):
    removed = forms.ModelChoiceField(label="调出人员", queryset=None)
    added = forms.ModelChoiceField(label="调入人员", queryset=None)
    reason = forms.CharField(label="调整原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current, pool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["removed"].queryset = current
        self.fields["added"].queryset = pool


class NotInspectedForm(forms.Form):
    reason = forms.ChoiceField(label="未检查原因", choices=DrawnEnterprise.NotInspected.choices)
    note = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 2}))
