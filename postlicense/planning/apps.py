from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "postlicense.planning"
    label = "planning"
    verbose_name = "计划与督查"

    def ready(self):
        from . import signals  # noqa: F401  (keeps each plan entry's done count true)

    def planning_raising_factors(self, enterprises, year):
        """The factors planning knows itself: a license expiring in the year, a focus industry of the city."""
        from .services import expiring_license_factors, focus_industry_factors

        found = expiring_license_factors(enterprises, year)
        for pk, factors in focus_industry_factors(enterprises, year).items():
            found.setdefault(pk, []).extend(factors)
        return found

    def match_crew(self, record, *, seed, deadline):
        """The inspections `match_crew` hook (随机匹配 on the 指派检查组 page): ≥2 inspectors of the record's unit
        for its enterprise by the random check's matching (crews.match_from_units)."""
        from .crews import match_from_units

        return match_from_units([record.enterprise], units=[record.org_unit], seed=seed, deadline=deadline, load_cap=1)[
            record.enterprise_id
        ]

    def draw_task_owners(self, task_ids):
        """randomcheck.owners: the re-check and cross-audit draw tasks are matched and dispatched here."""
        from .oversight import draw_task_owners

        return draw_task_owners(task_ids)

    def order_source(self, record):
        """followup: who orders the rectification of a re-check's or cross audit's problems, and the source label."""
        from .oversight import order_source

        return order_source(record)

    def order_records_elsewhere(self, user):
        """followup: a city re-check's problems are not the county's to put on an order."""
        from .oversight import order_records_elsewhere

        return order_records_elsewhere(user)

    def nav_items(self, user):
        from postlicense.core.navigation import NavItem

        from .selectors import is_city

        if not user.is_bureau_staff:
            return []
        items = [NavItem("年度计划", "planning:plan_list", 35), NavItem("计划完成情况", "planning:completion", 36)]
        if is_city(user):
            items += [
                NavItem("市局复查", "planning:recheck_list", 37),
                NavItem("督查互查", "planning:campaign_list", 38),
                NavItem("检查尺度", "planning:calibration", 39),
            ]
        else:
            items.append(NavItem("督查互查", "planning:campaign_list", 38))
        return items

    def home_cards(self, user):
        from django.utils import timezone

        from .selectors import home_cards

        return home_cards(user, timezone.localdate())

    def todo_items(self, user, today):
        from .selectors import todo_groups

        return todo_groups(user, today)

    def archive_sources(self, enterprise):
        from .selectors import archive_sources

        return archive_sources(enterprise)

    def archive_events(self, enterprise):
        from .selectors import archive_events

        return archive_events(enterprise)

    def load_demo(self, stdout):
        from .demo import load_demo

        load_demo(stdout)
