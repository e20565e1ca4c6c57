"""Forms of license decisions, interviews, cases and the tracking list (the services check the rules again)."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from postlicense.core.models import User
from postlicense.inspections.models import Problem
from postlicense.registry.forms import counties_for
from postlicense.registry.models import Enterprise, License

from .models import Case, Interview
from .models import LicenseDecisionProposal as P
from .stoppage import REASONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = "请填写{}。"


def _req(label, **kwargs):
    return {"label": label, "error_messages": {"required": REQUIRED.format(label)}, **kwargs}


class ProposalForm(forms.Form):
    license = forms.ModelChoiceField(queryset=License.objects.none(), **_req("许可证"))
    kind = forms.ChoiceField(choices=P.Kind.choices, **_req("建议处理"))
    ground = forms.ChoiceField(choices=P.Ground.choices, **_req("事由"))
    facts = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **_req("事实与理由"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["license"].queryset = (
            License.objects.for_user(user)
            .filter(status__in=[License.Status.VALID, License.Status.EXPIRED])
            .select_related("enterprise")
            .order_by("enterprise__name", "number")
        )
        self.fields["license"].label_from_instance = lambda lic: f"{lic.enterprise.name} {lic.number}"


class NoteForm(forms.Form):
    note = forms.CharField(label="意见/说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **_req("理由"))


class DecisionForm(forms.Form):
    number = forms.CharField(max_length=100, help_text="如 豫市监许吊〔2026〕3号", **_req("决定文号"))
    date = forms.DateField(widget=DATE, **_req("决定日期"))
    outcome = forms.ChoiceField(choices=P.Outcome.choices, **_req("决定结果"))
    authority = forms.CharField(max_length=100, **_req("作出决定的机关"))
    note = forms.CharField(label="决定内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].initial = proposal.license.issuing_authority


def open_problems(form, user, enterprise):
    """The open problems of the chosen enterprise (the posted one, or the one the page was opened for); none before
    an enterprise is chosen, so a county's whole list is never offered."""
    chosen = form.data.get("enterprise") if form.is_bound else (enterprise.pk if enterprise else None)
    if not str(chosen or "").isdigit():
        form.fields["problems"].help_text = "从建议约谈名单或带企业参数进入时，可勾选该企业未关闭的问题"
        return Problem.objects.none()
    return (
        Problem.objects.for_user(user)
        .filter(enterprise_id=int(chosen), status__in=[Problem.Status.OPEN, Problem.Status.PERSISTING])
        .select_related("enterprise")
    )


def staff_users(user):
    return (
        User.objects.for_user(user)
        .filter(is_active=True, role__in=[User.Role.CITY_ADMIN, User.Role.COUNTY_STAFF, User.Role.INSPECTOR])
        .order_by("org_unit_id", "username")
    )


class InterviewNoticeForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), **_req("企业"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **_req("约谈事由"))
    problems = forms.ModelMultipleChoiceField(
        queryset=Problem.objects.none(), required=False, label="涉及的问题", widget=forms.CheckboxSelectMultiple
    )
    notice_date = forms.DateField(widget=DATE, **_req("通知日期"))
    scheduled_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"), **_req("约谈时间")
    )
    place = forms.CharField(max_length=200, **_req("约谈地点"))
    officials = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="至少两名执法人员",
        **_req("约谈人员"),
    )

    def __init__(self, *args, user, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        if enterprise is not None:
            self.fields["enterprise"].initial = enterprise.pk
        self.fields["problems"].queryset = open_problems(self, user, enterprise)
        self.fields["problems"].label_from_instance = lambda p: (
            f"{p.enterprise.name}：{p.description[:40]}（{p.get_status_display()}）"
        )
        self.fields["officials"].queryset = staff_users(user)


COMMITMENT_LINE = re.compile(r"^(?P<content>.+?)\s*(?:[|｜]\s*(?P<due>\d{4}-\d{1,2}-\d{1,2}))?\s*$")


def parse_commitments(text):
    """[(content, date | None)] from lines "事项" or "事项 | 2026-12-15"; a bad date raises a ValidationError."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        m = COMMITMENT_LINE.match(line.strip())
        due = None
        if m["due"]:
            try:
                due = date.fromisoformat("-".join(part.zfill(2) for part in m["due"].split("-")))
            except ValueError:
                raise ValidationError(f"第{n}行的期限“{m['due']}”不是有效日期。") from None
        out.append((m["content"].strip(), due))
    return out


class InterviewHoldForm(forms.Form):
    attendee_kind = forms.ChoiceField(choices=Interview.Attendee.choices, **_req("被约谈人身份"))
    attendee_name = forms.CharField(max_length=50, **_req("被约谈人姓名"))
    attendee_position = forms.CharField(label="职务", max_length=50, required=False)
    authorisation = forms.FileField(
        label="授权委托书", required=False, help_text="委托代理人参加时必传：法定代表人签字的授权委托书（图片或 PDF）"
    )
    record = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="每段以“问：”或“答：”开头，一问一答依次记录",
        **_req("约谈记录"),
    )
    commitments = forms.CharField(
        label="承诺事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项；可在“|”后写期限，如：完善原材料进货查验记录 | 2026-12-15。不写期限的按默认期限计算",
    )
    attendee_signed = forms.BooleanField(label="被约谈人已在笔录上签字确认", required=False)

    def clean_commitments(self):
        return parse_commitments(self.cleaned_data["commitments"])


class RefusalForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **_req("拒不到场情况说明"))


class FulfilForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **_req("完成情况"))


class CaseForm(forms.Form):
    enterprise = forms.ModelChoiceField(queryset=Enterprise.objects.none(), **_req("企业"))
    clue = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **_req("案件线索"))
    problems = forms.ModelMultipleChoiceField(
        queryset=Problem.objects.none(), required=False, label="涉及的问题", widget=forms.CheckboxSelectMultiple
    )
    discovered_on = forms.DateField(widget=DATE, **_req("发现线索日期"))
    receiver_kind = forms.ChoiceField(choices=Case.Receiver.choices, **_req("移交对象"))
    receiver = forms.CharField(max_length=100, help_text="如 本局执法稽查科、县公安局", **_req("接收单位"))
    referred_on = forms.DateField(widget=DATE, **_req("移交/移送日期"))
    link = forms.CharField(label="案件系统链接", max_length=500, required=False, help_text="http:// 或 https:// 开头")

    def __init__(self, *args, user, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user).order_by("name")
        if enterprise is not None:
            self.fields["enterprise"].initial = enterprise.pk
        self.fields["problems"].queryset = open_problems(self, user, enterprise)
        self.fields["problems"].label_from_instance = lambda p: f"{p.enterprise.name}：{p.description[:40]}"


class FilingForm(forms.Form):
    filed_on = forms.DateField(widget=DATE, **_req("立案日期"))
    case_number = forms.CharField(max_length=100, help_text="案号或立案审批表编号", **_req("案号"))
    link = forms.CharField(label="案件系统链接", max_length=500, required=False, help_text="http:// 或 https:// 开头")


class SuspendForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=3650, **_req("不计入期限的天数"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="如 检测 2026-10-09 至 2026-10-28", **_req("事由")
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=Case.Outcome.choices, **_req("处理结果"))
    decided_on = forms.DateField(widget=DATE, **_req("决定日期"))
    note = forms.CharField(label="处理结果说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TrackingFilterForm(forms.Form):
    region = forms.ChoiceField(label="区县", required=False)
    reason = forms.ChoiceField(label="来源", required=False, choices=[("", "全部"), *REASONS])
    q = forms.CharField(label="企业名称/信用代码", required=False, max_length=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部"), *((r.code, r.name) for r in counties_for(user))]


class ProposalFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *P.Status.choices])
    kind = forms.ChoiceField(label="建议处理", required=False, choices=[("", "全部"), *P.Kind.choices])
