import uuid

from django import forms
from django.utils import timezone

from postlicense.core.models import OrgUnit
from postlicense.followup.forms import TokenForm
from postlicense.inspections.models import ChecklistVersion, InspectionRecord
from postlicense.inspections.services import checklist_kind_mismatch
from postlicense.inspectors.models import Inspector
from postlicense.randomcheck.models import YEAR_VALIDATORS
from postlicense.registry.models import Enterprise, ProductCategory

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    org_unit = forms.ModelChoiceField(OrgUnit.objects.none(), label="单位")
    year = forms.IntegerField(label="年度", validators=YEAR_VALIDATORS)
    plan_date = forms.DateField(label="计划基准日", widget=DATE, help_text="按该日的企业名单、监管分类和有效许可证编制")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = (
            OrgUnit.objects.for_user(user).exclude(kind=OrgUnit.Kind.CITY).select_related("region")
        )
        today = timezone.localdate()
        self.initial.setdefault("year", today.year)
        self.initial.setdefault("plan_date", today)


class AdjustForm(forms.Form):
    planned = forms.IntegerField(label="调整后计划次数", min_value=0, max_value=12)
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class FocusForm(forms.Form):
    year = forms.IntegerField(label="年度", validators=YEAR_VALIDATORS)
    categories = forms.ModelMultipleChoiceField(
        ProductCategory.objects.all(), label="重点行业（产品类别）", required=False, widget=forms.CheckboxSelectMultiple
    )


class ClassForm(forms.Form):
    to_class = forms.ChoiceField(label="调整为", choices=Enterprise.SupervisionClass.choices)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class RecheckForm(forms.Form):
    county = forms.ModelChoiceField(OrgUnit.objects.none(), label="被复查单位")
    year = forms.IntegerField(label="年度", validators=YEAR_VALIDATORS)
    deadline = forms.DateField(label="检查截止日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = OrgUnit.objects.for_user(user).filter(kind=OrgUnit.Kind.COUNTY)
        self.initial.setdefault("year", timezone.localdate().year)


class InspectorsForm(forms.Form):
    inspectors = forms.ModelMultipleChoiceField(
        Inspector.objects.none(),
        label="检查人员（可不选，由系统按排序值匹配）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = Inspector.objects.filter(org_unit__in=units, active=True).select_related(
            "org_unit"
        )


class FindingForm(forms.Form):
    text = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 3}))
    serious = forms.BooleanField(label="较大失误（责令改正）", required=False)


class CampaignForm(forms.Form):
    organiser = forms.ModelChoiceField(OrgUnit.objects.none(), label="组织单位")
    name = forms.CharField(label="名称", max_length=200)
    year = forms.IntegerField(label="年度", validators=YEAR_VALIDATORS)
    self_check_start = forms.DateField(label="自查开始", widget=DATE)
    self_check_end = forms.DateField(label="自查结束", widget=DATE)
    audit_start = forms.DateField(label="督查互查开始", widget=DATE)
    audit_end = forms.DateField(label="督查互查结束", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = (
            OrgUnit.objects.for_user(user).filter(children__kind=OrgUnit.Kind.BRANCH).distinct()
        )


class VisitForm(forms.Form):
    branch = forms.ModelChoiceField(OrgUnit.objects.none(), label="被检查单位")
    date = forms.DateField(label="时间", widget=DATE)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = OrgUnit.objects.filter(parent=campaign.organiser, kind=OrgUnit.Kind.BRANCH)


class MaterialsForm(forms.Form):
    materials_sampled = forms.IntegerField(label="抽查巡查、年审材料数", min_value=0)
    materials_overall = forms.CharField(
        label="巡查、年审材料抽查整体情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SelfCheckForm(forms.Form):
    report = forms.FileField(label="自查报告（PDF）")


class CampaignFindingForm(TokenForm):
    enterprise = forms.ModelChoiceField(
        Enterprise.objects.none(),
        label="企业",
        required=False,
        help_text="选择企业时，以被检查分局名义签发责令改正通知书；不选则为对分局工作的发现",
    )
    text = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        if visit.task_id:
            self.fields["enterprise"].queryset = Enterprise.objects.filter(random_draws__task=visit.task_id)


class BatchForm(forms.Form):
    """派发检查: the enterprises furthest behind plan, matched from the plan's unit."""

    KINDS = [
        (kind.value, kind.label)
        for kind in (
            InspectionRecord.Kind.PERIODIC,
            InspectionRecord.Kind.UNSCHEDULED,
            InspectionRecord.Kind.PATROL,
            InspectionRecord.Kind.FLIGHT,
        )
    ]
    count = forms.IntegerField(label="本批企业数", min_value=1, max_value=500, initial=20)
    kind = forms.ChoiceField(label="检查类型", choices=KINDS)
    template_version = forms.ModelChoiceField(ChecklistVersion.objects.none(), label="检查表")
    due_date = forms.DateField(label="完成期限", widget=DATE)
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_version"].queryset = ChecklistVersion.objects.filter(published=True).select_related(
            "template"
        )
        self.initial.setdefault("token", uuid.uuid4())

    def clean(self):
        data = super().clean()
        version, kind = data.get("template_version"), data.get("kind")
        if version and kind and kind not in version.kinds:
            self.add_error("template_version", checklist_kind_mismatch(version, kind))
        return data
