"""Demo: a published 2023 random check of 许昌 with its steps dated in 2023, and a task of this year whose list is
frozen and drawn but not yet published, so the public pages show both. Each seed comes from two contributions.
Runs after the registry and inspections demos (INSTALLED_APPS order); idempotent."""

import random
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from postlicense.core.audit import acting_as
from postlicense.core.models import OrgUnit, User
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template

from . import rules, services
from .models import Disclosure, DrawnEnterprise, SeedContribution, Task, TaskStep

DEMO_NAME = "2023年度工业产品生产许可证获证企业资格“双随机一公开”监督检查"
CURRENT_NAME = "{year}年度工业产品生产许可证获证企业“双随机一公开”监督检查（第一批）"
CONTRIBUTORS = [("李明", "许昌市市场监督管理局质量发展科"), ("赵敏", "许昌市魏都区公证处")]
CONTRIBUTIONS_2023 = ["骰子 4 2 6 1 5 3", "20230711-见证"]
DEMO_RNG_SEED = "许昌市市场监督管理局 2023-07-04"  # which demo records fail, who signs: fixed so reloads agree


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# The 2023 task's steps as they happened (许昌双随机实施方案, 2023-07-04: inspect and publish by 2023-10-31).
STEPS_2023 = {
    Task.State.DRAFT: _at(date(2023, 7, 5), 9),
    Task.State.FROZEN: _at(date(2023, 7, 10), 9, 30),
    Task.State.DRAWN: _at(date(2023, 7, 11), 9, 20),
    Task.State.MATCHED: _at(date(2023, 7, 12), 10),
    Task.State.DISPATCHED: _at(date(2023, 7, 13), 9),
    Task.State.COMPLETED: _at(date(2023, 10, 27), 15),
    Task.State.PUBLISHED: _at(date(2023, 10, 30), 10),
}
CONTRIBUTED_2023 = [_at(date(2023, 7, 11), 9, 5), _at(date(2023, 7, 11), 9, 10)]
NOT_INSPECTED_2023 = _at(date(2023, 8, 15), 10)


def _finish_all(task, rng):
    from postlicense.inspections.demo import _fill, _finish

    drawn = list(task.drawn.select_related("inspection", "enterprise").order_by("pk"))
    not_inspected = drawn[0]
    services.record_not_inspected(
        not_inspected,
        DrawnEnterprise.NotInspected.STOPPED,
        "企业自2023年5月起停产，现场核实厂区无生产活动；复产后开展后续监督检查。",
        None,
    )
    for d in drawn[1:]:
        day = date(2023, 9, 4) + timedelta(days=rng.randint(0, 45))
        _fill(d.inspection, rng, rng.choice([0, 0, 0, 1]), day)
        _finish(d.inspection, day, rng)


def _backdate(task):
    """The services stamp steps with the time they run; the demo replays 2023, so its rows get 2023's times (the
    audit trail keeps the real ones)."""
    DrawnEnterprise.objects.filter(task=task).exclude(not_inspected_reason="").update(
        not_inspected_at=NOT_INSPECTED_2023
    )
    InspectionRecord.objects.filter(random_draw__task=task).update(created_at=STEPS_2023[Task.State.DISPATCHED])
    for contribution, at in zip(task.contributions.order_by("position"), CONTRIBUTED_2023):
        SeedContribution.objects.filter(pk=contribution.pk).update(entered_at=at)
    first_result = NOT_INSPECTED_2023
    for disclosure in Disclosure.objects.filter(drawn__task=task).select_related("drawn__inspection", "drawn__task"):
        day = rules.result_date(disclosure.drawn)
        first_result = min(first_result, _at(day, 11))
        published = min(day + timedelta(days=5), rules.disclosure_deadline(day, task.deadline))
        Disclosure.objects.filter(pk=disclosure.pk).update(published_at=_at(published, 16))
    for state, at in {**STEPS_2023, Task.State.INSPECTING: first_result}.items():
        TaskStep.objects.filter(task=task, state=state).update(at=at)
    Task.objects.filter(pk=task.pk).update(created_at=STEPS_2023[Task.State.DRAFT])


def _match(task, stdout) -> bool:
    try:
        services.match_inspectors(task, task.created_by)
    except ValidationError:
        # The demo register has few inspectors per county: widen the pool to the whole city (per task).
        Task.objects.filter(pk=task.pk).update(widen_pool=True, load_cap=12)
        try:
            services.match_inspectors(task, task.created_by)
        except ValidationError as exc:
            stdout.write(f"双随机抽查：演示检查人员不足，任务停在“已抽取企业”：{exc.messages[0]}")
            return False
    return True


def _published_2023(city, admin, checklist, stdout):
    task = services.save_new_task(
        Task(
            name=DEMO_NAME,
            year=2023,
            issuing_unit=city,
            deadline=date(2023, 10, 31),
            checklist=checklist,
            load_cap=6,
            plan_number="XC-SSJ-2023-01",
            plan_name="许昌市2023年度工业产品生产许可证获证企业资格抽查计划",
        ),
        admin,
    )
    services.freeze_candidates(task, admin, now=STEPS_2023[Task.State.FROZEN])
    for (name, unit), value in zip(CONTRIBUTORS, CONTRIBUTIONS_2023):
        services.add_contribution(task, name, unit, value, admin)
    services.draw_enterprises(task, admin)
    if not _match(task, stdout):
        return
    services.dispatch(task, admin)
    _finish_all(task, random.Random(DEMO_RNG_SEED))
    for drawn in task.drawn.order_by("pk"):
        services.publish_result(drawn, admin)
    services.complete_task(task, admin)
    services.publish_task(task, admin)
    _backdate(task)
    stdout.write(
        f"双随机抽查：已创建并公示2023年演示任务（抽中 {task.drawn.count()} 户），公示页 /public/random-checks/{task.pk}/"
    )


def _current(city, admin, checklist, stdout):
    today = timezone.localdate()
    task = services.save_new_task(
        Task(
            name=CURRENT_NAME.format(year=today.year),
            year=today.year,
            issuing_unit=city,
            deadline=today + timedelta(days=60),
            checklist=checklist,
            load_cap=6,
        ),
        admin,
    )
    services.freeze_candidates(task, admin)
    for (name, unit), value in zip(CONTRIBUTORS, [f"{today:%Y%m%d}-骰子 3 5 1", "见证人 7 7 2 9"]):
        services.add_contribution(task, name, unit, value, admin)
    services.draw_enterprises(task, admin)
    stdout.write(f"双随机抽查：已创建{today.year}年演示任务（已抽取、未公示），公示页 /public/random-checks/{task.pk}/")


def load_demo(stdout):
    city = OrgUnit.objects.filter(code="xuchang").first()
    admin = User.objects.filter(username="xuchang-admin").first()
    checklist = current_template("random_check_003")
    if city is None or admin is None or checklist is None:
        stdout.write("双随机抽查：缺少许昌市局、其管理员账号或许昌双随机检查表，跳过演示任务。")
        return
    with acting_as(admin):
        for name, make in (
            (DEMO_NAME, _published_2023),
            (CURRENT_NAME.format(year=timezone.localdate().year), _current),
        ):
            if Task.objects.filter(name=name).exists():
                continue
            try:
                with transaction.atomic():
                    make(city, admin, checklist, stdout)
            except ValidationError as exc:
                stdout.write(f"双随机抽查：未能创建演示任务“{name}”：{exc.messages[0]}")
