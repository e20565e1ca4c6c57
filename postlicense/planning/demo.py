"""Demo (issue 15 §8): a 2026 plan per 许昌 county (approved, a few adjustments, enterprises behind), the city's
re-check of 魏都区 in progress (drawn with the verifiable draw, dispatched to city inspectors), and a finished
2026 滨海新区 cross audit over its five branches (000: self-check 10-17..10-20, audit 10-21..10-31) with its
schedule, drawn enterprises checked on the 000 sheet, findings and report. Idempotent: skipped once present."""

import random
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.concurrency import version_of
from postlicense.core.models import OrgUnit, User
from postlicense.inspections.demo import _fill, _finish  # the inspections demo's own way to fill and finish a sheet
from postlicense.inspections.selectors import current_template
from postlicense.randomcheck import services as randomcheck
from postlicense.registry.models import ProductCategory

from . import oversight, selectors, services
from .models import Campaign, Plan, Recheck

YEAR = 2026
PLAN_DATE = date(YEAR, 1, 5)
CAMPAIGN = "2026年工业产品生产许可证证后监管督查互查"
# 000 附件1's days, moved into 2026's audit window.
VISITS = [
    ("binhai-tanggu", date(YEAR, 10, 26)),
    ("binhai-kaifa", date(YEAR, 10, 27)),
    ("binhai-baoshui", date(YEAR, 10, 28)),
    ("binhai-hangu", date(YEAR, 10, 29)),
    ("binhai-dagang", date(YEAR, 10, 30)),
]


def _plans(admin, stdout):
    city = OrgUnit.objects.get(code="xuchang")
    cable = ProductCategory.objects.filter(name="电线电缆").first()
    if cable:
        services.set_focus_categories(city, YEAR, [cable])
    counties = OrgUnit.objects.filter(parent=city, kind=OrgUnit.Kind.COUNTY).order_by("code")
    for county in counties:
        if Plan.objects.filter(org_unit=county, year=YEAR).exists():
            continue
        plan = services.generate_plan(county, YEAR, PLAN_DATE, admin)
        for entry in plan.entries.filter(supervision_class__in=["B", "C"]).order_by("enterprise_id")[:2]:
            services.adjust_entry(
                entry,
                entry.planned + 1,
                "该企业上年度被媒体曝光，县局决定增加一次不定期检查",
                version_of(entry, services.ADJUST_FIELDS),
                admin,
            )
        services.approve_plan(plan, admin)
        totals = plan.entries.count(), selectors.behind_entries(plan).count()
        stdout.write(f"计划与督查：{county.name}{YEAR}年度计划，{totals[0]}户，未完成{totals[1]}户")


def _recheck(admin, stdout):
    city, county = OrgUnit.objects.get(code="xuchang"), OrgUnit.objects.get(code="xuchang-weidu")
    if Recheck.objects.filter(county=county, year=YEAR).exists():
        return
    recheck = oversight.open_recheck(
        city, county, YEAR, current_template("production_conditions_004"), date(YEAR, 12, 20), admin
    )
    for name, unit, value in (("王建国", city.name, "骰子 6 2 5 1"), ("刘芳", "许昌市公证处", "见证 4 4 0 9")):
        randomcheck.add_contribution(recheck.task, name, unit, value, admin)
    randomcheck.draw_enterprises(recheck.task, admin)
    oversight.dispatch_recheck(recheck, admin)
    oversight.add_county_finding(recheck, "部分企业的巡查记录未写明检查依据，日常巡查台账更新不及时。", False, admin)
    stdout.write(f"计划与督查：{county.name}{YEAR}年市局复查（应复查{recheck.target}户，已派发）")


def _campaign(stdout):
    organiser = OrgUnit.objects.filter(code="binhai").first()
    admin = User.objects.filter(org_unit=organiser).order_by("pk").first()
    if organiser is None or admin is None or Campaign.objects.filter(name=CAMPAIGN).exists():
        return
    rng = random.Random(2026)
    with acting_as(admin):
        campaign = oversight.create_campaign(
            organiser=organiser,
            name=CAMPAIGN,
            year=YEAR,
            self_check_start=date(YEAR, 10, 17),
            self_check_end=date(YEAR, 10, 20),
            audit_start=date(YEAR, 10, 21),
            audit_end=date(YEAR, 10, 31),
            user=admin,
        )
        checklist = current_template("patrol_000")
        for code, day in VISITS:
            visit = oversight.add_visit(campaign, OrgUnit.objects.get(code=code), day, admin)
            frozen = timezone.make_aware(datetime.combine(date(YEAR, 10, 24), time(9, 0)))
            task = oversight.open_visit_draw(visit, checklist, admin, now=frozen)
            for name, unit, value in (
                ("张伟", organiser.name, f"骰子 {rng.randint(1, 6)} {rng.randint(1, 6)}"),
                ("李娜", "滨海新区公证处", f"见证 {rng.randint(1000, 9999)}"),
            ):
                randomcheck.add_contribution(task, name, unit, value, admin)
            randomcheck.draw_enterprises(task, admin)
            for record in oversight.dispatch_visit(visit, admin):
                _fill(record, rng, 0, day)
                _finish(record, day, rng)
            randomcheck.complete_task(task, admin)
            oversight.save_materials(visit, rng.randint(4, 8), "巡查、年审材料基本齐全，个别记录签字不全。", admin)
        first = campaign.visits.order_by("date").first()
        oversight.add_campaign_finding(first, "年审材料中2份缺少企业负责人签字，已要求补正。", admin)
        last = campaign.visits.order_by("date").last()
        drawn = last.task.drawn.select_related("enterprise").order_by("rank").first()
        # about an enterprise: issued at once as the audited branch's 责令改正通知书 (000 三、2)
        oversight.add_campaign_finding(last, "产品包装未按规定标注生产许可证标志和编号。", admin, drawn.enterprise)
        campaign.report_summary = (
            "各分局均按要求完成自查和督查互查；抽查企业中1家产品标识不规范，已由所在分局责令改正；"
            "发现的材料问题已要求整改。"
        )
        campaign.save(update_fields=["report_summary"])
    stdout.write(f"计划与督查：{CAMPAIGN}（{len(VISITS)}个分局，已完成）")


def load_demo(stdout):
    admin = User.objects.filter(username="xuchang-admin").first()
    if admin is None or not OrgUnit.objects.filter(code="xuchang").exists():
        stdout.write("计划与督查：缺少许昌市局或其管理员账号，跳过演示数据。")
        return
    for step in (lambda: _plans(admin, stdout), lambda: _recheck(admin, stdout), lambda: _campaign(stdout)):
        try:
            with acting_as(admin), transaction.atomic():
                step()
        except ValidationError as exc:
            stdout.write(f"计划与督查：演示数据未完成：{exc.messages[0]}")
