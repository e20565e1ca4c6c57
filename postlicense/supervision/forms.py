"""Forms of the supervision pages. Every rule is checked in services/rules; a form only parses, limits choices to
the user's jurisdiction and carries the one-time token that makes a double submit create one object."""

import uuid

from django import forms
from django.db.models import Q

from postlicense.core.concurrency import VersionedForm
from postlicense.core.models import OrgUnit
from postlicense.followup.models import RectificationOrder
from postlicense.inspections.models import ChecklistVersion, InspectionRecord
from postlicense.inspections.selectors import versions_for_kind
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, License, ProductCategory

from . import rules
from .models import Complaint, HazardLevel, LabScope, LinkageNotice, TestingLab, TestOrder

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TokenForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4()


class LabForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = TestingLab
        fields = [
            "name",
            "qualification_no",
            "qualification_valid_from",
            "qualification_valid_until",
            "address",
            "contact",
        ]
        widgets = {"qualification_valid_from": DATE, "qualification_valid_until": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("qualification_valid_from"), data.get("qualification_valid_until")
        if start and end and end <= start:
            self.add_error("qualification_valid_until", "资质有效期至须晚于有效期起。")
        return data


class LabScopeForm(forms.ModelForm):
    class Meta:
        model = LabScope
        fields = ["product_category", "report_days"]

    def __init__(self, *args, lab, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.lab = lab
        self.fields["product_category"].queryset = ProductCategory.objects.exclude(
            pk__in=lab.scopes.values("product_category")
        )

    def clean_report_days(self):
        n = self.cleaned_data["report_days"]
        if n is not None and not 1 <= n <= 250:
            raise forms.ValidationError("检验报告期限应为 1 到 250 个工作日。")
        return n


class TestOrderForm(TokenForm):
    """下达监督检验: the licensed product, the trigger (002 第十五条) and what caused it, the samplers."""

    license = forms.ModelChoiceField(License.objects.none(), label="生产许可证（受检企业及产品类别）")
    product = forms.CharField(label="产品名称", max_length=100)
    trigger = forms.ChoiceField(choices=TestOrder.Trigger.choices, label=f"监督检验原因（{rules.TRIGGER_RULE}）")
    trigger_note = forms.CharField(label="原因说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    source_record = forms.ModelChoiceField(
        InspectionRecord.objects.none(), label="来源检查记录", required=False, help_text="发现问题的检查记录（如有）"
    )
    source_notice = forms.ModelChoiceField(LinkageNotice.objects.none(), label="来源通报", required=False)
    source_order = forms.ModelChoiceField(
        RectificationOrder.objects.none(),
        label="复查所依据的责令改正通知书",
        required=False,
        help_text="监督抽查不合格责令改正后的复查抽样（抽查办法 第四十七条）",
    )
    samplers = forms.ModelMultipleChoiceField(
        Inspector.objects.none(),
        label="抽样人员",
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=f"不少于2人，执法证在有效期内（{rules.SAMPLERS_RULE}）",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["license"].queryset = (
            License.objects.for_user(user).filter(status=License.Status.VALID).select_related("enterprise")
        )
        self.fields["license"].label_from_instance = lambda lic: f"{lic.enterprise.name} · {lic.number}"
        self.fields["source_record"].queryset = InspectionRecord.objects.for_user(user).select_related("enterprise")
        self.fields["source_notice"].queryset = LinkageNotice.objects.for_user(user)
        self.fields["source_order"].queryset = RectificationOrder.objects.for_user(user).filter(
            period_key=RectificationOrder.Period.AFTER_TEST,
            status__in=[RectificationOrder.Status.ISSUED, RectificationOrder.Status.REPORTED],
            served_on__isnull=False,
        )
        self.fields["samplers"].queryset = Inspector.objects.for_user(user).filter(active=True)


class SamplingForm(forms.ModelForm):
    """The 抽样单's own fields, posted by the page and by autosave (every field optional until 完成抽样)."""

    class Meta:
        model = TestOrder
        fields = [
            "sampling_date",
            "place",
            "passed_factory_inspection",
            "specification",
            "trademark",
            "batch",
            "batch_size",
            "test_quantity",
            "reserve_quantity",
            "standard",
            "seal_no",
            "sealed_at",
        ]
        widgets = {
            "sampling_date": DATE,
            "place": forms.RadioSelect,
            "sealed_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {
            "place": f"只能在企业成品仓库内或生产现场抽取（{rules.PLACE_RULE}）",
            "batch_size": "被抽样产品的批量，如 500吨",
            "test_quantity": "如 12kg（2袋）",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
        self.fields["place"].choices = TestOrder.Place.choices
        self.fields["passed_factory_inspection"].label = "已核实样品为出厂检验合格的产品"

    def clean_place(self):
        place = self.cleaned_data["place"]
        return place or ""


class NotSampledForm(forms.Form):
    sampling_date = forms.DateField(label="到企业日期", widget=DATE)
    reason = forms.CharField(label="抽样未果原因", widget=forms.Textarea(attrs={"rows": 2}))


class SendingForm(forms.Form):
    lab = forms.ModelChoiceField(TestingLab.objects.none(), label="检验机构")
    sent_date = forms.DateField(label="送样日期", widget=DATE)
    late_reason = forms.CharField(
        label="逾期送样原因", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="超过送检期限时必填"
    )

    def __init__(self, labs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lab"].queryset = labs


class ReceiptForm(forms.Form):
    received_date = forms.DateField(label="检验机构收样日期", widget=DATE)


class ReportForm(forms.Form):
    report_no = forms.CharField(label="检验报告编号", max_length=60)
    report_date = forms.DateField(label="检验报告日期", widget=DATE)
    result = forms.ChoiceField(label="检验结论", choices=TestOrder.Result.choices, widget=forms.RadioSelect)
    failed_items = forms.CharField(
        label="不合格项目", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="不合格时必填"
    )
    hazard_level = forms.ChoiceField(
        label="危害程度", required=False, choices=[("", "—")] + HazardLevel.choices, help_text="不合格时必填"
    )


class NotificationForm(forms.Form):
    notified_date = forms.DateField(label="告知企业日期", widget=DATE)
    notify_method = forms.CharField(label="告知方式", max_length=100, help_text="如 直接送达（送达回证）、邮寄")
    stop_selling_date = forms.DateField(label="责令停止销售日期", required=False, widget=DATE, help_text="不合格时必填")
    stop_selling_method = forms.CharField(label="停止销售告知方式", max_length=100, required=False)


class RetestForm(forms.Form):
    requested_date = forms.DateField(label="复检申请日期", widget=DATE)
    note = forms.CharField(label="复检情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HandledForm(forms.Form):
    handled_date = forms.DateField(label="办结日期", widget=DATE)
    note = forms.CharField(label="处理情况", widget=forms.Textarea(attrs={"rows": 2}))


def enterprise_lookup(user, text):
    """The enterprise a complaint names, by exact credit code or exact name, within the user's jurisdiction."""
    text = (text or "").strip()
    if not text:
        return None
    return Enterprise.objects.for_user(user).filter(Q(credit_code=text.upper()) | Q(name=text)).first()


class ComplaintForm(TokenForm):
    source = forms.ChoiceField(label="来源", choices=Complaint.Source.choices)
    received_date = forms.DateField(label="受理日期", widget=DATE)
    complainant = forms.CharField(label="举报人（可匿名）", max_length=100, required=False)
    enterprise_query = forms.CharField(
        label="被举报企业", max_length=200, help_text="统一社会信用代码或企业全称；未登记的企业按所写记录"
    )
    content = forms.CharField(label="举报内容", widget=forms.Textarea(attrs={"rows": 4}))


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(OrgUnit.objects.none(), label="承办单位")

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = user.org_unit.region if user.org_unit else None
        units = OrgUnit.objects.exclude(kind=OrgUnit.Kind.CITY)
        self.fields["unit"].queryset = (
            units.filter(region__code__startswith=region.scope_prefix) if region else units.none()
        )


class InspectionFields(forms.Form):
    """The special inspection a substantiated complaint or a trigger opens."""

    template_version = forms.ModelChoiceField(ChecklistVersion.objects.none(), label="检查表", required=False)
    inspectors = forms.ModelMultipleChoiceField(
        Inspector.objects.none(), label="检查人员", required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    due_date = forms.DateField(label="完成期限", widget=DATE, required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template_version"].queryset = versions_for_kind(InspectionRecord.Kind.SPECIAL)
        self.fields["inspectors"].queryset = Inspector.objects.for_user(user).filter(active=True)

    def inspection(self):
        data = self.cleaned_data
        if not data.get("template_version"):
            return None
        if not data.get("due_date"):
            self.add_error("due_date", "请填写专项检查的完成期限。")
            return None
        if len(data.get("inspectors") or []) < 2:
            self.add_error("inspectors", f"检查人员不少于2人（{rules.SAMPLERS_RULE}）。")
            return None
        return {k: data[k] for k in ("template_version", "inspectors", "due_date")}


class AnswerForm(InspectionFields):
    substantiated = forms.TypedChoiceField(
        label="核查结果",
        choices=[("1", "举报属实"), ("0", "举报不属实")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answered_date = forms.DateField(label="办结日期", widget=DATE)
    answer = forms.CharField(label="办理结果/答复", widget=forms.Textarea(attrs={"rows": 3}))


class SpecialInspectionForm(TokenForm, InspectionFields):
    """A special inspection opened from the supervision pages, with its trigger's evidence (002 第七条)."""

    enterprise = forms.ModelChoiceField(Enterprise.objects.none(), label="企业")
    trigger = forms.ChoiceField(label="专项检查原因", choices=InspectionRecord.Trigger.choices)
    reference = forms.CharField(
        label="触发依据编号", max_length=200, help_text="举报编号、交办文号、事故报告编号、抽查安排文号等"
    )
    link = forms.URLField(label="媒体报道链接", required=False, assume_scheme="https")
    description = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        self.fields["template_version"].required = True
        self.fields["due_date"].required = True
        self.order_fields(["enterprise", "trigger", "reference", "link", "description"])


class NoticeForm(TokenForm):
    source = forms.ChoiceField(label="通报来源", choices=LinkageNotice.Source.choices)
    doc_no = forms.CharField(label="通报文号", max_length=100)
    doc_date = forms.DateField(label="通报日期", widget=DATE)
    received_date = forms.DateField(label="收到日期", widget=DATE)
    product = forms.CharField(label="产品", max_length=100)
    failed_items = forms.CharField(label="不合格项目/问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    credit_codes = forms.CharField(
        label="通报所列企业",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一家：统一社会信用代码，空格后可写企业名称；或上传名单文件",
    )
    file = forms.FileField(label="或上传名单（.xlsx）", required=False)
