"""What self-service puts on each role's to-do list and home page (core.todo): the enterprise its report due or
returned; county staff the reports to review and the correction requests; the city the feedback to acknowledge
(within feedback_ack, 5 工作日) and to conclude."""

from django.urls import reverse

from postlicense.core.navigation import HomeCard
from postlicense.core.todo import ITEMS_PER_GROUP, TodoGroup, TodoItem

from . import rules, selectors
from .models import CorrectionRequest, Feedback, SelfReport


def _enterprise_groups(user, enterprise, today):
    groups = []
    year = today.year - 1
    report = enterprise.self_reports.filter(year=year).first()
    home = reverse("selfservice:home")
    if (report is None or not report.is_filed) and rules.obliged(selectors.first_issue(enterprise), year):
        permission = selectors.late_permission(enterprise, year, today)
        end = selectors.window_end(enterprise, year)
        due, note = (
            (permission.until, f"县局准予逾期补报，截止 {permission.until:%Y-%m-%d}")
            if permission
            else (
                end.date,
                f"提交期限 {end.text}",
            )
        )
        item = TodoItem(f"提交{year}年度自查报告", report.get_absolute_url() if report else home, due, note)
        groups.append(TodoGroup("待提交的年度自查报告", 1, int(due < today), [item], home))
    returned = enterprise.self_reports.filter(status=SelfReport.Status.RETURNED)
    if returned:
        items = [TodoItem(f"{r.year}年度自查报告已退回", r.get_absolute_url(), None, r.review_note) for r in returned]
        groups.append(TodoGroup("已退回修改的自查报告", len(items), 0, items, reverse("selfservice:report_list")))
    return groups


def todo_items(user, today):
    enterprise = selectors.enterprise_of(user)
    if enterprise is not None:
        return _enterprise_groups(user, enterprise, today)
    groups = []
    if user.is_bureau_staff:
        pending = selectors.reports_for(user).filter(status=SelfReport.Status.SUBMITTED).order_by("submitted_at")
        groups.append(
            TodoGroup(
                "待审查的年度自查报告",
                total := pending.count(),
                0,
                [TodoItem(str(r), r.get_absolute_url()) for r in (pending[:ITEMS_PER_GROUP] if total else [])],
                reverse("selfservice:review_list"),
            )
        )
        requests = selectors.corrections_for(user).filter(status=CorrectionRequest.Status.OPEN)
        groups.append(
            TodoGroup(
                "企业提出的登记信息更正申请",
                total := requests.count(),
                0,
                [
                    TodoItem(
                        f"{r.enterprise.name}：{r.message[:30]}", reverse("selfservice:correction_handle", args=[r.pk])
                    )
                    for r in (requests[:ITEMS_PER_GROUP] if total else [])
                ],
                reverse("selfservice:correction_list"),
            )
        )
    feedback = selectors.feedback_for(user) if selectors.city_prefix(user) or user.is_superuser else None
    if feedback is not None:
        received = feedback.filter(status=Feedback.Status.RECEIVED).order_by("ack_due")
        groups.append(
            TodoGroup(
                "待受理的执法行为反馈",
                received.count(),
                received.filter(ack_due__lt=today).count(),
                [
                    TodoItem(
                        f"{f.enterprise.name} 反映 {f.category_labels()}",
                        reverse("selfservice:feedback", args=[f.pk]),
                        f.ack_due,
                        f"受理期限 {f.ack_due_text}",
                    )
                    for f in received[:ITEMS_PER_GROUP]
                ],
                reverse("selfservice:feedback_manage"),
            )
        )
        open_ = feedback.filter(status=Feedback.Status.ACKNOWLEDGED).order_by("acknowledged_at")
        groups.append(
            TodoGroup(
                "待办结的执法行为反馈",
                open_.count(),
                0,
                [
                    TodoItem(
                        f"{f.enterprise.name} 反映 {f.category_labels()}", reverse("selfservice:feedback", args=[f.pk])
                    )
                    for f in open_[:ITEMS_PER_GROUP]
                ],
                reverse("selfservice:feedback_manage"),
            )
        )
    return groups


def home_cards(user):
    enterprise = selectors.enterprise_of(user)
    if enterprise is not None:
        return [
            HomeCard(
                "年度自查报告",
                enterprise.self_reports.count(),
                reverse("selfservice:report_list"),
                f"{enterprise.name}：登记信息、许可证、检查记录见“本企业”",
            )
        ]
    if user.is_bureau_staff:
        pending = selectors.reports_for(user).filter(status=SelfReport.Status.SUBMITTED).count()
        return [
            HomeCard("待审查自查报告", pending, reverse("selfservice:review_list") + "#reports", "企业年度自查报告")
        ]
    return []
