"""Demo: rectification orders of the demo jurisdiction in every state, with coherent dates before today
(2026-11-30) and every deadline in 2026 (the calendar has no 2027 data): one to serve, one within its term, one
overdue, one reported, one awaiting its revisit (on the unit's demo inspector), one closed by a revisit that found
everything corrected, one persisting with its 停产整顿 proposal waiting for a person, and one chain escalated to
停产整顿 and then to a revocation proposal. Runs after the inspections demo (INSTALLED_APPS order); idempotent:
a database that already has orders is left alone."""

import random
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.models import OrgUnit, User
from postlicense.core.services import ROLE_SUFFIX, ensure_demo_user
from postlicense.inspections import services as inspections
from postlicense.inspections.demo import KIND_TEMPLATE, PASS_OPTION_003, _crew, _fill, sign_and_finish
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.inspections.selectors import current_template
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise

from . import services
from .models import Escalation, RectificationOrder

# Days after the record's inspection at which each step happens, per scenario (the record must be old enough).
SCENARIOS = [
    # name, the inspection that found the problems (days before today), the day of each later step after it
    ("chain", 150, dict(issue=3, serve=4, revisit=40, confirm=41, serve2=42, revisit2=138, confirm2=139)),
    ("persisting", 75, dict(issue=5, serve=7, revisit=45)),
    ("overdue", 70, dict(issue=3, serve=5)),
    ("closed", 60, dict(issue=4, serve=6, report=25, revisit=32)),
    ("awaiting", 45, dict(issue=3, serve=5)),
    ("reported", 38, dict(issue=4, serve=6, report=30)),
    ("served", 20, dict(issue=3, serve=5)),  # its revisit falls due by 2026-12-31 (no 2027 calendar yet)
    ("issued", 5, dict(issue=3)),
]
DEMO_UNIT = "xuchang-weidu"


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _staff(unit):
    role = User.Role.CITY_ADMIN if unit.kind == OrgUnit.Kind.CITY else User.Role.COUNTY_STAFF
    return ensure_demo_user(f"{unit.code}-{ROLE_SUFFIX[role]}", role, unit)


def _passing(item):
    if item.version.template.code == "random_check_003" and item.number in PASS_OPTION_003:
        option = PASS_OPTION_003[item.number]
    else:
        option = item.options[0] if item.options else ""
    return option, ("符合" if "符合" in item.conclusions else ""), ""


def _do_revisit(order, by, day, corrected, rng, inspector=None, finish=True):
    unit = order.enterprise.supervising_unit
    crew = [i for i in _crew(unit, order.enterprise, day) if i != inspector][: 1 if inspector else 2]
    crew = ([inspector] if inspector else []) + crew
    revisit = services.dispatch_revisit(
        order, by=by, inspectors=crew, due_date=max(day, order.revisit_due or day), today=day - timedelta(days=2)
    )
    if not finish:
        return revisit
    record = revisit.record
    original = {f.item_id: f for f in order.source_record.findings.all()}
    findings, confirmations = {}, {}
    for item in record.checked_items():
        was = original.get(item.pk)
        findings[item.pk] = _passing(item) if corrected or was is None else (was.option, was.conclusion, was.note)
        if item.register_check:
            confirmations[item.pk] = (True, "复查时已核实登记信息")
    summary = "" if corrected else "复查发现：" + "；".join(i.description[:40] for i in order.items.all())
    inspections.save_draft(
        record,
        revision=record.revision,
        fields={"inspection_date": day, "problems_summary": summary},
        findings=findings,
        confirmations=confirmations,
    )
    record.refresh_from_db()
    finished_at = sign_and_finish(record, day, rng)
    Problem.objects.filter(closed_via=record).update(closed_at=finished_at)
    RectificationOrder.objects.filter(pk=order.pk, closed_at__isnull=False).update(closed_at=finished_at)
    Escalation.objects.filter(order=order).update(proposed_at=finished_at)
    return revisit


def _issue(record, by, day):
    return services.issue_order(
        enterprise=record.enterprise,
        unit=record.enterprise.supervising_unit,
        by=by,
        source_kind=RectificationOrder.SourceKind.INSPECTION,
        source_label=f"{record.get_kind_display()}（{record.inspection_date:%Y-%m-%d}）",
        problems=record.problems.filter(status=Problem.Status.OPEN).order_by("pk"),
        source_record=record,
        requirement="针对上述问题查明原因，限期整改到位，并书面报告整改情况。",
        issued_on=day,
    )


def _serve(order, by, day):
    return services.serve_order(
        order, by=by, served_on=day, method="direct", receiver=order.enterprise.legal_representative, today=day
    )


def _report(order, by, day):
    report = services.submit_report(
        order,
        by=by,
        text="已按通知书要求完成整改：补齐相关记录，完善管理制度，对相关人员进行了培训。整改材料附后。",
        completed_on=day,
        from_paper=True,
        today=day,
    )
    type(report).objects.filter(pk=report.pk).update(submitted_at=_at(day, 15))


def _confirm(order, by, day, reason):
    escalation = order.escalations.get(status=Escalation.Status.PROPOSED)
    escalation = services.confirm_escalation(escalation, by=by, reason=reason, today=day)
    Escalation.objects.filter(pk=escalation.pk).update(decided_at=_at(day, 16))
    return escalation


def _play(name, record, steps, rng):
    unit = record.enterprise.supervising_unit
    by = _staff(unit)
    start = record.inspection_date
    on = {step: start + timedelta(days=n) for step, n in steps.items()}
    order = _issue(record, by, on["issue"])
    if "serve" in on:
        order = _serve(order, by, on["serve"])
    if "report" in on:
        _report(order, by, on["report"])
    if name == "awaiting":
        mine = Inspector.objects.filter(org_unit=unit, user__username__endswith="-inspector").first()
        _do_revisit(order, by, date.today() + timedelta(days=5), True, rng, inspector=mine, finish=False)
    if "revisit" in on:
        _do_revisit(order, by, on["revisit"], name == "closed", rng)
    if name == "chain":
        order.refresh_from_db()
        stoppage = _confirm(
            order, by, on["confirm"], "复查仍不合格，依总局后续监管意见 二(三) 责令停产整顿"
        ).result_order
        stoppage = _serve(stoppage, by, on["serve2"])
        _do_revisit(stoppage, by, on["revisit2"], False, rng)
        _confirm(stoppage, by, on["confirm2"], "停产整顿期满复查仍不具备生产许可条件，提请吊销")
    return order


def _failed_inspection(enterprise, day, rng):
    """A periodic inspection of the enterprise on `day` that found two nonconformities (the inspections demo's)."""
    unit = enterprise.supervising_unit
    record = inspections.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.PERIODIC,
        template_version=current_template(KIND_TEMPLATE[InspectionRecord.Kind.PERIODIC]),
        org_unit=unit,
        inspectors=_crew(unit, enterprise, day)[:2],
        due_date=day + timedelta(days=10),
    )
    _fill(record, rng, fail=2, day=day)
    sign_and_finish(record, day, rng)
    return InspectionRecord.objects.get(pk=record.pk)


def load_demo(stdout):
    if RectificationOrder.objects.exists() or current_template(KIND_TEMPLATE[InspectionRecord.Kind.PERIODIC]) is None:
        return
    unit = OrgUnit.objects.filter(code=DEMO_UNIT).first()
    if unit is None:
        return
    today = date.today()
    rng = random.Random("followup demo 2026-11-30")
    # enterprises with a demo login first, so an enterprise user sees an order; none with open problems already
    enterprises = list(
        Enterprise.objects.filter(supervising_unit=unit, licenses__status="valid")
        .distinct()
        .exclude(problems__status__in=[Problem.Status.OPEN, Problem.Status.PERSISTING])
        .annotate(logins=Count("accounts"))
        .order_by("-logins", "pk")[: len(SCENARIOS)]
    )
    staff = _staff(unit)
    for (name, days_ago, steps), enterprise in zip(SCENARIOS, enterprises):
        with acting_as(staff):
            record = _failed_inspection(enterprise, today - timedelta(days=days_ago), rng)
            _play(name, record, steps, rng)
    stdout.write(
        f"跟踪处置：新增 {RectificationOrder.objects.count()} 份责令改正/停产整顿通知书（{unit.name}，各状态示例）。"
    )
