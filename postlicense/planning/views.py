from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from postlicense.core.access import require_bureau_staff
from postlicense.core.concurrency import StaleEdit, version_of
from postlicense.core.http import attachment
from postlicense.core.models import OrgUnit
from postlicense.core.scoping import get_scoped_or_404
from postlicense.followup.selectors import may_issue
from postlicense.inspections.selectors import current_template
from postlicense.registry.models import Enterprise

from . import forms, oversight, reports, selectors, services
from .models import Campaign, CampaignVisit, FocusCategory, Plan, PlanEntry, Recheck

PAGE = 50


def _city(request):
    if not selectors.is_city(request.user):
        raise PermissionDenied("只有市局人员可以使用此功能。")


def _form_error(form, exc):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _bound(request, name):
    """An enterprise id to seek from (`after`/`before`); anything else is ignored (the first page)."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _year(request):
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


# ---- plans ----


@login_required
def plan_list(request):
    require_bureau_staff(request.user, "使用计划与督查")
    return render(request, "planning/plan_list.html", {"plans": selectors.plans_for(request.user)})


@login_required
def plan_create(request):
    require_bureau_staff(request.user, "使用计划与督查")
    form = forms.PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["org_unit"]
        if not services.may_manage(request.user, unit):
            raise PermissionDenied("只能为本单位或下辖单位编制计划。")
        try:
            plan = services.generate_plan(unit, form.cleaned_data["year"], form.cleaned_data["plan_date"], request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已按{plan.plan_date:%Y-%m-%d}的企业名单生成计划，请调整后批准。")
            return redirect("planning:plan_detail", plan.pk)
    return render(request, "planning/form.html", {"form": form, "title": "编制年度检查计划"})


def _plan(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    return get_scoped_or_404(Plan.objects.select_related("org_unit", "approved_by", "created_by"), request.user, pk=pk)


@login_required
def plan_detail(request, pk, plan=None, batch_form=None):
    plan = plan or _plan(request, pk)
    behind = request.GET.get("behind") == "1"
    classes = selectors.by_class(plan.entries.all())
    totals = selectors.totals_of(classes)
    entries = selectors.behind_entries(plan) if behind else selectors.entry_rows(plan)
    rows, next_after, prev_before = selectors.seek_entries(
        entries, after=_bound(request, "after"), before=_bound(request, "before"), size=PAGE
    )
    return render(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "totals": totals,
            "classes": classes,
            "rows": rows,
            "next_after": next_after,
            "prev_before": prev_before,
            "listed": totals["behind"] if behind else totals["enterprises"],
            "behind": behind,
            "manage": services.may_manage(request.user, plan.org_unit),
            "batch_form": batch_form or forms.BatchForm(),
            "batches": plan.batches.select_related("by").prefetch_related("records")[:10],
        },
        status=400 if batch_form is not None else 200,
    )


@login_required
@require_POST
def plan_approve(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    plan = get_scoped_or_404(Plan.objects.select_related("org_unit"), request.user, pk=pk)
    if not services.may_manage(request.user, plan.org_unit):
        raise PermissionDenied("只有本单位或市局可以批准计划。")
    services.approve_plan(plan, request.user)
    messages.success(request, "计划已批准。")
    return redirect("planning:plan_detail", plan.pk)


@login_required
@require_POST
def plan_dispatch(request, pk):
    plan = _plan(request, pk)
    if not services.may_manage(request.user, plan.org_unit):
        raise PermissionDenied("只有本单位或市局可以派发计划内的检查。")
    form = forms.BatchForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.dispatch_batch(
                plan,
                count=data["count"],
                kind=data["kind"],
                template_version=data["template_version"],
                due_date=data["due_date"],
                token=data["token"],
                user=request.user,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已派发{batch.records.count()}户企业的检查。")
            return redirect("planning:plan_detail", plan.pk)
    return plan_detail(request, pk, plan=plan, batch_form=form)


@login_required
def entry_adjust(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    entry = get_scoped_or_404(PlanEntry.objects.select_related("plan__org_unit", "enterprise"), request.user, pk=pk)
    if not services.may_manage(request.user, entry.plan.org_unit):
        raise PermissionDenied("只有本单位或市局可以调整计划。")
    form = forms.AdjustForm(
        request.POST or None,
        initial={"planned": entry.planned, "version": version_of(entry, services.ADJUST_FIELDS)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.adjust_entry(entry, data["planned"], data["reason"], data["version"], request.user)
        except StaleEdit as exc:
            form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "计划次数已调整。")
            return redirect("planning:plan_detail", entry.plan_id)
    return render(
        request,
        "planning/form.html",
        {"form": form, "title": f"调整计划：{entry.enterprise.name}", "entry": entry},
        status=400 if form.errors else 200,
    )


@login_required
def focus_categories(request):
    _city(request)
    city = request.user.org_unit
    year = _year(request)
    form = forms.FocusForm(
        request.POST or None,
        initial={
            "year": year,
            "categories": FocusCategory.objects.for_user(request.user)
            .filter(year=year)
            .values_list("product_category", flat=True),
        },
    )
    if request.method == "POST" and form.is_valid() and city is not None:
        services.set_focus_categories(city, form.cleaned_data["year"], form.cleaned_data["categories"])
        messages.success(request, "重点行业已保存，之后编制的计划按此列出提高频次因素。")
        return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    return render(request, "planning/form.html", {"form": form, "title": "重点行业（提高检查频次）"})


# ---- completion ----


@login_required
def completion(request):
    require_bureau_staff(request.user, "使用计划与督查")
    year = _year(request)
    units, classes = selectors.completion(request.user, year)
    return render(
        request,
        "planning/completion.html",
        {
            "year": year,
            "units": units,
            "classes": classes,
            "expected": round(selectors.expected_by(timezone.localdate(), year) * 100),
        },
    )


# ---- class suggestions ----


@login_required
def class_suggestions(request):
    _city(request)
    enterprises = Enterprise.objects.for_user(request.user).exclude(status=Enterprise.Status.CANCELLED)
    unit = request.GET.get("unit")
    if unit:
        enterprises = enterprises.filter(supervising_unit_id=unit)
    rows = oversight.suggestions(
        enterprises.select_related("supervising_unit").order_by("pk")[:2000], timezone.localdate()
    )
    return render(
        request,
        "planning/class_suggestions.html",
        {
            "rows": rows[:200],
            "count": len(rows),
            "units": OrgUnit.objects.for_user(request.user).exclude(kind=OrgUnit.Kind.CITY),
        },
    )


@login_required
def class_confirm(request, pk):
    _city(request)
    enterprise = get_scoped_or_404(Enterprise, request.user, pk=pk)
    found = oversight.suggestions([enterprise], timezone.localdate())
    suggested, reasons = found[0][1:] if found else (enterprise.supervision_class, [])
    form = forms.ClassForm(request.POST or None, initial={"to_class": suggested, "reason": "；".join(reasons)})
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_class(enterprise, form.cleaned_data["to_class"], form.cleaned_data["reason"], request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "监管分类已调整，记入质量档案。")
            return redirect("planning:class_suggestions")
    return render(
        request,
        "planning/form.html",
        {"form": form, "title": f"调整监管分类：{enterprise.name}（现为{enterprise.supervision_class}类）"},
    )


# ---- re-checks ----


@login_required
def recheck_list(request):
    require_bureau_staff(request.user, "使用计划与督查")
    rows = [(r, oversight.recheck_done(r)) for r in selectors.rechecks_for(request.user)]
    return render(request, "planning/recheck_list.html", {"rows": rows, "city": selectors.is_city(request.user)})


@login_required
def recheck_create(request):
    _city(request)
    form = forms.RecheckForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recheck = oversight.open_recheck(
                request.user.org_unit,
                data["county"],
                data["year"],
                current_template("production_conditions_004"),
                data["deadline"],
                request.user,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "复查已创建，候选名单已冻结；请录入随机种子贡献值并抽取。")
            return redirect("planning:recheck_detail", recheck.pk)
    return render(request, "planning/form.html", {"form": form, "title": "新建市局复查"})


def _recheck(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    return get_scoped_or_404(Recheck.objects.select_related("county", "city", "task"), request.user, pk=pk)


def _recheck_page(request, recheck, inspectors_form=None, finding_form=None, status=200):
    return render(
        request,
        "planning/recheck_detail.html",
        {
            "recheck": recheck,
            "done": oversight.recheck_done(recheck),
            "drawn": selectors.with_orders(
                recheck.task.drawn.select_related("enterprise", "inspection").order_by("stratum", "rank")
            ),
            "findings": recheck.findings.select_related("by"),
            "city": selectors.is_city(request.user),
            "may_order": may_issue(request.user, recheck.city),
            "inspectors_form": inspectors_form or forms.InspectorsForm(units=[recheck.city]),
            "finding_form": finding_form or forms.FindingForm(),
        },
        status=status,
    )


@login_required
def recheck_detail(request, pk):
    return _recheck_page(request, _recheck(request, pk))


@login_required
@require_POST
def recheck_dispatch(request, pk):
    recheck = _recheck(request, pk)
    _city(request)
    form = forms.InspectorsForm(request.POST, units=OrgUnit.objects.for_user(request.user))
    if form.is_valid():
        try:
            oversight.dispatch_recheck(recheck, request.user, form.cleaned_data["inspectors"] or None)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已匹配市局检查人员并派发检查记录。")
            return redirect("planning:recheck_detail", recheck.pk)
    return _recheck_page(request, recheck, inspectors_form=form, status=400)


@login_required
@require_POST
def recheck_finding(request, pk):
    recheck = _recheck(request, pk)
    _city(request)
    form = forms.FindingForm(request.POST)
    if form.is_valid():
        oversight.add_county_finding(recheck, form.cleaned_data["text"], form.cleaned_data["serious"], request.user)
        messages.success(request, "已记录，纳入该单位年度目标任务考核。")
        return redirect("planning:recheck_detail", recheck.pk)
    return _recheck_page(request, recheck, finding_form=form, status=400)


# ---- cross-audit campaigns ----


@login_required
def campaign_list(request):
    require_bureau_staff(request.user, "使用计划与督查")
    campaigns = selectors.campaigns_for(request.user)
    visits = CampaignVisit.objects.for_user(request.user).select_related("campaign", "branch")
    return render(request, "planning/campaign_list.html", {"campaigns": campaigns, "visits": visits})


@login_required
def campaign_create(request):
    require_bureau_staff(request.user, "使用计划与督查")
    form = forms.CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = oversight.create_campaign(**form.cleaned_data, user=request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return redirect("planning:campaign_detail", campaign.pk)
    return render(request, "planning/form.html", {"form": form, "title": "新建督查互查"})


def _campaign(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    return get_scoped_or_404(Campaign.objects.select_related("organiser"), request.user, pk=pk)


@login_required
def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    return render(
        request,
        "planning/campaign_detail.html",
        {
            "campaign": campaign,
            "schedule": oversight.schedule(campaign),
            "visit_form": forms.VisitForm(campaign=campaign),
        },
    )


@login_required
def visit_add(request, pk):
    campaign = _campaign(request, pk)
    form = forms.VisitForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            oversight.add_visit(campaign, form.cleaned_data["branch"], form.cleaned_data["date"], request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return redirect("planning:campaign_detail", campaign.pk)
    return render(
        request, "planning/form.html", {"form": form, "title": "安排督查互查"}, status=400 if form.errors else 200
    )


@login_required
def campaign_schedule_pdf(request, pk):
    campaign = _campaign(request, pk)
    return attachment(
        reports.schedule_pdf(campaign), f"{campaign.name}时间安排表.pdf", "application/pdf", "schedule.pdf"
    )


@login_required
def campaign_report(request, pk, fmt):
    campaign = _campaign(request, pk)
    if fmt == "pdf":
        return attachment(reports.report_pdf(campaign), f"{campaign.name}工作报告.pdf", "application/pdf", "report.pdf")
    if fmt == "docx":
        return attachment(
            reports.report_docx(campaign),
            f"{campaign.name}工作报告.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "report.docx",
        )
    raise PermissionDenied("不支持的格式。")


def _visit(request, pk):
    require_bureau_staff(request.user, "使用计划与督查")
    return get_scoped_or_404(
        CampaignVisit.objects.select_related("campaign__organiser", "branch", "task"), request.user, pk=pk
    )


def _organiser(request, visit):
    if not (request.user.is_superuser or request.user.org_unit_id == visit.campaign.organiser_id):
        raise PermissionDenied("只有组织单位可以执行此操作。")


def _visit_page(request, visit, status=200, **form_overrides):
    group = oversight.visit_group(visit)
    context = {
        "visit": visit,
        "group": group,
        "branch_block": oversight.branch_block(visit),
        "drawn": selectors.with_orders(visit.task.drawn.select_related("enterprise", "inspection"))
        if visit.task_id
        else [],
        "findings": visit.findings.select_related("enterprise", "by", "order"),
        "may_order": may_issue(request.user, visit.branch),
        "organiser": request.user.is_superuser or request.user.org_unit_id == visit.campaign.organiser_id,
        "own_branch": request.user.org_unit_id == visit.branch_id,
        "inspectors_form": forms.InspectorsForm(units=group),
        "materials_form": forms.MaterialsForm(
            initial={"materials_sampled": visit.materials_sampled, "materials_overall": visit.materials_overall}
        ),
        "self_check_form": forms.SelfCheckForm(),
        "finding_form": forms.CampaignFindingForm(visit=visit),
        **form_overrides,
    }
    return render(request, "planning/visit_detail.html", context, status=status)


@login_required
def visit_detail(request, pk):
    return _visit_page(request, _visit(request, pk))


@login_required
@require_POST
def visit_draw(request, pk):
    visit = _visit(request, pk)
    _organiser(request, visit)
    try:
        task = oversight.open_visit_draw(visit, current_template("patrol_000"), request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("planning:visit_detail", visit.pk)
    messages.success(request, "候选名单已冻结；请在抽取任务页面录入随机种子贡献值并抽取。")
    return redirect("randomcheck:task_detail", task.pk)


@login_required
@require_POST
def visit_dispatch(request, pk):
    visit = _visit(request, pk)
    _organiser(request, visit)
    form = forms.InspectorsForm(request.POST, units=OrgUnit.objects.for_user(request.user))
    if form.is_valid():
        try:
            oversight.dispatch_visit(visit, request.user, form.cleaned_data["inspectors"] or None)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "已从督查互查组成员单位匹配检查人员并派发检查表。")
            return redirect("planning:visit_detail", visit.pk)
    return _visit_page(request, visit, status=400, inspectors_form=form)


@login_required
@require_POST
def visit_materials(request, pk):
    visit = _visit(request, pk)
    _organiser(request, visit)
    form = forms.MaterialsForm(request.POST)
    if form.is_valid():
        oversight.save_materials(
            visit, form.cleaned_data["materials_sampled"], form.cleaned_data["materials_overall"], request.user
        )
        return redirect("planning:visit_detail", visit.pk)
    return _visit_page(request, visit, status=400, materials_form=form)


@login_required
@require_POST
def visit_self_check(request, pk):
    visit = _visit(request, pk)
    if request.user.org_unit_id != visit.branch_id and not request.user.is_superuser:
        raise PermissionDenied("只有被检查分局可以上传本分局的自查报告。")
    form = forms.SelfCheckForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            oversight.upload_self_check(visit, form.cleaned_data["report"], request.user)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "自查报告已上传。")
            return redirect("planning:visit_detail", visit.pk)
    return _visit_page(request, visit, status=400, self_check_form=form)


@login_required
@require_POST
def visit_finding(request, pk):
    visit = _visit(request, pk)
    _organiser(request, visit)
    form = forms.CampaignFindingForm(request.POST, visit=visit)
    if form.is_valid():
        try:
            finding = oversight.add_campaign_finding(
                visit,
                form.cleaned_data["text"],
                request.user,
                form.cleaned_data["enterprise"],
                submission_token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if finding.order_id:
                messages.success(
                    request,
                    f"已记录，并以{visit.branch.name}名义签发 {finding.order.number}，请打印送达并登记送达回证。",
                )
            return redirect("planning:visit_detail", visit.pk)
    return _visit_page(request, visit, status=400, finding_form=form)


# ---- calibration ----


@login_required
def calibration(request):
    _city(request)
    city = request.user.org_unit or OrgUnit.objects.filter(kind=OrgUnit.Kind.CITY).first()
    year = _year(request) if request.GET.get("year") else oversight.latest_calibration_year(city) or _year(request)
    return render(
        request, "planning/calibration.html", {"year": year, "rows": oversight.calibration(city, year), "city": city}
    )
