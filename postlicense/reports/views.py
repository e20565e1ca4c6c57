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
from postlicense.inspections.printing import render_pdf

from . import selectors, services
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


def _sheets(kind, unit_name, period_label, cut, tables, filled_by="", checked_by="", day=None):
    preamble = [kind.table_name, f"填报单位：{unit_name}　　统计期间：{period_label}（数据截至 {cut:%Y-%m-%d}）"]
    footer = [f"填报人：{filled_by}　　审核人：{checked_by}　　填报日期：{(day or timezone.localdate()):%Y-%m-%d}"]
    return [
        exports.Sheet(
            table.title[:31],
            [c.label for c in table.columns],
            table.with_total(),
            [24] + [12] * (len(table.columns) - 1),
            [*preamble, table.title],
            footer,
        )
        for table in tables
    ]


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
            if request.GET.get("format") == "pdf" and kind.narrative:
                return _document(request, kind, unit, period, cut, tables)
            if request.GET.get("format") == "xlsx":
                audit.record_export(
                    request,
                    f"{unit.name}{period.label}{kind.label}",
                    rows=sum(len(t.rows) for t in tables),
                    target=None,
                )
                sheets = _sheets(kind, unit.name, period.label, cut, tables)
                return exports.download(f"{kind.label}-{unit.name}-{period.label}.xlsx", sheets, "report.xlsx")
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


def _document(request, kind, unit, period, cut, tables):
    """The report as the document the seed expects (its text, then the tables), an A4 PDF through the inspections'
    printing machinery (WeasyPrint)."""
    audit.record_export(request, f"{unit.name}{period.label}{kind.label}（文稿）", rows=0, target=None)
    content = render_pdf(
        {
            "title": kind.table_name,
            "unit": unit,
            "period": period,
            "cut": cut,
            "paragraphs": kind.narrative(tables),
            "tables": tables,
            "today": timezone.localdate(),
        },
        "reports/print.html",
    )
    return attachment(content, f"{kind.label}-{unit.name}-{period.label}.pdf", "application/pdf", "report.pdf")


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
    if request.GET.get("format") == "xlsx":
        audit.record_export(request, f"{submission}", rows=sum(len(t.rows) for t in tables), target=None)
        sheets = _sheets(
            kind,
            submission.org_unit.name,
            period.label,
            submission.cut,
            tables,
            submission.filled_by,
            submission.checked_by,
            timezone.localdate(submission.submitted_at),
        )
        return exports.download(f"{kind.label}-{submission.org_unit.name}-{period.label}.xlsx", sheets, "report.xlsx")
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
