"""Forms of follow-up: issuing an order, recording its service, the rectification report, dispatching a revisit,
deciding an escalation or closing a problem by decision. The services validate; a ValidationError they raise is put
at its field by `add_errors`."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from postlicense.inspections.rules import CERTIFICATE_RULE
from postlicense.inspectors.models import Inspector

from .models import RectificationOrder
from .rules import DEFAULT_REQUIREMENT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the only format a date input shows


def add_errors(form, exc: ValidationError):
    """A service's error onto the form: at its field when the form has it, otherwise on top."""
    for key, messages in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        form.add_error(key if key in form.fields else None, messages)


class TokenForm(forms.Form):
    """A one-time token: the same form posted twice (a double click) is applied once."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4()


class ProblemChoice(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, problem):
        return problem.description


class IssueForm(TokenForm):
    problems = ProblemChoice(None, label="列入通知书的问题", required=False)
    items = forms.CharField(
        label="其他整改事项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一项；用于不来自本检查记录的事项",
    )
    requirement = forms.CharField(
        label="整改要求",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=DEFAULT_REQUIREMENT,
    )
    measure = forms.ChoiceField(label="处理措施", choices=RectificationOrder.Measure.choices, initial="correct")
    period_key = forms.ChoiceField(
        label="整改期限", choices=RectificationOrder.Period.choices[:2], initial="rectification"
    )
    legal_basis = forms.CharField(
        label="法律依据",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="留空则按期限类别填入默认依据",
    )

    def __init__(self, problems, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = problems

    def clean(self):
        data = super().clean()
        data["item_list"] = [(line.strip(), "") for line in data.get("items", "").splitlines() if line.strip()]
        if not data.get("problems") and not data["item_list"]:
            self.add_error("problems", "请至少选择一个问题或填写一项整改事项。")
        return data


class ServeForm(forms.Form):
    served_on = forms.DateField(label="送达日期", widget=DATE)
    method = forms.ChoiceField(label="送达方式", choices=RectificationOrder.ServiceMethod.choices)
    receiver = forms.CharField(label="签收人", required=False, max_length=50)
    refused = forms.BooleanField(label="受送达人拒绝签收（留置送达）", required=False)
    refusal_note = forms.CharField(
        label="拒收情况", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="拒收人、时间、见证人"
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); their content is checked by the service."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReportForm(TokenForm):
    text = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 6}))
    completed_on = forms.DateField(label="整改完成日期", widget=DATE)
    files = MultipleFileField(
        label="附件（照片或 PDF）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
        help_text="按文件内容检查类型和大小",
    )


class RevisitForm(TokenForm):
    inspectors = forms.ModelMultipleChoiceField(
        Inspector.objects.none(),
        label="检查人员",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=f"不少于2人，持有效执法证，回避者除外（{CERTIFICATE_RULE}）",
    )
    due_date = forms.DateField(label="复查完成期限", widget=DATE)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = (
            Inspector.objects.for_user(user).filter(active=True).select_related("org_unit")
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))
