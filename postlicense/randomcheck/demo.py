"""Demo: one published 2023 random check of 许昌 over the demo register, so the public page has content.
Runs after the registry and inspections demos (INSTALLED_APPS order); idempotent."""
import random
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from postlicense.core.audit import acting_as
from postlicense.core.models import OrgUnit, User
from postlicense.inspections.selectors import current_template

from . import services
from .models import DrawnEnterprise, Task

DEMO_NAME = "2023年度工业产品生产许可证获证企业资格“双随机一公开”监督检查"
DEMO_SEED = "许昌市市场监督管理局 2023-07-04 公开随机种子"


def _finish_all(task, rng):
    from postlicense.inspections.demo import _fill, _finish

    drawn = list(task.drawn.select_related("inspection", "enterprise").order_by("pk"))
    not_inspected = drawn[0]
    services.record_not_inspected(not_inspected, DrawnEnterprise.NotInspected.STOPPED,
                                  "企业自2023年5月起停产，现场核实厂区无生产活动；复产后开展后续监督检查。", None)
    for d in drawn[1:]:
        _fill(d.inspection, rng, fail=rng.choice([0, 0, 0, 1]))
        _finish(d.inspection, date(2023, 9, 4) + timedelta(days=rng.randint(0, 45)), rng)


def load_demo(stdout):
    if Task.objects.filter(name=DEMO_NAME).exists():
        return
    city = OrgUnit.objects.filter(code="xuchang").first()
    admin = User.objects.filter(username="xuchang-admin").first()
    checklist = current_template("random_check_003")
    if city is None or admin is None or checklist is None:
        stdout.write("双随机抽查：缺少许昌市局、其管理员账号或003检查表，跳过演示任务。")
        return
    with acting_as(admin):
        task = services.save_new_task(Task(name=DEMO_NAME, year=2023, issuing_unit=city, deadline=date(2023, 10, 31),
                                           checklist=checklist, load_cap=6), admin)
        if not services.candidate_queryset(task).exists():
            task.delete()
            stdout.write("双随机抽查：演示企业库中没有许昌的获证企业（请先加载获证企业演示数据），跳过演示任务。")
            return
        services.draw_enterprises(task, DEMO_SEED, admin)
        try:
            services.match_inspectors(task, admin)
        except ValidationError:
            # The demo register has few inspectors per county: widen the pool to the whole city (per task).
            Task.objects.filter(pk=task.pk).update(widen_pool=True, load_cap=12)
            try:
                services.match_inspectors(task, admin)
            except ValidationError as exc:
                stdout.write(f"双随机抽查：演示检查人员不足，任务停在“已抽取企业”：{exc.messages[0]}")
                return
        services.dispatch(task, admin)
        _finish_all(task, random.Random(DEMO_SEED))
        services.complete_task(task, admin)
        services.publish_task(task, admin)
    stdout.write(f"双随机抽查：已创建并公示演示任务（抽中 {task.drawn.count()} 户），公示页 /public/random-checks/{task.pk}/")
