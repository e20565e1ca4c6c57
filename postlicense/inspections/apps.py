from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "postlicense.inspections"
    label = "inspections"
    verbose_name = "监督检查"

    def nav_items(self, user):
        from postlicense.core.models import User
        from postlicense.core.navigation import NavItem

        from .checklist_editing import may_edit

        items = []
        if user.role == User.Role.INSPECTOR or user.is_superuser:
            items.append(NavItem("我的检查", "inspections:my_inspections", order=20))
        if user.is_bureau_staff or user.role == User.Role.ENTERPRISE:
            items.append(NavItem("检查记录", "inspections:record_list", order=30))
        if may_edit(user):
            items.append(NavItem("检查表", "inspections:checklist_list", order=82))
        return items

    def enterprises_moved(self, enterprise_ids):
        """A moved enterprise's records and problems follow it: their copy of its region (the scope of the record
        list and of follow-up's to-do)."""
        from postlicense.registry.services import copy_place

        from .models import InspectionRecord, Problem

        copy_place(InspectionRecord.objects, enterprise_ids, region="region")
        copy_place(Problem.objects, enterprise_ids, region="region")

    def home_cards(self, user):
        from django.urls import reverse

        from postlicense.core.models import User
        from postlicense.core.navigation import HomeCard

        from .selectors import OPEN, my_inspections, record_counts

        if user.role == User.Role.INSPECTOR:
            mine = my_inspections(user)
            url = reverse("inspections:my_inspections")
            return [
                HomeCard("我的待检查", len(mine["assigned"]) + len(mine["due"]) + len(mine["overdue"]), url),
                HomeCard("已逾期", len(mine["overdue"]), url + "#overdue", "超过完成期限仍未完成"),
            ]
        if not user.is_bureau_staff:
            return []
        counts = record_counts(user)
        url = reverse("inspections:record_list")
        # Each card links to the list filtered to exactly the rows it counts (selectors.record_counts).
        return [
            HomeCard("未完成检查", counts["open"], f"{url}?status={OPEN}"),
            HomeCard("逾期未完成检查", counts["overdue"], f"{url}?overdue=1", "超过完成期限"),
            HomeCard("检查不合格", counts["unqualified"], f"{url}?conclusion=unqualified"),
        ]

    def todo_items(self, user, today):
        from postlicense.core.todo import ITEMS_PER_GROUP

        from .selectors import crew_todo

        return crew_todo(user, today, ITEMS_PER_GROUP)

    @staticmethod
    def _archived_records(enterprise):
        """The records in the archive: finished, or given a crew."""
        from django.db.models import Q

        from .models import InspectionRecord

        return InspectionRecord.objects.filter(
            Q(status=InspectionRecord.Status.FINISHED) | Q(crew_assigned_at__isnull=False), enterprise=enterprise
        )

    def archive_sources(self, enterprise):
        return [self._archived_records(enterprise)]

    def archive_events(self, enterprise):
        from django.db.models import Prefetch, prefetch_related_objects

        from postlicense.inspectors.models import Inspector
        from postlicense.registry.archive import ArchiveEvent

        from .models import InspectionRecord

        # The finished records and those given a crew in one read, the crews of the latter in a second (the
        # enterprise page lists every app's events).
        records = list(self._archived_records(enterprise))
        prefetch_related_objects(
            [r for r in records if r.crew_assigned_at is not None],
            Prefetch("inspectors", queryset=Inspector.objects.only("name")),
        )
        events = []
        for r in records:
            if r.status == InspectionRecord.Status.FINISHED:
                events.append(
                    ArchiveEvent(
                        at=r.finished_at,
                        kind="检查",
                        title=f"{r.get_kind_display()}：{r.get_conclusion_display()}",
                        detail=(r.problems_summary or "未发现不符合项")[:200],
                        url=r.get_absolute_url(),
                    )
                )
            if r.crew_assigned_at is not None:
                how = "随机匹配" if r.crew_match_seed else "人工指派"
                events.append(
                    ArchiveEvent(
                        at=r.crew_assigned_at,
                        kind="检查",
                        title=f"{r.get_kind_display()}：指派检查组",
                        detail=f"{'、'.join(i.name for i in r.inspectors.all())}（{how}）",
                        url=r.get_absolute_url(),
                    )
                )
        return events

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
