"""The to-do groups of license decisions, interviews and cases (core.todo; FollowupConfig.todo_items combines them).

County staff: proposals to confirm, interview commitments due, cases whose 立案 / decision deadline nears.
City admin: proposals to forward, decisions awaited from the issuing authority, and the county's groups for the city.
Enterprise user: its interview commitments.
"""

from django.db.models import Count, Q
from django.urls import reverse

from postlicense.core.todo import ITEMS_PER_GROUP, TodoGroup, TodoItem

from . import cases, decisions, interviews
from .models import LicenseDecisionProposal as P


def _group(label, qs, due_field, today, item, url):
    """A bounded group: one count query (with the overdue count when the items have a deadline), then the first
    items, soonest deadline (or oldest step) first. `due_field` is a date column, or an `at` column without "__lt"
    meaning (a step's time: the group has no overdue count)."""
    dated = not due_field.endswith("_at")
    overdue = Count("pk", filter=Q(**{f"{due_field}__lt": today})) if dated else None
    counts = qs.aggregate(total=Count("pk"), **({"overdue": overdue} if dated else {}))
    if not counts["total"]:
        return None
    first = qs.order_by(due_field, "pk")[:ITEMS_PER_GROUP]
    return TodoGroup(label, counts["total"], counts.get("overdue", 0), [item(x) for x in first], url)


def _proposal_item(p):
    return TodoItem(
        f"{p.license.enterprise.name} {p.license.number} {p.get_kind_display()}建议",
        p.get_absolute_url(),
        p.confirm_due if p.status == P.Status.PROPOSED else None,
        f"确认期限 {p.confirm_due_text}"
        if p.status == P.Status.PROPOSED and p.confirm_due_text
        else p.get_status_display(),
    )


def _commitment_item(c):
    return TodoItem(
        f"{c.interview.enterprise.name}：{c.content[:30]}", c.get_absolute_url(), c.due, f"承诺期限 {c.due_text}"
    )


def todo_groups(user, today):
    groups = []
    proposals_url = reverse("followup:proposal_list")
    if user.role == "enterprise":
        groups.append(
            _group(
                "约谈承诺事项",
                interviews.commitments_due(user),
                "due",
                today,
                _commitment_item,
                reverse("followup:interview_list"),
            )
        )
        return [g for g in groups if g]
    if not user.is_bureau_staff:
        return []
    mine = decisions.proposals_for(user)
    if decisions.is_county(user):
        groups.append(
            _group(
                "待确认的许可处理建议",
                mine.filter(status=P.Status.PROPOSED),
                "confirm_due",
                today,
                _proposal_item,
                f"{proposals_url}?status=proposed",
            )
        )
    if decisions.is_city(user):
        groups.append(
            _group(
                "待转报许可机关的处理建议",
                mine.filter(status=P.Status.CONFIRMED),
                "confirmed_at",
                today,
                _proposal_item,
                f"{proposals_url}?status=confirmed",
            )
        )
        groups.append(
            _group(
                "已转报、待录入许可机关决定",
                mine.filter(status=P.Status.FORWARDED),
                "forwarded_at",
                today,
                _proposal_item,
                f"{proposals_url}?status=forwarded",
            )
        )
    groups.append(
        _group(
            "约谈承诺事项（待确认完成）",
            interviews.commitments_due(user),
            "due",
            today,
            _commitment_item,
            reverse("followup:interview_list"),
        )
    )
    case_url = reverse("followup:case_list")
    groups.append(
        _group(
            "案件线索待立案",
            cases.filing_pending(user),
            "filing_due",
            today,
            lambda c: TodoItem(
                f"{c.enterprise.name} 案件线索", c.get_absolute_url(), c.filing_due, f"立案期限 {c.filing_due_text}"
            ),
            f"{case_url}?stage=filing",
        )
    )
    groups.append(
        _group(
            "已立案待作出处罚决定",
            cases.decision_pending(user),
            "decision_due",
            today,
            lambda c: TodoItem(
                f"{c.enterprise.name} {c.case_number}",
                c.get_absolute_url(),
                c.decision_due,
                f"决定期限 {c.decision_due_text}",
            ),
            f"{case_url}?stage=decision",
        )
    )
    return [g for g in groups if g]
