from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "postlicense.followup"
    label = "followup"
    verbose_name = "跟踪处置"

    def nav_items(self, user):
        from postlicense.core.models import User
        from postlicense.core.navigation import NavItem

        if user.is_bureau_staff:
            return [
                NavItem("责令改正", "followup:order_list", order=35),
                NavItem("许可处理", "followup:proposal_list", 60),
                NavItem("约谈与案件", "followup:interview_list", 61),
            ]
        if user.role == User.Role.ENTERPRISE:
            return [
                NavItem("责令改正", "followup:order_list", order=35),
                NavItem("约谈", "followup:interview_list", 61),
            ]
        if user.role == User.Role.INSPECTOR:
            return [NavItem("回访/复查", "followup:revisit_list", order=21)]
        return []

    def todo_items(self, user, today):
        from . import enforcement_todo, selectors

        return selectors.todo_groups(user, today) + enforcement_todo.todo_groups(user, today)

    def archive_sources(self, enterprise):
        from .models import Case, Interview, LicenseDecisionProposal, RectificationOrder

        return [
            RectificationOrder.objects.filter(enterprise=enterprise),  # reports, revisits, escalations: of an order
            LicenseDecisionProposal.objects.filter(license__enterprise=enterprise),
            Interview.objects.filter(enterprise=enterprise),
            Case.objects.filter(enterprise=enterprise),
        ]

    def archive_events(self, enterprise):
        from .archive_events import followup_events
        from .enforcement_archive import enforcement_events

        return [*followup_events(enterprise), *enforcement_events(enterprise)]

    def record_finished(self, record):
        from postlicense.inspections.models import InspectionRecord

        if record.kind == InspectionRecord.Kind.REVISIT:
            from .services import apply_revisit

            apply_revisit(record)

    def enterprise_sections(self, user, enterprise):
        from .enterprise_sections import enterprise_sections

        return enterprise_sections(user, enterprise)

    def enterprises_moved(self, enterprise_ids):
        """A moved enterprise's orders follow it: their copy of its region and supervising unit (scope, 各县逾期情况),
        and their escalations' copy of the order's region."""
        from django.db.models import OuterRef, Subquery

        from postlicense.registry.services import copy_place

        from .models import Escalation, RectificationOrder

        copy_place(RectificationOrder.objects, enterprise_ids, region="region", supervising_unit="supervising_unit")
        order = RectificationOrder.objects.filter(pk=OuterRef("order")).values("region")[:1]
        Escalation.objects.filter(order__enterprise__in=enterprise_ids).update(region=Subquery(order))

    def license_bars(self, pairs, today=None):
        from .decisions import revocation_bars

        return revocation_bars(pairs, today)

    def load_demo(self, stdout):
        from . import demo, demo_enforcement

        demo.load_demo(stdout)
        demo_enforcement.load_demo(stdout)
