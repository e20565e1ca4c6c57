from django import forms

from postlicense.core.models import OrgUnit, Region
from postlicense.inspections.models import ChecklistVersion
from postlicense.inspections.selectors import current_template
from postlicense.registry.models import Enterprise

from .draw import generate_seed
from .models import DrawnEnterprise, Task

DRAW_FIELDS = ["name", "year", "issuing_unit", "regions", "product_categories", "statuses", "ratio_low", "ratio_medium",
               "ratio_medium_high", "ratio_high", "exclude_recent_months", "deadline", "checklist"]
MATCH_FIELDS = ["inspectors_per_enterprise", "load_cap", "require_expertise", "widen_pool"]


class TaskForm(forms.ModelForm):
    statuses = forms.MultipleChoiceField(label="纳入的生产状态", choices=Enterprise.Status.choices,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text="默认不含停产、注销企业（003 七(五)）")

    class Meta:
        model = Task
        fields = DRAW_FIELDS + MATCH_FIELDS
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "regions": forms.CheckboxSelectMultiple,
                   "product_categories": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuing_unit"].queryset = OrgUnit.objects.for_user(user).select_related("region")
        prefix = user.org_unit.region.scope_prefix if user.org_unit and not user.is_superuser else ""
        self.fields["regions"].queryset = Region.objects.filter(code__startswith=prefix, level=Region.Level.COUNTY)
        self.fields["checklist"].queryset = ChecklistVersion.objects.filter(published=True).select_related("template")
        self.initial.setdefault("statuses", list(self.instance.statuses))
        self.initial.setdefault("checklist", current_template("random_check_003"))
        if self.instance.pk and self.instance.state != Task.State.DRAFT:
            for name in DRAW_FIELDS:
                self.fields[name].disabled = True

    def clean_statuses(self):
        return list(self.cleaned_data["statuses"])


class DrawForm(forms.Form):
    seed = forms.CharField(label="随机种子", max_length=200,
                           help_text="公开的随机种子；可填写公开可查的数值（如某日开奖号码），或由系统用安全随机数生成")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seed"].initial = generate_seed()

    def clean_seed(self):
        seed = self.cleaned_data["seed"]
        if seed != seed.strip():
            raise forms.ValidationError("随机种子首尾不能有空白字符")
        return seed


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
