"""Writes of follow-up: rectification orders, their service and the enterprise's report, revisits and escalation
(002 第十条; 001 二(三)(四); DESIGN "Follow-up and enforcement"). The hand-off API other capabilities call:

issue_order(*, enterprise, unit, by, source_kind, source_label, problems=(), items=(), source_record=None,
            period_key="rectification", measure="correct", legal_basis="", requirement="", issued_on=None,
            parent=None, submission_token=None) -> RectificationOrder
    责令改正通知书 (status 已下达), numbered 〔year〕seq per issuing unit without gaps. `problems`: open Problems of the
    enterprise (from a finished record); `items`: plain (description, requirement) pairs with `source_label` saying
    where they come from (a failed test: source_kind "test", period_key "rectification_after_test"; a review; a
    linkage notice). Idempotent by `submission_token`.
serve_order(order, *, by, served_on, method, receiver="", refused=False, refusal_note="", today=None)
    送达回证: the deadline (core.deadlines, period_key) runs from `served_on`; the revisit falls due after it.
submit_report(order, *, by, text, completed_on, files=(), from_paper=False, submission_token=None)
    The enterprise's rectification report (its own user, or staff from paper): status 企业已报告整改.
dispatch_revisit(order, *, by, inspectors, due_date, submission_token=None) -> Revisit
    An InspectionRecord of kind revisit re-answering the order's failed items on the same checklist version;
    ≥2 inspectors with valid certificates, nobody avoiding (the inspections rule). Status 待复查.
apply_revisit(record)  (the inspections `record_finished` hook)
    A finished revisit closes the problems it found corrected (inspections.close_problem via=record) and marks the
    rest 仍存在问题; the order becomes 已关闭 or 仍存在问题, the latter with an escalation proposed.
confirm_escalation(escalation, *, by, reason) / dismiss_escalation(escalation, *, by, reason)
    A person confirms the system's proposal (停产整顿 order issued, or a revocation proposal via
    followup.decisions.propose) or dismisses it, with a reason. Nothing escalates without this.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from postlicense.core import audit
from postlicense.core.deadlines import Deadlines
from postlicense.inspections import attachments as upload_checks
from postlicense.inspections import services as inspections
from postlicense.inspections.models import InspectionRecord, Problem
from postlicense.inspections.selectors import crew_problems, current_template, nonconforming_findings
from postlicense.inspectors.models import Inspector

from . import decisions, rules
from .models import (
    Escalation,
    LicenseDecisionProposal,
    OrderCounter,
    OrderItem,
    RectificationOrder,
    RectificationReport,
    ReportAttachment,
    Revisit,
)

Status = RectificationOrder.Status
OPEN_PROBLEM = (Problem.Status.OPEN, Problem.Status.PERSISTING)
FALLBACK_TEMPLATE = "production_conditions_004"  # a revisit of an order without checklist items checks conditions


def _next_number(unit, year):
    """The next number of a unit's year, taken under a row lock: no gaps, no duplicates."""
    OrderCounter.objects.get_or_create(unit=unit, year=year)
    counter = OrderCounter.objects.select_for_update().get(unit=unit, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def issue_order(
    *,
    enterprise,
    unit,
    by,
    source_kind,
    source_label,
    problems=(),
    items=(),
    source_record=None,
    period_key=RectificationOrder.Period.RECTIFICATION,
    measure=RectificationOrder.Measure.CORRECT,
    legal_basis="",
    requirement="",
    issued_on=None,
    parent=None,
    submission_token=None,
):
    if submission_token:
        existing = RectificationOrder.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing  # the same form posted twice
    problems = list(problems)
    items = [(d.strip(), (r or "").strip()) for d, r in items if (d or "").strip()]
    if not problems and not items:
        raise ValidationError({"problems": "请至少选择一个待整改的问题或填写一项整改事项。"})
    for problem in problems:
        if problem.enterprise_id != enterprise.pk or problem.status not in OPEN_PROBLEM:
            raise ValidationError({"problems": f"问题“{problem}”不是该企业未关闭的问题，不能列入通知书。"})
    if not (source_label or "").strip():
        raise ValidationError({"source_label": "请填写来源说明（如检查记录、抽查检验报告编号）。"})
    issued_on = issued_on or timezone.localdate()
    period = Deadlines(enterprise.region_id).period(period_key)
    seq = _next_number(unit, issued_on.year)
    order = RectificationOrder.objects.create(
        number=rules.order_number(rules.number_prefix(unit.name), issued_on.year, seq),
        unit=unit,
        year=issued_on.year,
        seq=seq,
        enterprise=enterprise,
        source_kind=source_kind,
        source_label=source_label.strip()[:200],
        source_record=source_record,
        parent=parent,
        measure=measure,
        legal_basis=(legal_basis or "").strip() or rules.LEGAL_BASIS[period_key],
        period_key=period_key,
        period_days=period.n,
        issued_on=issued_on,
        issued_by=by,
        submission_token=submission_token,
    )
    rows = [
        OrderItem(order=order, position=i, problem=p, description=p.description, requirement=requirement.strip())
        for i, p in enumerate(problems, 1)
    ]
    rows += [
        OrderItem(order=order, position=len(rows) + i, description=d, requirement=r or requirement.strip())
        for i, (d, r) in enumerate(items, 1)
    ]
    audit.bulk_create_audited(OrderItem, rows)
    listed = [p for p in problems if not p.on_order]
    for p in listed:
        p.on_order = True
    audit.bulk_update_audited(Problem, listed, ["on_order"])
    return order


def _locked(order):
    return RectificationOrder.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def serve_order(order, *, by, served_on, method, receiver="", refused=False, refusal_note="", today=None):
    order = _locked(order)
    receiver, refusal_note = (receiver or "").strip(), (refusal_note or "").strip()
    if order.served_on is not None:
        same = (order.served_on, order.service_method, order.receiver, order.refused) == (
            served_on,
            method,
            "" if refused else receiver,
            refused,
        )
        if same:
            return order  # a double click
        who = order.served_by.display_name if order.served_by else "其他人员"
        raise ValidationError(
            {"served_on": f"该通知书已由{who}登记于 {order.served_on:%Y-%m-%d} 送达，不能重复登记。请刷新页面查看。"},
            code="stale",
        )
    error = rules.service_date_error(served_on, order.issued_on, today or timezone.localdate())
    if error:
        raise ValidationError({"served_on": error})
    error = rules.service_receiver_error(method, receiver, refused, refusal_note)
    if error:
        raise ValidationError({"refusal_note" if refused else "receiver": error})
    deadlines = Deadlines(order.enterprise.region_id)
    try:
        due = deadlines.due(order.period_key, served_on, n=order.period_days)
        revisit_key = rules.revisit_period_key(order.period_key)
        revisit = deadlines.due(revisit_key, order.issued_on if revisit_key == "recheck_after_test" else due.date)
    except ValidationError as exc:
        raise ValidationError({"served_on": exc.messages}) from exc
    order.served_on, order.service_method, order.served_by = served_on, method, by
    order.receiver, order.refused, order.refusal_note = ("" if refused else receiver), refused, refusal_note
    order.deadline, order.deadline_text = due.date, f"整改期限 {due.text}"
    order.revisit_due, order.revisit_due_text = revisit.date, f"复查期限 {revisit.text}"
    order.save()
    return order


@transaction.atomic
def submit_report(order, *, by, text, completed_on, files=(), from_paper=False, submission_token=None, today=None):
    if submission_token:
        existing = RectificationReport.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing
    order = _locked(order)
    if order.served_on is None:
        raise ValidationError({"text": "通知书尚未登记送达，暂不能提交整改报告。"})
    if order.status not in (Status.ISSUED, Status.REPORTED):
        raise ValidationError({"text": f"通知书状态为“{order.get_status_display()}”，不再接收整改报告。"})
    if not (text or "").strip():
        raise ValidationError({"text": "请填写整改情况。"})
    today = today or timezone.localdate()
    if completed_on > today or completed_on < order.issued_on:
        raise ValidationError({"completed_on": "整改完成日期应在通知书签发日期和今天之间。"})
    checked = []
    for upload in files:
        try:
            raw, content_type = upload_checks.validate(upload)
        except ValidationError as exc:
            raise ValidationError({"files": exc.messages}) from exc
        checked.append((upload.name, raw, content_type))
    report = RectificationReport.objects.create(
        order=order,
        text=text.strip(),
        completed_on=completed_on,
        from_paper=from_paper,
        submitted_by=by,
        submission_token=submission_token,
    )
    seen = set()
    for name, raw, content_type in checked:
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        ReportAttachment.objects.create(
            report=report,
            file=ContentFile(raw, name=upload_checks.storage_name(name, content_type)),
            original_name=name[:200],
            content_type=content_type,
            size=len(raw),
            sha256=digest,
        )
    # The revisit falls due after the report when it comes before the deadline (复查 may come early).
    try:
        early = Deadlines(order.enterprise.region_id).due("revisit", max(completed_on, order.served_on))
    except ValidationError:
        early = None
    if early and (order.revisit_due is None or early.date < order.revisit_due):
        order.revisit_due, order.revisit_due_text = (
            early.date,
            f"复查期限 {early.text.replace('整改期满后', '企业报告整改后')}",
        )
    order.status = Status.REPORTED
    order.save()
    return report


def failed_items(order):
    """The checklist items the revisit re-answers: those of the order's problems that are still open."""
    return sorted(
        {
            i.problem.finding.item_id
            for i in order.items.select_related("problem__finding")
            if i.problem and i.problem.finding_id and i.problem.status in OPEN_PROBLEM
        }
    )


@transaction.atomic
def dispatch_revisit(order, *, by, inspectors, due_date, submission_token=None, today=None):
    if submission_token:
        existing = InspectionRecord.objects.filter(submission_token=submission_token, revisit__isnull=False).first()
        if existing:
            return existing.revisit
    order = _locked(order)
    if order.status not in (Status.ISSUED, Status.REPORTED):
        raise ValidationError({"due_date": f"通知书状态为“{order.get_status_display()}”，不能再派发复查。"})
    error = rules.revisit_date_error(due_date, order.deadline, order.status == Status.REPORTED)
    if error:
        raise ValidationError({"due_date": error})
    if due_date < (today or timezone.localdate()):
        raise ValidationError({"due_date": f"复查完成期限 {due_date:%Y-%m-%d} 已过，请选择今天或以后的日期。"})
    inspectors = list(inspectors)
    crew = crew_problems(Inspector.objects.filter(pk__in=[i.pk for i in inspectors]), order.enterprise_id, due_date)
    if crew:
        raise ValidationError({"inspectors": crew})
    items = failed_items(order)
    version = order.source_record.template_version if items and order.source_record else None
    version = version or current_template(FALLBACK_TEMPLATE)
    record = inspections.create_inspections(
        [
            dict(
                enterprise=order.enterprise,
                kind=InspectionRecord.Kind.REVISIT,
                template_version=version,
                org_unit=order.enterprise.supervising_unit,
                inspectors=inspectors,
                due_date=due_date,
                created_by=by,
                submission_token=submission_token,
                item_scope=items,
                licenses=order.source_record.licenses.all() if order.source_record else None,
            )
        ]
    )[0]
    revisit = Revisit.objects.create(order=order, record=record, dispatched_by=by)
    order.status = Status.AWAITING_REVISIT
    order.save(update_fields=["status"])
    return revisit


def apply_revisit(record):
    """The inspections `record_finished` hook for a finished revisit of an order."""
    revisit = Revisit.objects.filter(record=record).select_related("order").first()
    if revisit is None or revisit.outcome:
        return
    order = _locked(revisit.order)
    nonconforming = {f.item_id for f in nonconforming_findings(record)}
    answered = {f.item_id for f in record.findings.all()}
    corrected, persisting = [], []
    for item in order.items.select_related("problem__finding"):
        problem = item.problem
        if problem is None:  # a plain item: the revisit's overall conclusion decides it
            (corrected if record.conclusion == InspectionRecord.Conclusion.QUALIFIED else persisting).append(item)
        elif problem.status == Problem.Status.CLOSED:
            continue
        elif problem.finding_id and problem.finding.item_id in answered - nonconforming:
            inspections.close_problem(problem, by=record.finished_by, via=record)
            corrected.append(item)
        else:
            persisting.append(item)
    still = [i.problem for i in persisting if i.problem]
    for problem in still:
        problem.status = Problem.Status.PERSISTING
    if still:
        audit.bulk_update_audited(Problem, still, ["status"])
    outcome = rules.revisit_outcome([True] * len(corrected) + [False] * len(persisting))
    revisit.outcome = outcome
    revisit.save(update_fields=["outcome"])
    if outcome == Revisit.Outcome.CORRECTED:
        order.status, order.closed_at = Status.CLOSED, timezone.now()
        order.save(update_fields=["status", "closed_at"])
        return
    order.status = Status.PERSISTING
    order.save(update_fields=["status"])
    kind, ground = rules.escalation_after(order.measure, order.period_key)
    facts = (
        f"{order.number}（{order.get_measure_display()}）经复查（{record.inspection_date:%Y-%m-%d}）"
        f"仍存在问题：" + "；".join(i.description[:80] for i in persisting)
    )
    Escalation.objects.get_or_create(
        order=order, kind=kind, status=Escalation.Status.PROPOSED, defaults={"facts": facts[:2000]}
    )


REVOCATION_GROUND = {
    "persisting": LicenseDecisionProposal.Ground.PERSISTING,
    "failed_recheck": LicenseDecisionProposal.Ground.FAILED_RECHECK,
}


def _decide(escalation, by, reason):
    escalation = Escalation.objects.select_for_update().select_related("order").get(pk=escalation.pk)
    if escalation.status != Escalation.Status.PROPOSED:
        return escalation, False
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写理由。"})
    escalation.decided_by, escalation.decided_at, escalation.reason = by, timezone.now(), reason.strip()
    return escalation, True


@transaction.atomic
def confirm_escalation(escalation, *, by, reason, today=None):
    escalation, pending = _decide(escalation, by, reason)
    if not pending:
        return escalation  # already decided: a double click
    order = escalation.order
    if escalation.kind == Escalation.Kind.STOPPAGE:
        escalation.result_order = issue_order(
            enterprise=order.enterprise,
            unit=order.unit,
            by=by,
            source_kind=RectificationOrder.SourceKind.REVISIT,
            source_label=f"{order.number}复查仍存在问题",
            problems=[
                i.problem
                for i in order.items.select_related("problem")
                if i.problem and i.problem.status in OPEN_PROBLEM
            ],
            items=[(i.description, i.requirement) for i in order.items.all() if i.problem_id is None],
            source_record=order.source_record,
            period_key=RectificationOrder.Period.STOPPAGE,
            measure=RectificationOrder.Measure.STOPPAGE,
            requirement="停产整顿，整顿期间不得生产许可范围内的产品；整顿完成后书面报告，经复查合格方可恢复生产。",
            issued_on=today,
            parent=order,
        )
    else:
        _, ground = rules.escalation_after(order.measure, order.period_key)
        licenses = list(order.source_record.licenses.all()) if order.source_record else []
        licenses = licenses or list(order.enterprise.licenses.filter(status="valid"))
        if not licenses:
            raise ValidationError({"reason": "该企业没有有效的生产许可证，无需提请吊销。"})
        proposals = [
            decisions.propose(
                license,
                kind=LicenseDecisionProposal.Kind.REVOKE,
                ground=REVOCATION_GROUND[ground],
                facts=f"{escalation.facts}\n确认理由：{escalation.reason}",
                source=f"{order.number}复查仍存在问题",
                by=by,
            )
            for license in licenses
        ]
        escalation.proposal = proposals[0]
    escalation.status = Escalation.Status.CONFIRMED
    escalation.save()
    return escalation


@transaction.atomic
def dismiss_escalation(escalation, *, by, reason):
    escalation, pending = _decide(escalation, by, reason)
    if pending:
        escalation.status = Escalation.Status.DISMISSED
        escalation.save()
    return escalation


def close_problem_by_decision(problem, *, order, by, reason):
    """A problem closed without a revisit: a decision with its reason (inspections.close_problem), taken on the
    problem's current order only — once escalated, the problem is followed on the 停产整顿 order."""
    current = current_order_item(problem)
    if current is None or current.order_id != order.pk:
        where = f"已转入{current.order.number}，请在该通知书上处理" if current else "不在此通知书上"
        raise ValidationError(f"该问题{where}。")
    return inspections.close_problem(problem, by=by, reason=reason)


def current_order_item(problem):
    """The problem's item on the last order that took it up (None: on no order)."""
    return problem.order_items.select_related("order").order_by("-pk").first()
