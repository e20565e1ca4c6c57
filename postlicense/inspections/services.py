"""Writes for inspections. The signatures other capabilities call:

create_inspection(*, enterprise, kind, template_version, org_unit, inspectors, due_date, created_by=None,
                  licenses=None, special_trigger="") -> InspectionRecord
create_inspections([{...the same keywords...}, ...]) -> [InspectionRecord, ...]
    Dispatch one record (status "assigned"), or many in a few queries. `kind` is an InspectionRecord.Kind value
    ("random_check", ...); `template_version` a ChecklistVersion that serves that kind (its `kinds`; see
    selectors.versions_for_kind), e.g. selectors.current_template("random_check_003") for a random check;
    `inspectors` an iterable of inspectors.Inspector. The random check dispatches one 一企两表 per drawn
    enterprise with it and later reads record.status ("assigned" / "in_progress" / "finished"),
    record.inspection_date, record.conclusion ("" until finished, then "qualified" 合格 / "unqualified" 不合格),
    record.problems_summary and record.finished_at.

mark_not_carried_out(record, *, by, reason) -> InspectionRecord
    A dispatched record that will not be carried out (e.g. the enterprise stopped production): status
    "not_carried_out", out of every open list, never filled.

current_template(code) -> ChecklistVersion | None   (re-exported from selectors)
    Codes shipped: "random_check_003" (003 附件; random_check), "patrol_000" (000 附件2; cross_audit),
    "patrol_001" (001 二(三); patrol), "patrol_002" (002 第六条; patrol), "production_conditions_004" (004 四;
    the other kinds).

Hand-off to follow-up (002 第十条: problems → rectification → revisit):
open_problems_from(record) -> list[Problem]
    Called when a record is finished or amended: one open Problem on the enterprise per nonconforming item
    (a problem an amendment had superseded reopens). Idempotent.
close_problem(problem, *, by, outcome="", via=None, reason="") -> Problem
    The only closure: `via` a finished revisit record that re-answered the problem's item as conforming, or a
    decision: `reason` with the deciding user `by`. Anything else is refused (ValidationError at "reason").
    The follow-up capability calls it when a revisit finishes (followup.services.apply_revisit).
Problem status "superseded" (更正撤销) is set only by amend(), when a correction removes the nonconformity:
it is not a follow-up closure, and follow-up lists should treat it as withdrawn.
"""

import base64
import binascii
import hashlib
import uuid
from collections import defaultdict
from datetime import date

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from postlicense.core import audit
from postlicense.core.bulk import filter_in, insert_links, insert_objects, new_instances
from postlicense.core.concurrency import check_version, locked, version_of
from postlicense.core.regulations import cite
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import KeyEquipment, License

from . import attachments, rules
from .models import (
    Amendment,
    Attachment,
    ChecklistVersion,
    EquipmentCheck,
    Finding,
    InspectionRecord,
    Problem,
    RecordInspector,
)
from .selectors import (  # noqa: F401  (current_template and finish_problems are part of this module's API)
    computed_conclusion,
    crew_problems,
    current_template,
    finish_errors,
    finish_problems,
    kinds_label,
    needs_enterprise_signature,
    nonconforming_findings,
)

SPECIAL_RULE = cite("002", "第七条")


def checklist_kind_mismatch(version, kind):
    """The message for a checklist that does not serve the kind of inspection it was chosen for."""
    return (
        f"检查表“{version.template.name}”不适用于{InspectionRecord.Kind(kind).label}"
        f"（适用于：{kinds_label(version) or '无'}），请选择适用于该检查类型的检查表。"
    )


@transaction.atomic
def create_inspection(
    *,
    enterprise,
    kind,
    template_version,
    org_unit,
    inspectors,
    due_date,
    created_by=None,
    licenses=None,
    special_trigger="",
    submission_token=None,
    item_scope=None,
):
    if submission_token:
        existing = InspectionRecord.objects.filter(submission_token=submission_token).first()
        if existing:
            return existing  # the same form posted twice
    return create_inspections(
        [
            dict(
                enterprise=enterprise,
                kind=kind,
                template_version=template_version,
                org_unit=org_unit,
                inspectors=inspectors,
                due_date=due_date,
                created_by=created_by,
                licenses=licenses,
                special_trigger=special_trigger,
                submission_token=submission_token,
                item_scope=item_scope,
            )
        ]
    )[0]


@transaction.atomic
def create_inspections(orders):
    """Dispatch many records at once, each order holding create_inspection's keyword arguments: a query per kind
    of row whatever their number (a random check dispatches one record per drawn enterprise), and the same
    audit entries as one by one. A record without `licenses` covers its enterprise's valid licenses, and every
    record lists its enterprise's registered equipment for the on-site comparison. The rows go in with COPY on
    PostgreSQL (core.bulk.insert_objects): at 100,000 records bulk_create spent longer compiling each value
    than the database took to store them."""
    for order in orders:
        if order["kind"] == InspectionRecord.Kind.SPECIAL and not order.get("special_trigger"):
            raise ValidationError({"special_trigger": f"专项检查须选择检查原因（{SPECIAL_RULE}）。"})
        # a revisit re-answers the failed items on the version they failed on, whatever kinds that version serves
        rechecks_items = order["kind"] == InspectionRecord.Kind.REVISIT and order.get("item_scope")
        if order["kind"] not in order["template_version"].kinds and not rechecks_items:
            raise ValidationError(
                {"template_version": checklist_kind_mismatch(order["template_version"], order["kind"])}
            )
    records = insert_objects(
        InspectionRecord,
        new_instances(  # InspectionRecord(**values) for each, three times faster
            InspectionRecord,
            [
                dict(
                    enterprise=order["enterprise"],
                    region_id=order["enterprise"].region_id,
                    kind=order["kind"],
                    template_version=order["template_version"],  # has_equipment_table reads it below
                    special_trigger=order.get("special_trigger", "")
                    if order["kind"] == InspectionRecord.Kind.SPECIAL
                    else "",
                    org_unit_id=order["org_unit"].pk,
                    due_date=order["due_date"],
                    created_by_id=getattr(order.get("created_by"), "pk", None),
                    submission_token=order.get("submission_token"),
                    item_scope=sorted(order.get("item_scope") or []),
                )
                for order in orders
            ],
        ),
    )
    audit.record_created(records)
    enterprise_ids = {record.enterprise_id for record in records}
    valid_licenses, equipment = defaultdict(list), defaultdict(list)
    valid = filter_in(License.objects.filter(status=License.Status.VALID), "enterprise", enterprise_ids)
    for enterprise_id, license_id in valid.order_by("pk").values_list("enterprise_id", "pk"):
        valid_licenses[enterprise_id].append(license_id)
    for item in filter_in(KeyEquipment.objects.all(), "enterprise", enterprise_ids).order_by("pk"):
        equipment[item.enterprise_id].append(item)
    crews, license_links, links, checks = [], [], [], []
    for record, order in zip(records, orders):
        inspector_ids = list(dict.fromkeys(inspector.pk for inspector in order["inspectors"]))
        license_ids = (
            valid_licenses[record.enterprise_id]
            if order.get("licenses") is None
            else list(dict.fromkeys(license.pk for license in order["licenses"]))
        )
        # Id pairs rather than instances: at 100,000 records a model instance per link row took longer than
        # writing the rows.
        crews += [(record.pk, inspector_id) for inspector_id in inspector_ids]
        license_links += [(record.pk, license_id) for license_id in license_ids]
        links += [
            audit.m2m_change(record, field, "added", ids)
            for field, ids in (("inspectors", inspector_ids), ("licenses", license_ids))
            if ids
        ]
        checks += [
            EquipmentCheck(
                record=record, registered=e, kind=e.kind, name=e.name, model=e.model, registered_quantity=e.quantity
            )
            for e in (equipment[record.enterprise_id] if record.has_equipment_table else [])
        ]
    insert_links(RecordInspector, ["record_id", "inspector_id"], crews)
    insert_links(InspectionRecord.licenses.through, ["inspectionrecord_id", "license_id"], license_links)
    audit.record(links)
    audit.record_created(insert_objects(EquipmentCheck, checks))
    return records


@transaction.atomic
def mark_not_carried_out(record, *, by, reason):
    """The inspection will not take place (003 七(五): the enterprise stopped or switched production).
    The record leaves every open list; it keeps the reason and is never filled."""
    record = record.locked()
    if not record.is_open:
        raise ValidationError(f"该检查记录状态为“{record.get_status_display()}”，不能登记为未实施。")
    if not reason.strip():
        raise ValidationError("请填写未实施原因。")
    record.status, record.not_carried_out_reason = InspectionRecord.Status.NOT_CARRIED_OUT, reason.strip()
    record.save(update_fields=["status", "not_carried_out_reason"])
    return record


# --- 指派检查组: a record dispatched without its crew (a linkage notice's targeted inspection) gets it later -----

CREW_FIELDS = ["inspectors"]


def crew_version(record):
    """The version the 指派检查组 page carries (core.concurrency): the crew as the page showed it."""
    return version_of(record, CREW_FIELDS)


def crew_match_seed(record, token):
    """The seed of a 随机匹配: the record's unit and id and the form's one-time token, kept on the record."""
    return f"{record.org_unit.code}|{record.pk}|{token}"


def match_crew(record, *, seed, today=None):
    """随机匹配: ≥2 inspectors of the record's unit by the random check's matching, through the AppConfig hook
    `match_crew(record, *, seed, deadline)` of the app that holds it (planning.crews.match_from_units; this app
    sits below the random check and cannot import it). Raises ValidationError at "inspectors" naming the shortfall."""
    deadline = max(record.due_date or date.min, today or timezone.localdate())
    for config in apps.get_app_configs():
        if hasattr(config, "match_crew"):
            return config.match_crew(record, seed=seed, deadline=deadline)
    raise ValidationError({"inspectors": "本系统未启用随机匹配，请选择检查人员。"})


@transaction.atomic
def assign_crew(record, *, inspectors, by, version, token=None, match_seed="", today=None):
    """指派检查组: give a dispatched record that has not started and has fewer than two inspectors its crew
    (`inspectors`, picked by hand or by match_crew with `match_seed`). The crew passes the check of every dispatch
    and finish (selectors.crew_problems: 002 第九条 ≥2 with valid certificates, the avoidance list) on the first
    day it fails of today and the due date, so it holds whenever the inspection takes place in between.
    Posting the same form twice (`token`) assigns once; a page loaded before someone else assigned a different
    crew is refused (core.concurrency.StaleEdit)."""
    record = locked(record)
    if token and record.crew_token == token:
        return record  # the same form posted twice
    inspectors = list(dict.fromkeys(inspectors))
    check_version(record, version, {"inspectors": inspectors}, CREW_FIELDS)
    crew = list(record.inspectors.all())
    if len(crew) >= rules.MIN_INSPECTORS and set(crew) == set(inspectors):
        return record  # someone already assigned exactly this crew
    if record.status != InspectionRecord.Status.ASSIGNED:
        raise ValidationError(f"该检查记录状态为“{record.get_status_display()}”，只有尚未开始的检查可以指派检查组。")
    if len(crew) >= rules.MIN_INSPECTORS:
        raise ValidationError(f"本检查已有检查组（{'、'.join(i.name for i in crew)}），无需再指派。")
    today = today or timezone.localdate()
    chosen = Inspector.objects.filter(pk__in=[i.pk for i in inspectors])
    problems = crew_problems(chosen, record.enterprise_id, today) or crew_problems(
        chosen, record.enterprise_id, max(today, record.due_date or today)
    )
    if problems:
        raise ValidationError({"inspectors": problems})
    record.inspectors.set(inspectors)
    record.crew_assigned_at, record.crew_assigned_by = timezone.now(), by
    record.crew_match_seed, record.crew_token = match_seed, token
    record.save(update_fields=["crew_assigned_at", "crew_assigned_by", "crew_match_seed", "crew_token"])
    return record


class RecordLocked(ValidationError):
    def __init__(self):
        super().__init__("本检查记录已完成并锁定，只能通过“更正”修改（须填写更正原因）。", code="locked")


class StaleDraft(ValidationError):
    def __init__(self):
        super().__init__("本记录已在其他设备或窗口中更新。您填写的内容仍保留在本页，请核对后再次保存。", code="stale")


class NotCarriedOut(ValidationError):
    def __init__(self, record):
        super().__init__(
            f"本检查已登记为未实施（{record.not_carried_out_reason}），不能再填写。", code="not_carried_out"
        )


def _ensure_open(record):
    if record.is_locked:
        raise RecordLocked()
    if not record.is_open:
        raise NotCarriedOut(record)


def _answer_errors(item, option, conclusion):
    label = rules.item_label(item.number, item.text)
    if option and option not in item.options:
        return f"{label}：检查记录“{option}”不是本表的选项。"
    if conclusion and conclusion not in item.conclusions:
        return f"{label}：单项检查结论“{conclusion}”不是本表的选项。"
    conflict = rules.answer_conflict(option, conclusion, item.option_conclusions, item.conclusions)
    return f"{label}：{conflict}" if conflict else ""


FINDING_FIELDS = ["option", "conclusion", "note", "register_confirmed", "register_note"]
EQUIPMENT_FIELDS = ["found_quantity", "found_model", "note"]


def _apply(record, *, fields, findings, equipment, confirmations=None):
    """Write the editable content of a record: header fields, findings by item id ((option, conclusion, note)),
    register confirmations by item id ((confirmed, note)), equipment rows by id. An answer that is not on the
    checklist or contradicts its conclusion is refused at its item ("item-<id>"); the caller's transaction
    then writes nothing. Rows are read and written in bulk (autosave is the most frequent write), so the
    number of queries does not grow with the items or equipment rows."""
    items = {item.pk: item for item in record.checked_items()}
    findings = {int(k): v for k, v in findings.items()}
    confirmations = {int(k): v for k, v in (confirmations or {}).items()}
    for name, value in fields.items():
        setattr(record, name, value)
    existing = {f.item_id: f for f in record.findings.all()}
    new, changed, errors = [], [], {}
    for item_id in sorted(findings.keys() | confirmations.keys()):
        item = items.get(item_id)
        if item is None:
            continue
        finding = existing.get(item.pk) or Finding(record=record)
        finding.item = item  # its audit entry names the item: no query per finding
        option, conclusion, note = findings.get(item.pk, (finding.option, finding.conclusion, finding.note))
        error = _answer_errors(item, option, conclusion)
        if error:
            errors[f"item-{item.pk}"] = [error]
            continue
        confirmed, register_note = confirmations.get(item.pk, (finding.register_confirmed, finding.register_note))
        values = (option, conclusion, note, confirmed, register_note)
        if finding.pk is not None and tuple(getattr(finding, name) for name in FINDING_FIELDS) == values:
            continue
        for name, value in zip(FINDING_FIELDS, values):
            setattr(finding, name, value)
        (new if finding.pk is None else changed).append(finding)
    if errors:
        raise ValidationError(errors)
    audit.bulk_create_audited(Finding, new)
    _update_audited(Finding, changed, FINDING_FIELDS)
    rows = {row.pk: row for row in record.equipment_checks.all()} if equipment else {}
    changed = []
    for row_id, values in equipment.items():
        row = rows.get(int(row_id))
        if row and tuple(getattr(row, name) for name in EQUIPMENT_FIELDS) != tuple(values):
            for name, value in zip(EQUIPMENT_FIELDS, values):
                setattr(row, name, value)
            changed.append(row)
    _update_audited(EquipmentCheck, changed, EQUIPMENT_FIELDS)


def _update_audited(model, objects, fields):
    if objects:
        audit.bulk_update_audited(model, objects, fields)


@transaction.atomic
def save_draft(record, *, revision, fields=None, findings=None, equipment=None, confirmations=None):
    """Save what the inspector has filled so far (autosave and 保存). Findings are keyed by item, so posting the
    same draft twice writes nothing twice; a draft based on an older revision is refused, never merged.
    A draft may be incomplete but not contradictory: an answer against its conclusion is refused at the item."""
    record = record.locked()
    _ensure_open(record)
    if revision != record.revision:
        raise StaleDraft()
    _apply(record, fields=fields or {}, findings=findings or {}, equipment=equipment or {}, confirmations=confirmations)
    record.revision += 1
    if record.status == InspectionRecord.Status.ASSIGNED:
        record.status = InspectionRecord.Status.IN_PROGRESS
    record.save()
    return record


def add_equipment_found(record, *, kind, name, model, quantity):
    """A key equipment found on site that is not on the register (flagged as 未登记的新增设备)."""
    _ensure_open(record)
    if record.item_scope:
        raise ValidationError("复查只重新核对未通过的检查项，没有关键生产设备表，无需核对设备。")
    if not record.has_equipment_table:
        raise ValidationError(f"“{record.template_version.template.name}”没有关键生产设备表，无需核对设备。")
    if not name.strip():
        raise ValidationError("请填写设备名称。")
    return EquipmentCheck.objects.create(
        record=record, kind=kind, name=name.strip(), found_model=model.strip(), found_quantity=quantity
    )


# --- signatures -------------------------------------------------------------------------------------------

MAX_SIGNATURE_BYTES = 512 * 1024


def signature_file(data_url):
    """A drawn signature posted by the canvas as a PNG data URL."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError("签名无效：请在签名框内手写签名后再提交。")
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError("签名无效：图像数据已损坏，请重新签名。") from exc
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise ValidationError("签名图像过大，请清除后重新签名。")
    try:
        attachments.check_image(raw)
    except ValidationError as exc:
        raise ValidationError("签名无效：图像无法识别，请清除后重新签名。") from exc
    return ContentFile(raw, name=f"{uuid.uuid4().hex}.png")


@transaction.atomic
def sign_as_inspector(record, inspector, data_url):
    _ensure_open(record)
    link = (  # with its inspector: the audit entry names them
        RecordInspector.objects.select_for_update(of=("self",)).select_related("inspector")
    ).get(record=record, inspector=inspector)
    link.signature = signature_file(data_url)
    link.signed_at = timezone.now()
    link.save()
    return link


ENTERPRISE_SIGNATURE_FIELDS = [
    "enterprise_signature",
    "enterprise_signer",
    "enterprise_signed_at",
    "enterprise_refused",
    "enterprise_refusal_note",
]


def _ensure_enterprise_signs(record):
    if not needs_enterprise_signature(record.template_version):
        raise ValidationError(f"“{record.template_version.template.name}”只由检查人员签字，没有企业签字栏。")


@transaction.atomic
def sign_as_enterprise(record, *, signer, data_url):
    _ensure_open(record)
    _ensure_enterprise_signs(record)
    if not signer.strip():
        raise ValidationError("请填写签字的企业负责人/代表姓名。")
    record.enterprise_signature = signature_file(data_url)
    record.enterprise_signer = signer.strip()
    record.enterprise_signed_at = timezone.now()
    record.enterprise_refused, record.enterprise_refusal_note = False, ""
    record.save(update_fields=ENTERPRISE_SIGNATURE_FIELDS)  # never overwrite a draft saved meanwhile
    return record


@transaction.atomic
def record_refusal(record, *, note):
    """003 六(一)2: 被检查对象拒绝签字的应当在“一企两表”上如实记录."""
    _ensure_open(record)
    _ensure_enterprise_signs(record)
    if not note.strip():
        raise ValidationError("企业拒绝签字时，须如实记录拒绝情况（如拒绝人、时间、经过）。")
    record.enterprise_refused, record.enterprise_refusal_note = True, note.strip()
    record.enterprise_signature, record.enterprise_signer, record.enterprise_signed_at = "", "", timezone.now()
    record.save(update_fields=ENTERPRISE_SIGNATURE_FIELDS)
    return record


# --- attachments ------------------------------------------------------------------------------------------


def add_attachment(finding, upload, *, by):
    """A photo or PDF on a finding. Checked by content; the same file twice on one finding is stored once."""
    _ensure_open(finding.record)
    raw, content_type = attachments.validate(upload)
    digest = hashlib.sha256(raw).hexdigest()
    existing = finding.attachments.filter(sha256=digest).first()
    if existing:
        return existing
    return Attachment.objects.create(
        finding=finding,
        file=ContentFile(raw, name=attachments.storage_name(upload.name, content_type)),
        original_name=upload.name[:200],
        content_type=content_type,
        size=len(raw),
        sha256=digest,
        uploaded_by=by,
    )


# --- conclusion, finishing, amendments ------------------------------------------------------------------


@transaction.atomic
def finish(record, *, by):
    """Lock the record with its computed conclusion and hand its nonconformities to follow-up.
    Refused, keyed by field, while anything in selectors.finish_errors stands (answers, their agreement with
    each other and, unless confirmed with a note, with the register; crew; date; equipment; signatures).
    Finishing an already finished record (a double submit) changes nothing."""
    record = record.locked()
    if record.is_locked:
        return record
    _ensure_open(record)
    errors = finish_errors(record)
    if errors:
        raise ValidationError(errors)
    record.conclusion = computed_conclusion(record)
    record.status = InspectionRecord.Status.FINISHED
    record.finished_at, record.finished_by = timezone.now(), by
    record.save()
    open_problems_from(record)
    _announce_finished(record)
    return record


def _announce_finished(record):
    """Apps above (follow-up: a finished revisit closes or keeps its order's problems) learn of a finished record
    through an AppConfig `record_finished(record)` hook, in the same transaction: what they refuse, refuses the finish."""
    for config in apps.get_app_configs():
        hook = getattr(config, "record_finished", None)
        if hook:
            hook(record)


def snapshot(record):
    """What an amendment compares: the record's content as shown on the form."""
    findings = {
        f.item.number or str(f.item.position): {
            "检查记录": f.option,
            "单项检查结论": f.conclusion,
            "备注": f.note,
            "核实说明": f.register_note if f.register_confirmed else "",
        }
        for f in record.findings.select_related("item")
    }
    return {
        "检查日期": record.inspection_date.isoformat() if record.inspection_date else "",
        "现场检查发现的问题汇总": record.problems_summary,
        "企业意见": record.enterprise_opinion,
        "检查结论": record.get_conclusion_display(),
        "附加栏目": record.extra_values,
        "检查项": findings,
        "关键设备": {
            str(e.pk): {"现场数量": e.found_quantity, "现场规格型号": e.found_model, "备注": e.note}
            for e in record.equipment_checks.all()
        },
    }


def _diff(before, after, path=""):
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for key in list(before) + [k for k in after if k not in before]:
            out += _diff(before.get(key, ""), after.get(key, ""), f"{path} › {key}" if path else key)
        return out
    return [] if before == after else [{"what": path, "before": before, "after": after}]


@transaction.atomic
def amend(record, *, by, reason, fields=None, findings=None, equipment=None, confirmations=None):
    """更正 a finished record: who, when, why and what changed. The corrected record must pass every check that
    finishing makes (selectors.finish_errors), or nothing is saved; the conclusion is recomputed by the template's
    rule, new nonconformities become problems and the open problems of removed ones are superseded.
    The version before stays in the Amendment."""
    record = record.locked()
    if not record.is_locked:
        raise ValidationError("记录尚未完成，可直接修改，无需更正。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写更正原因。"})
    before = snapshot(record)
    _apply(record, fields=fields or {}, findings=findings or {}, equipment=equipment or {}, confirmations=confirmations)
    errors = finish_errors(record)
    if errors:
        raise ValidationError(errors)
    record.conclusion = computed_conclusion(record)
    record.save()
    after = snapshot(record)
    changes = _diff(before, after)
    if not changes:
        raise ValidationError("没有修改任何内容，无需更正。")
    amendment = Amendment.objects.create(
        record=record, by=by, reason=reason.strip(), changes=changes, before=before, after=after
    )
    _supersede_problems(record, amendment)
    open_problems_from(record)
    return amendment


# --- hand-off to follow-up --------------------------------------------------------------------------------


PROBLEM_CLOSURE_FIELDS = ["status", "closed_at", "closed_by", "outcome"]


def open_problems_from(record):
    """One open Problem on the enterprise per nonconforming item of a finished record (idempotent); a problem an
    amendment superseded is reopened when a later amendment makes its item nonconforming again. A few queries
    whatever the number of problems."""
    if record.item_scope:
        return []
    existing = {p.finding_id: p for p in record.problems.all()}
    new, reopened = [], []
    for finding in nonconforming_findings(record):
        problem = existing.get(finding.pk)
        if problem is None:
            text = (
                f"{record.get_kind_display()}（{record.inspection_date:%Y-%m-%d}）"
                f"第{finding.item.number}项：{finding.item.text}"
            )
            detail = "；".join(x for x in (finding.option, finding.note) if x)
            description = f"{text}。{detail}" if detail else text
            new.append(
                Problem(
                    record=record,
                    finding=finding,
                    enterprise=record.enterprise,
                    region_id=record.enterprise.region_id,
                    description=description,
                )
            )
        elif problem.status == Problem.Status.SUPERSEDED:
            problem.status, problem.closed_at, problem.closed_by, problem.outcome = Problem.Status.OPEN, None, None, ""
            reopened.append(problem)
    audit.bulk_create_audited(Problem, new)
    _update_audited(Problem, reopened, PROBLEM_CLOSURE_FIELDS)
    return new + reopened


def _supersede_problems(record, amendment):
    """An amendment that removes a nonconformity withdraws its open problem (status 更正撤销, with the reason):
    a correction of the record, not a closure by follow-up, so it does not go through close_problem."""
    still = {f.pk for f in nonconforming_findings(record)}
    withdrawn = list(record.problems.filter(status=Problem.Status.OPEN).exclude(finding__in=still))
    for problem in withdrawn:
        problem.status, problem.closed_at, problem.closed_by = Problem.Status.SUPERSEDED, amendment.at, amendment.by
        problem.outcome = f"更正撤销：{amendment.reason}"
    _update_audited(Problem, withdrawn, PROBLEM_CLOSURE_FIELDS)


class ClosureRefused(ValidationError):
    def __init__(self, message):
        super().__init__({"reason": message}, code="closure_refused")


def _corrected_at(problem, record):
    """Whether the finished revisit `record` re-answered the problem's item and found it conforming."""
    if record.kind != InspectionRecord.Kind.REVISIT or not record.is_locked:
        return False
    if problem.finding_id is None or record.enterprise_id != problem.enterprise_id:
        return False
    answer = record.findings.filter(item=problem.finding.item_id).first()
    if answer is None:
        return False
    return not rules.is_nonconforming(
        answer.option, answer.conclusion, answer.item.conclusions, answer.item.nonconforming_options
    )


@transaction.atomic
def close_problem(problem, *, by, outcome="", via=None, reason=""):
    """A problem closes only (DESIGN "Follow-up and enforcement") through a finished revisit that found it corrected
    (`via`, the revisit InspectionRecord; `by` may be None when the system applies the revisit's outcome), or through
    a decision with its reason (`reason`, and the deciding user `by`), kept as the outcome. Closing a closed problem
    changes nothing (a double submit)."""
    problem = Problem.objects.select_for_update(of=("self",)).select_related("finding").get(pk=problem.pk)
    if problem.status == Problem.Status.CLOSED:
        return problem
    if problem.status == Problem.Status.SUPERSEDED:
        raise ValidationError(f"该问题已因检查记录更正而撤销（{problem.outcome}），无需处理。")
    if via is not None:
        if not _corrected_at(problem, via):
            raise ClosureRefused("该复查记录未确认此问题已整改（须为已完成的回访/复查，且该项检查结论为符合）。")
        text = (outcome or "").strip() or f"复查（{via.inspection_date:%Y-%m-%d}）确认已整改"
    else:
        if not (reason or "").strip():
            raise ClosureRefused("问题只能经复查确认已整改后关闭；不经复查关闭的，须由处理人作出决定并填写理由。")
        if by is None:
            raise ClosureRefused("不经复查关闭问题须由具体人员作出决定。")
        text = f"决定关闭：{reason.strip()}"
    problem.status, problem.closed_at, problem.closed_by, problem.outcome, problem.closed_via = (
        Problem.Status.CLOSED,
        timezone.now(),
        by,
        text,
        via,
    )
    problem.save()
    return problem


# --- checklist versions -----------------------------------------------------------------------------------


@transaction.atomic
def new_version(template):
    """Editing a checklist: copy its newest version into an unpublished draft with the next number."""
    latest = template.versions.order_by("-number").first()
    copy = ChecklistVersion.objects.get(pk=latest.pk)
    copy.pk, copy.id, copy.number, copy.published = None, None, latest.number + 1, False
    copy._state.adding = True
    copy.save()
    for item in latest.items.all():
        item.pk = item.id = None
        item._state.adding = True
        item.version = copy
        item.save()
    return copy
