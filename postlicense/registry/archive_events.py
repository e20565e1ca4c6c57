"""The registry's contribution to the quality archive: license events and edits from the audit trail."""

from django.urls import reverse
from django.utils import timezone

from postlicense.core.audit import history_of, model_label
from postlicense.core.models import AuditEntry

from .archive import ArchiveEvent
from .importing import FROM_IMPORT
from .models import License
from .selectors import licenses_of


def _field_names(model, entry):
    fields = model._meta.concrete_fields
    names = {f.attname: str(f.verbose_name) for f in fields}
    stamps = {f.attname for f in fields if getattr(f, "auto_now", False)}
    changed = entry.changes.get("changed") or {}
    m2m = entry.changes.get("m2m") or {}
    labels = [names.get(k, k) for k in changed if k not in stamps]
    labels += [
        str(model._meta.get_field(k).verbose_name) if k in {f.name for f in model._meta.many_to_many} else k
        for k in m2m
    ]
    return "、".join(labels)


def _edits(obj, what, entries):
    url = reverse("core:record_history", args=[obj._meta.label_lower, obj.pk])
    for entry in entries:
        if entry.action == AuditEntry.Action.CREATE:
            title, detail = f"{what}建档", ""
        elif entry.action == AuditEntry.Action.UPDATE:
            title, detail = f"{what}变更", f"变更字段：{_field_names(type(obj), entry)}；"
        else:
            continue
        via = "批量导入；" if entry.changes.get("source") == FROM_IMPORT["source"] else ""
        yield ArchiveEvent(
            entry.at, "变更", title, f"{via}{detail}操作人：{entry.actor_name}", url, "sees_record_history"
        )


def registry_events(enterprise):
    today = timezone.localdate()
    events = list(_edits(enterprise, "企业信息", history_of(enterprise)))
    licenses = list(licenses_of(enterprise))
    # The licenses' audit entries in one query (it was one per license).
    entries = {}
    for entry in AuditEntry.objects.filter(
        model=model_label(License), object_id__in=[str(lic.pk) for lic in licenses]
    ).select_related("actor"):
        entries.setdefault(entry.object_id, []).append(entry)
    for lic in licenses:
        events.append(
            ArchiveEvent(
                lic.issue_date,
                "许可证",
                f"取得生产许可证 {lic.number}",
                f"{lic.product_category}；发证机关：{lic.issuing_authority}；有效期至 {lic.expiry_date:%Y-%m-%d}",
            )
        )
        if lic.expiry_date <= today:
            events.append(
                ArchiveEvent(
                    lic.expiry_date,
                    "许可证",
                    f"许可证 {lic.number} 有效期届满",
                    f"当前状态：{lic.get_status_display()}",
                )
            )
        events.extend(
            e for e in _edits(lic, f"许可证 {lic.number} ", entries.get(str(lic.pk), [])) if e.title.endswith("变更")
        )
    return events
