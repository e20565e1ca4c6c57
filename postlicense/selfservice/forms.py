import uuid

from django import forms
from django.core.exceptions import ValidationError

from postlicense.core.uploads import check_xlsx
from postlicense.inspectors.models import Inspector
from postlicense.registry.credit_code import normalize_credit_code
from postlicense.registry.models import Enterprise
from postlicense.registry.xlsx import MAX_UPLOAD_MB

from . import rules
from .models import Feedback, SelfReport

TEXTAREA = forms.Textarea(attrs={"rows": 3})
YES_NO = [("是", "是"), ("否", "否")]


def no_formula(value):
    if rules.looks_like_formula(value.strip()):
        raise ValidationError("内容不能以 = + - @ 开头（表格会把它当作公式执行），请删除开头的符号。")


class Text(forms.CharField):
    default_validators = [no_formula]

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, required=required, **kwargs)


class TokenForm(forms.Form):
    """A form posted once: the page's token makes a double click the same submission."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class AccountForm(forms.Form):
    credit_code = forms.CharField(label="企业统一社会信用代码", max_length=30)
    username = forms.RegexField(
        label="登录名",
        regex=r"^[A-Za-z0-9_.-]{4,30}$",
        max_length=30,
        error_messages={"invalid": "登录名为4–30位字母、数字或 _ . -"},
    )
    display_name = Text(label="姓名", max_length=50, required=True)
    position = Text(label="职务", max_length=50)
    is_legal_representative = forms.BooleanField(label="此人是企业的法定代表人", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        enterprise = Enterprise.objects.for_user(self.user).filter(credit_code=code).first()
        if enterprise is None:
            raise ValidationError("辖区内没有该统一社会信用代码的企业。")
        self.enterprise = enterprise
        return code


class SelfReportForm(forms.Form):
    """The report's sections; the product rows and checks received come from the report's prefilled content."""

    changes_none = forms.BooleanField(
        label="本年度企业名称、住所、生产地址、法定代表人、产品范围等均无变化", required=False
    )
    changes_text = Text(label="变化情况", max_length=2000, widget=TEXTAREA)
    records_confirmed = forms.BooleanField(label="以上检查和抽查情况属实", required=False)
    records_note = Text(label="补充说明（如有遗漏的检查、抽查，或对结果的说明）", max_length=2000, widget=TEXTAREA)
    declarant = Text(label="声明人（法定代表人或其授权人）", max_length=50)
    declarant_position = Text(label="声明人职务", max_length=50)
    declaration = forms.BooleanField(
        label="本企业承诺：本报告所填内容真实、准确、完整，如有虚假，愿承担相应的法律责任。", required=False
    )

    def __init__(self, *args, report, **kwargs):
        content = report.content
        initial = {
            "changes_none": content["changes"]["none"],
            "changes_text": content["changes"]["text"],
            "records_confirmed": content["records_confirmed"],
            "records_note": content["records_note"],
            "declarant": report.declarant,
            "declarant_position": report.declarant_position,
            "declaration": content["declaration"],
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.report = report
        self.product_rows = []
        for row in content["products"]:
            status, output = f"product-{row['license']}-status", f"product-{row['license']}-output"
            self.fields[status] = forms.ChoiceField(
                label="生产状态",
                required=False,
                choices=[("", "请选择"), *[(s, s) for s in rules.PRODUCTION_STATUSES]],
                initial=row["status"],
            )
            self.fields[output] = Text(label="本年度产量/产值", max_length=100, initial=row["output"])
            self.product_rows.append((row, self[status], self[output]))
        self.check_rows = []
        for key, label in rules.SELF_CHECK_ITEMS:
            answer = content["self_check"][key]
            self.fields[f"check-{key}"] = forms.ChoiceField(
                label=label, required=False, choices=YES_NO, widget=forms.RadioSelect, initial=answer["answer"]
            )
            self.fields[f"check-{key}-note"] = Text(label="说明", max_length=1000, initial=answer["note"])
            self.check_rows.append((self[f"check-{key}"], self[f"check-{key}-note"]))

    def content(self):
        data, old = self.cleaned_data, self.report.content
        return {
            **old,
            "changes": {"none": data["changes_none"], "text": data["changes_text"]},
            "products": [
                {
                    **row,
                    "status": data[f"product-{row['license']}-status"],
                    "output": data[f"product-{row['license']}-output"],
                }
                for row in old["products"]
            ],
            "records_confirmed": data["records_confirmed"],
            "records_note": data["records_note"],
            "self_check": {
                key: {"answer": data[f"check-{key}"], "note": data[f"check-{key}-note"]}
                for key, _ in rules.SELF_CHECK_ITEMS
            },
            "declaration": data["declaration"],
        }


class AmendForm(SelfReportForm):
    reason = Text(
        label="更正原因",
        max_length=1000,
        required=True,
        widget=TEXTAREA,
        error_messages={"required": "请填写更正原因。"},
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, report=report, **kwargs)
        for name in ("declarant", "declarant_position"):
            self.fields[name].disabled = True


class ReviewForm(forms.Form):
    DECISIONS = [
        (SelfReport.Status.QUALIFIED, "合格（在各有效许可证上记录年度检查合格）"),
        (SelfReport.Status.RETURNED, "退回企业补正"),
        (SelfReport.Status.PROBLEMS, "发现问题或可能存在问题，安排实地检查"),
    ]
    decision = forms.ChoiceField(label="审查结论", choices=DECISIONS, widget=forms.RadioSelect)
    note = Text(label="审查意见", max_length=2000, widget=TEXTAREA)
    inspectors = forms.ModelMultipleChoiceField(
        label="实地检查人员（2名以上）",
        queryset=Inspector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(label="实地检查完成期限", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = Inspector.objects.for_user(user).filter(active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("decision") == SelfReport.Status.PROBLEMS and not data.get("due_date"):
            self.add_error("due_date", "安排实地检查须填写完成期限。")
        return data


class LateFilingForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    reason = Text(label="准予逾期补报的理由", max_length=500, required=True)
    until = forms.DateField(label="补报截止日", widget=forms.DateInput(attrs={"type": "date"}))


class NonFilerOrderForm(forms.Form):
    """对未按时提交的企业下达限期改正通知: the selected non-filers and the reason the staff member confirms."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    enterprises = forms.ModelMultipleChoiceField(
        label="企业", queryset=Enterprise.objects.none(), error_messages={"required": "请至少选择一家企业。"}
    )
    reason = Text(
        label="下达理由",
        max_length=100,
        required=True,
        help_text="例如：经电话催告仍未提交。",
        error_messages={"required": "请填写下达理由。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprises"].queryset = Enterprise.objects.for_user(user)


class CorrectionRequestForm(TokenForm):
    message = Text(
        label="需要更正的登记信息",
        max_length=2000,
        required=True,
        widget=TEXTAREA,
        help_text="写明哪一项有误、正确的内容是什么；监管部门核实后更正。",
    )


class CorrectionReplyForm(forms.Form):
    reply = Text(label="处理说明", max_length=2000, required=True, widget=TEXTAREA)


class FeedbackForm(TokenForm):
    inspector = forms.ChoiceField(label="检查人员", error_messages={"invalid_choice": "该人员不是本次检查的检查人员。"})
    categories = forms.MultipleChoiceField(
        label="反映事项",
        choices=Feedback.Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项反映事项。"},
    )
    text = Text(
        label="具体情况",
        max_length=4000,
        required=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="时间、地点、经过；本反馈只送市局，不会告知被反映的检查人员及其所在单位。",
    )
    file = forms.FileField(label="证据材料（照片或 PDF，可不传）", required=False)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.crew = {str(link.inspector_id): link.inspector for link in record.crew.all()}
        self.fields["inspector"].choices = [(pk, i.name) for pk, i in self.crew.items()]


class ConcludeForm(forms.Form):
    substantiated = forms.TypedChoiceField(
        label="核查结论",
        choices=[("1", "反映属实"), ("0", "反映不属实")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    action = Text(label="处理结果", max_length=2000, required=True, widget=TEXTAREA)


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（照片或 PDF）")


class ImportForm(forms.Form):
    file = forms.FileField(label="公示系统导出文件（.xlsx 或 .csv）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB 的上限，请拆分后分批导入。")
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise ValidationError("请上传 .xlsx 或 .csv 格式的文件。")
        if name.endswith(".xlsx"):
            check_xlsx(upload)
        return upload
