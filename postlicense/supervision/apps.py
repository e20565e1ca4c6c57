from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "postlicense.supervision"
    label = "supervision"
    verbose_name = "监督检验与通报"

    def nav_items(self, user):
        from postlicense.core.models import User
        from postlicense.core.navigation import NavItem

        items = []
        if user.is_bureau_staff or user.role in (User.Role.INSPECTOR, User.Role.ENTERPRISE):
            items.append(NavItem("监督检验", "supervision:test_list", order=40))
        if user.is_bureau_staff:
            items += [
                NavItem("举报投诉", "supervision:complaint_list", order=42),
                NavItem("通报", "supervision:notice_list", order=44),
                NavItem("检验机构", "supervision:lab_list", order=84),
            ]
        return items

    def enterprise_sections(self, user, enterprise):
        from .enterprise_sections import enterprise_sections

        return enterprise_sections(user, enterprise)

    def home_cards(self, user):
        from django.urls import reverse

        from postlicense.core.models import User
        from postlicense.core.navigation import HomeCard

        from .models import Complaint, TestOrder
        from .selectors import OPEN_TEST_STATUSES, leads_for

        if not (user.is_bureau_staff or user.role == User.Role.INSPECTOR):
            return []
        tests = TestOrder.objects.for_user(user)
        url = reverse("supervision:test_list")
        cards = [
            HomeCard("待抽样", tests.filter(status=TestOrder.Status.ORDERED).count(), f"{url}?status=ordered"),
            HomeCard("进行中的监督检验", tests.filter(status__in=OPEN_TEST_STATUSES).count(), f"{url}?status=open"),
        ]
        if user.is_bureau_staff:
            cards += [
                HomeCard(
                    "检验不合格", tests.filter(result=TestOrder.Result.UNQUALIFIED).count(), f"{url}?result=unqualified"
                ),
                HomeCard(
                    "待办结举报投诉",
                    Complaint.objects.for_user(user).exclude(status=Complaint.Status.ANSWERED).count(),
                    reverse("supervision:complaint_list") + "?status=open",
                ),
                HomeCard("疑似无证生产线索", leads_for(user, open_only=True).count(), reverse("supervision:lead_list")),
            ]
        return cards

    def interview_triggers(self, since):
        """Follow-up's interview suggestions: a supervision test found 不合格 in a report dated after `since`."""
        from .models import TestOrder

        failed = TestOrder.objects.filter(result=TestOrder.Result.UNQUALIFIED, report_date__gt=since)
        return [("监督抽查检验不合格", failed)]

    def todo_items(self, user, today):
        from postlicense.core.todo import ITEMS_PER_GROUP

        from .selectors import todo_groups

        return todo_groups(user, today, ITEMS_PER_GROUP)

    def archive_sources(self, enterprise):
        from .models import Complaint, NoticeEntry, TestOrder

        return [model.objects.filter(enterprise=enterprise) for model in (TestOrder, Complaint, NoticeEntry)]

    def archive_events(self, enterprise):
        from postlicense.registry.archive import ArchiveEvent

        from .models import Complaint, NoticeEntry

        events = []
        for t in enterprise.tests.all():
            events.append(
                ArchiveEvent(
                    t.created_at,
                    "抽样检验",
                    f"下达监督检验：{t.product}（{t.number}）",
                    t.get_trigger_display(),
                    t.get_absolute_url(),
                )
            )
            if t.sampling_date and t.status != t.Status.ORDERED:
                title = "抽样未果" if t.status == t.Status.NOT_SAMPLED else f"抽样（封条 {t.seal_no}）"
                events.append(
                    ArchiveEvent(t.sampling_date, "抽样检验", title, t.not_sampled_reason, t.get_absolute_url())
                )
            if t.report_date:
                events.append(
                    ArchiveEvent(
                        t.report_date,
                        "抽样检验",
                        f"检验结论：{t.get_result_display()}（报告 {t.report_no}）",
                        t.failed_items,
                        t.get_absolute_url(),
                    )
                )
            if t.stop_selling_date:
                events.append(
                    ArchiveEvent(
                        t.stop_selling_date,
                        "抽样检验",
                        f"责令停止销售{t.product}",
                        t.stop_selling_method,
                        t.get_absolute_url(),
                    )
                )
            if t.retest_requested_date:
                events.append(
                    ArchiveEvent(t.retest_requested_date, "抽样检验", "申请复检", t.retest_note, t.get_absolute_url())
                )
        for c in Complaint.objects.filter(enterprise=enterprise):
            events.append(
                ArchiveEvent(
                    c.received_date, "举报投诉", f"举报投诉登记（{c.number}）", c.content[:200], c.get_absolute_url()
                )
            )
            if c.answered_date:
                verdict = "属实" if c.substantiated else "不属实"
                events.append(
                    ArchiveEvent(
                        c.answered_date, "举报投诉", f"举报办结：{verdict}", c.answer[:200], c.get_absolute_url()
                    )
                )
        for e in NoticeEntry.objects.filter(enterprise=enterprise).select_related("notice"):
            events.append(
                ArchiveEvent(
                    e.notice.received_date,
                    "通报",
                    f"{e.notice.get_source_display()}通报（{e.notice.doc_no}）",
                    f"{e.product}：{e.failed_items}".strip("："),
                    e.notice.get_absolute_url(),
                )
            )
        return events

    def planning_raising_factors(self, enterprises, year):
        """{enterprise id: [RaisingFactor(kind, label, source, on, url)]}: failed tests, substantiated complaints and
        linkage notices dated in `year` or the year before (selectors.raising_factors)."""
        from .selectors import raising_factors

        return raising_factors(enterprises, year)

    def record_panels(self, record, user):
        """The trigger evidence shown on a special inspection's record page (inspections' record_panels hook)."""
        from django.template.loader import render_to_string

        from .models import TriggerEvidence

        evidence = TriggerEvidence.objects.filter(record=record).select_related("complaint", "notice").first()
        if evidence is None:
            return []
        return [render_to_string("supervision/_trigger_evidence.html", {"evidence": evidence, "user": user})]

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
