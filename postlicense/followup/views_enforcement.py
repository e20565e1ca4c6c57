"""Pages of license decisions, interviews, cases and the 停产/转产 tracking list (thin: the rules are in the services).

Record pages and their lists are read by every role inside its scope (an inspector: the enterprises they inspected;
an enterprise user: its own; the quality archive links to them); every action is for bureau staff (_staff)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core.access import require_bureau_staff
from postlicense.core.audit import record_export
from postlicense.core.http import attachment
from postlicense.core.scoping import get_scoped_or_404
from postlicense.registry.models import Enterprise

from . import cases, decisions, interviews, printing_enforcement, stoppage
from .forms_enforcement import (
    CaseForm,
    DecisionForm,
    FilingForm,
    FulfilForm,
    InterviewHoldForm,
    InterviewNoticeForm,
    NoteForm,
    OutcomeForm,
    ProposalFilterForm,
    ProposalForm,
    ReasonForm,
    RefusalForm,
    SuspendForm,
    TrackingFilterForm,
)
from .models import InterviewCommitment
from .models import LicenseDecisionProposal as P

PAGE = 50


def _apply(form, exc):
    """A service's ValidationError at the form's fields (keys the form lacks go to the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _page(request, qs):
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


# license decisions


@login_required
def proposal_list(request):
    form = ProposalFilterForm(request.GET or None)
    qs = decisions.proposals_for(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    return render(
        request,
        "followup/decision_list.html",
        {"form": form, "page": _page(request, qs), "today": timezone.localdate()},
    )


@login_required
def proposal_create(request):
    require_bureau_staff(request.user, "使用此功能")
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            p = decisions.propose(d["license"], kind=d["kind"], ground=d["ground"], facts=d["facts"], by=request.user)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "许可处理建议已提出，待县局确认。")
            return redirect(p)
    return render(request, "followup/decision_form.html", {"form": form, "title": "提出许可处理建议"})


def _proposal_context(request, p):
    u = request.user
    return {
        "p": p,
        "can_confirm": p.status == P.Status.PROPOSED and decisions.is_county(u),
        "can_forward": p.status == P.Status.CONFIRMED and decisions.is_city(u),
        "can_decide": p.status == P.Status.FORWARDED and decisions.is_city(u),
        "can_dismiss": p.status in (P.Status.PROPOSED, P.Status.CONFIRMED) and u.is_bureau_staff,
        "note_form": NoteForm(),
        "reason_form": ReasonForm(),
    }


@login_required
def proposal_detail(request, pk):
    p = decisions.proposal_for(request.user, pk)
    return render(request, "followup/decision_detail.html", _proposal_context(request, p))


def _step(request, pk, action, form_class, done):
    require_bureau_staff(request.user, "使用此功能")
    p = decisions.proposal_for(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(p, request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, done)
            return redirect(p)
    ctx = _proposal_context(request, p)
    ctx["note_form" if form_class is NoteForm else "reason_form"] = form
    return render(request, "followup/decision_detail.html", ctx, status=400)


@login_required
@require_POST
def proposal_confirm(request, pk):
    return _step(request, pk, lambda p, u, note: decisions.confirm(p, u, note), NoteForm, "已确认，待市局转报。")


@login_required
@require_POST
def proposal_forward(request, pk):
    return _step(request, pk, lambda p, u, note: decisions.forward(p, u, note), NoteForm, "已转报许可机关。")


@login_required
@require_POST
def proposal_dismiss(request, pk):
    return _step(request, pk, lambda p, u, reason: decisions.dismiss(p, u, reason), ReasonForm, "已记录不予提请。")


@login_required
def proposal_decide(request, pk):
    require_bureau_staff(request.user, "使用此功能")
    p = decisions.proposal_for(request.user, pk)
    form = DecisionForm(request.POST or None, proposal=p)
    if request.method == "POST" and form.is_valid():
        try:
            decisions.record_decision(p, request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "许可机关的决定已录入。")
            return redirect(p)
    return render(request, "followup/decision_form.html", {"form": form, "title": f"录入决定 · {p}", "p": p})


# interviews


@login_required
def interview_list(request):
    qs = interviews.interviews_for(request.user)
    ctx = {"page": _page(request, qs)}
    if request.user.is_bureau_staff:
        today = timezone.localdate()
        rows = interviews.suggestions(request.user, today)[:50]
        ctx["suggestions"] = [(e, "；".join(interviews.suggestion_reasons(e, today))) for e in rows]
    return render(request, "followup/interview_list.html", ctx)


def _enterprise_param(request):
    pk = request.GET.get("enterprise")
    if pk and pk.isdigit():
        return get_scoped_or_404(Enterprise, request.user, pk=int(pk))
    return None


@login_required
def interview_create(request):
    require_bureau_staff(request.user, "使用此功能")
    form = InterviewNoticeForm(request.POST or None, user=request.user, enterprise=_enterprise_param(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            i = interviews.notify(
                d["enterprise"],
                request.user,
                reason=d["reason"],
                notice_date=d["notice_date"],
                scheduled_at=d["scheduled_at"],
                place=d["place"],
                officials=d["officials"],
                problems=d["problems"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "约谈通知已登记。")
            return redirect(i)
    return render(request, "followup/interview_form.html", {"form": form, "title": "登记约谈通知"})


@login_required
def interview_detail(request, pk):
    i = interviews.interview_for(request.user, pk)
    return render(
        request,
        "followup/interview_detail.html",
        {
            "i": i,
            "qa": interviews.parse_record(i.record),
            "commitments": i.commitments.select_related("fulfilled_by"),
            "fulfil_form": FulfilForm(),
        },
    )


@login_required
def interview_hold(request, pk):
    require_bureau_staff(request.user, "使用此功能")
    i = interviews.interview_for(request.user, pk)
    form = InterviewHoldForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            interviews.hold(
                i,
                request.user,
                attendee_kind=d["attendee_kind"],
                attendee_name=d["attendee_name"],
                attendee_position=d["attendee_position"],
                authorisation=d["authorisation"],
                record=d["record"],
                attendee_signed=d["attendee_signed"],
                commitments=d["commitments"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "约谈记录已保存。")
            return redirect(i)
    if request.method == "GET":
        form.initial = {"attendee_kind": "legal_rep", "attendee_name": i.enterprise.legal_representative}
    return render(
        request,
        "followup/interview_form.html",
        {"form": form, "title": f"记录约谈 · {i.enterprise}", "multipart": True},
    )


@login_required
def interview_refusal(request, pk):
    require_bureau_staff(request.user, "使用此功能")
    i = interviews.interview_for(request.user, pk)
    form = RefusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            interviews.record_refusal(i, request.user, form.cleaned_data["note"])
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "已记录企业拒不到场。")
            return redirect(i)
    return render(request, "followup/interview_form.html", {"form": form, "title": f"记录拒不到场 · {i.enterprise}"})


@login_required
@require_POST
def commitment_fulfil(request, pk):
    require_bureau_staff(request.user, "使用此功能")
    c = get_scoped_or_404(InterviewCommitment.objects.select_related("interview"), request.user, pk=pk)
    form = FulfilForm(request.POST)
    if form.is_valid():
        try:
            interviews.fulfil(c, request.user, form.cleaned_data["note"])
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
        else:
            messages.success(request, "承诺事项已确认完成。")
    else:
        messages.error(request, "请填写完成情况。")
    return redirect(c.interview)


PRINT_FORMATS = {
    "pdf": ("PDF", "application/pdf"),
    "docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def _print(request, obj, fmt, what, filename):
    """The document `what` of `obj` (printing_enforcement.<what>_<fmt>) as a download, recorded as an export."""
    label, content_type = PRINT_FORMATS[fmt]
    content = getattr(printing_enforcement, f"{what}_{fmt}")(obj)
    record_export(request, f"打印{filename}（{label}）", rows=1, target=obj)
    return attachment(content, f"{filename}.{fmt}", content_type, f"{what}-{obj.pk}.{fmt}")


@login_required
def interview_print(request, pk, fmt):
    i = interviews.interview_for(request.user, pk)
    return _print(request, i, fmt, "interview", f"约谈笔录-{i.enterprise.name}-{i.scheduled_at:%Y%m%d}")


@login_required
def proposal_print(request, pk, fmt):
    """The 许可处理建议书: an internal document of the bureaus (their notes), not for inspectors or enterprises."""
    require_bureau_staff(request.user, "打印许可处理建议书")
    p = decisions.proposal_for(request.user, pk)
    return _print(request, p, fmt, "proposal", f"{p.get_kind_display()}建议-{p.license.number}")


# cases


@login_required
def case_list(request):
    stage = request.GET.get("stage", "")
    qs = {"filing": cases.filing_pending, "decision": cases.decision_pending}.get(stage, cases.cases_for)(request.user)
    return render(
        request,
        "followup/case_list.html",
        {"page": _page(request, qs), "stage": stage, "today": timezone.localdate()},
    )


@login_required
def case_create(request):
    require_bureau_staff(request.user, "使用此功能")
    form = CaseForm(request.POST or None, user=request.user, enterprise=_enterprise_param(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            c = cases.register(d.pop("enterprise"), request.user, **d)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, "案件线索已登记。")
            return redirect(c)
    return render(request, "followup/case_form.html", {"form": form, "title": "登记案件线索/移送"})


CASE_STEPS = {
    "extend_filing": (
        ReasonForm,
        lambda c, u, d: cases.extend_filing(c, u, d["reason"]),
        "延长立案期限",
        "立案期限已延长。",
    ),
    "filing": (FilingForm, lambda c, u, d: cases.record_filing(c, u, **d), "登记立案", "已登记立案。"),
    "suspend": (
        SuspendForm,
        lambda c, u, d: cases.suspend(c, u, **d),
        "登记不计入期限的期间",
        "已登记，处罚决定期限已顺延。",
    ),
    "extend_decision": (
        ReasonForm,
        lambda c, u, d: cases.extend_decision(c, u, d["reason"]),
        "延长处罚决定期限（经批准）",
        "处罚决定期限已延长。",
    ),
    "outcome": (OutcomeForm, lambda c, u, d: cases.record_outcome(c, u, **d), "登记处理结果", "处理结果已登记。"),
}


@login_required
def case_detail(request, pk):
    c = cases.case_for(request.user, pk)
    return render(request, "followup/case_detail.html", {"c": c, "steps": CASE_STEPS})


@login_required
def case_step(request, pk, step):
    require_bureau_staff(request.user, "使用此功能")
    if step not in CASE_STEPS:
        raise PermissionDenied("未知的操作。")
    c = cases.case_for(request.user, pk)
    form_class, action, title, done = CASE_STEPS[step]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action(c, request.user, form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, done)
            return redirect(c)
    return render(request, "followup/case_form.html", {"form": form, "title": f"{title} · {c.enterprise}", "c": c})


# the 停产/转产 tracking list


@login_required
def stoppage_list(request):
    require_bureau_staff(request.user, "使用此功能")
    form = TrackingFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = stoppage.tracking_rows(
        request.user, region=filters.get("region", ""), reason=filters.get("reason", ""), q=filters.get("q", "")
    )
    return render(request, "followup/stoppage_list.html", {"form": form, "page": _page(request, rows)})
