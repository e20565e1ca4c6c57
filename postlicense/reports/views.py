from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core import audit, exports
from postlicense.core.access import require_bureau_staff
from postlicense.core.http import attachment

from . import documents, selectors, services
from .forms import PeriodForm, ReviewForm, SubmitForm
from .kinds import KINDS
from .periods import Period, parse
from .tables import Table


def _kind(key):
    if key not in KINDS:
        raise Http404("未找到该报表。")
    return KINDS[key]


@login_required
def index(request):
    require_bureau_staff(request.user, "使用报表", with_unit=True)
    return render(
        request,
        "reports/index.html",
        {"kinds": KINDS.values(), "submissions": selectors.submissions_for(request.user)[:20]},
    )


DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _files(request, kind, heading, tables, what):
    """The report as a file when the query asks for one (format=xlsx, or pdf/docx for a kind with a text), else None."""
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        audit.record_export(request, what, rows=sum(len(t.rows) for t in tables), target=None)
        return exports.download(f"{heading.filename}.xlsx", documents.sheets(heading, tables), "report.xlsx")
    if fmt in DOCUMENT_TYPES and kind.narrative:
        audit.record_export(request, f"{what}（文稿）", rows=0, target=None)
        content = getattr(documents, fmt)(heading, kind.narrative(tables), tables)
        return attachment(content, f"{heading.filename}.{fmt}", DOCUMENT_TYPES[fmt], f"report.{fmt}")
    return None


@login_required
def report(request, key):
    require_bureau_staff(request.user, "使用报表", with_unit=True)
    kind = _kind(key)
    today = timezone.localdate()
    units = selectors.units_for(request.user)
    data = request.GET if "year" in request.GET else {"year": today.year, "part": kind.parts[0], "unit": units[0].pk}
    form = PeriodForm(data, units=units, parts=kind.parts)
    context = {"kind": kind, "form": form, "tables": None}
    if form.is_valid():
        unit = next((u for u in units if u.pk == form.cleaned_data["unit"]), units[0])
        try:
            period = parse(form.cleaned_data["year"], form.cleaned_data["part"], today, kind.parts)
            cut = kind.cut(unit, period, today)  # a due date in a year without calendar data is refused
        except ValidationError as exc:
            for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {"year": exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            tables = kind.compute(unit, period, cut)
            heading = documents.Heading(kind.label, kind.table_name, unit.name, period.label, cut, "", "", today)
            file = _files(request, kind, heading, tables, f"{unit.name}{period.label}{kind.label}")
            if file:
                return file
            context.update(
                tables=tables,
                unit=unit,
                period=period,
                cut=cut,
                own_unit=unit == request.user.org_unit,
                live=selectors.live_submission(key, unit, period),
                submit_form=SubmitForm(initial={"year": period.year, "part": period.part}),
            )
    return render(request, "reports/report.html", context)


@login_required
@require_POST
def submit(request, key):
    require_bureau_staff(request.user, "使用报表", with_unit=True)
    kind = _kind(key)
    form = SubmitForm(request.POST)
    back = redirect(f"{request.path.rsplit('submit/', 1)[0]}?{request.POST.urlencode()}")
    if not form.is_valid():
        messages.error(request, "请填写填报人和审核人（各不超过 50 个字）。")
        return back
    try:
        period = parse(form.cleaned_data["year"], form.cleaned_data["part"], timezone.localdate(), kind.parts)
        submission = services.submit(
            request.user,
            key,
            period,
            filled_by=form.cleaned_data["filled_by"],
            checked_by=form.cleaned_data["checked_by"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return back
    messages.success(request, f"已报送{period.label}{kind.label}，报表内容已固定。")
    return redirect(submission)


@login_required
def submissions(request):
    require_bureau_staff(request.user, "使用报表", with_unit=True)
    return render(request, "reports/submissions.html", {"submissions": selectors.submissions_for(request.user)})


@login_required
def submission_detail(request, pk):
    require_bureau_staff(request.user, "使用报表", with_unit=True)
    submission = selectors.submission_for(request.user, pk)
    kind = KINDS[submission.kind]
    tables = [Table.from_dict(t) for t in submission.tables]
    period = Period(submission.year, submission.part)
    heading = documents.Heading(
        kind.label,
        kind.table_name,
        submission.org_unit.name,
        period.label,
        submission.cut,
        submission.filled_by,
        submission.checked_by,
        timezone.localdate(submission.submitted_at),
    )
    file = _files(request, kind, heading, tables, str(submission))
    if file:
        return file
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review(
                request.user, submission, accept=request.POST.get("action") == "accept", note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error("note" if "note" in getattr(exc, "message_dict", {}) else None, exc.messages)
        else:
            messages.success(request, "已审核。")
            return redirect(submission)
    return render(
        request,
        "reports/submission_detail.html",
        {"submission": submission, "kind": kind, "tables": tables, "period": period, "form": form},
    )
