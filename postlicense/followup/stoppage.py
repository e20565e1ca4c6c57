"""The 停产/转产 tracking list (003 七(五); DESIGN "Follow-up and enforcement"): a query, never a stored flag.

An enterprise is on the list when
- a random check drew it and it was not inspected for 停产/转产 (randomcheck DrawnEnterprise.not_inspected_reason), or
- the register marks it 停产/转产 (Enterprise.status; the stop date is when the audit trail shows the status set),
and it stays there until an on-site record of it is finished after the stop date (inspected after resuming), or
until none of its licenses is left in force (注销 and the like, recorded through a decision).
API:
tracking_rows(user, *, region="", reason="", q="") -> list[TrackingRow]   scoped, filtered, oldest stop first
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from postlicense.core.models import AuditEntry
from postlicense.inspections.models import InspectionRecord
from postlicense.randomcheck.models import DrawnEnterprise
from postlicense.registry.models import Enterprise, License

STOPPED = [Enterprise.Status.STOPPED, Enterprise.Status.SWITCHED]
REASONS = [("draw", "双随机抽中未检查"), ("register", "名录登记停产/转产")]


@dataclass
class TrackingRow:
    enterprise: Enterprise
    source: str  # "draw" | "register"
    reason: str  # 停产 / 转产
    since: datetime | None
    note: str
    url: str = ""

    @property
    def source_label(self):
        return dict(REASONS)[self.source]


def _in_force():
    """Licenses not ended by a decision (撤销/撤回/吊销/注销)."""
    return License.objects.filter(status__in=[License.Status.VALID, License.Status.EXPIRED])


def _status_set_at(enterprise_ids):
    """{enterprise id: when the audit trail last shows its status set to 停产/转产} (creation included)."""
    entries = AuditEntry.objects.filter(
        model="registry.enterprise", object_id__in=[str(i) for i in enterprise_ids]
    ).order_by("id")
    at = {}
    for e in entries.only("object_id", "at", "changes", "action"):
        if e.action == AuditEntry.Action.CREATE:
            status = (e.changes.get("after") or {}).get("status")
        else:
            status = ((e.changes.get("changed") or {}).get("status") or [None, None])[1]
        if status in STOPPED:
            at[int(e.object_id)] = e.at
    return at


def tracking_rows(user, *, region="", reason="", q=""):
    rows = []
    finished_after = InspectionRecord.objects.filter(
        enterprise=OuterRef("enterprise"), status=InspectionRecord.Status.FINISHED
    )
    if reason in ("", "draw"):
        drawn = (
            DrawnEnterprise.objects.for_user(user)
            .exclude(not_inspected_reason="")
            .filter(Exists(_in_force().filter(enterprise=OuterRef("enterprise"))))
            .filter(~Exists(finished_after.filter(finished_at__gt=OuterRef("not_inspected_at"))))
            .select_related("enterprise__supervising_unit", "enterprise__region", "task")
        )
        if region:
            drawn = drawn.filter(enterprise__region__code__startswith=region)
        if q:
            drawn = drawn.filter(Q(enterprise__name__icontains=q) | Q(credit_code=q))
        for d in drawn:
            rows.append(
                TrackingRow(
                    d.enterprise,
                    "draw",
                    d.get_not_inspected_reason_display(),
                    d.not_inspected_at,
                    f"{d.task.name}：{d.not_inspected_note}",
                )
            )
    if reason in ("", "register"):
        listed = {r.enterprise.pk for r in rows}
        ever_stopped = AuditEntry.objects.filter(model="registry.enterprise").filter(
            Q(changes__changed__status__1__in=STOPPED) | Q(changes__after__status__in=STOPPED)
        )
        marked = (
            Enterprise.objects.for_user(user)
            .filter(Q(status__in=STOPPED) | Q(pk__in=ever_stopped.values(eid=Cast("object_id", BigIntegerField()))))
            .filter(Exists(_in_force().filter(enterprise=OuterRef("pk"))))
            .exclude(pk__in=listed)
            .select_related("supervising_unit", "region")
        )
        if region:
            marked = marked.filter(region__code__startswith=region)
        if q:
            marked = marked.filter(Q(name__icontains=q) | Q(credit_code=q))
        marked = list(marked)
        since = _status_set_at([e.pk for e in marked])
        last_finished = dict(
            InspectionRecord.objects.filter(enterprise__in=marked, status=InspectionRecord.Status.FINISHED)
            .order_by("enterprise_id", "finished_at")
            .values_list("enterprise_id", "finished_at")
        )
        for e in marked:
            stop, inspected = since.get(e.pk), last_finished.get(e.pk)
            if e.status not in STOPPED and (stop is None or (inspected and inspected > stop)):
                continue  # resumed and inspected on site since (or never stopped as far as the trail shows)
            if e.status in STOPPED and stop and inspected and inspected > stop:
                continue  # inspected on site after the stop: the record says what it found
            note = "名录登记为" + e.get_status_display() if e.status in STOPPED else "已恢复生产，待复产后检查"
            rows.append(TrackingRow(e, "register", e.get_status_display(), stop, note))
    for r in rows:
        r.url = r.enterprise.get_absolute_url()
    epoch = timezone.make_aware(datetime(2000, 1, 1))
    return sorted(rows, key=lambda r: (r.since or epoch, r.enterprise.name))
