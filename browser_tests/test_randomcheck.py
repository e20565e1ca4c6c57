"""A 双随机 task as a city admin runs it: create, freeze the candidate list, enter two seed contributions, draw,
match, adjust an inspector with a reason, dispatch, record a 停产 enterprise, publish, and the public pages whose
CSV verify-draw reproduces."""

import hashlib
import random
import re
from datetime import date

from django.core.management import call_command

from postlicense.core.models import User
from postlicense.inspections.demo import _fill, _finish
from postlicense.randomcheck import services
from postlicense.randomcheck.models import DrawnEnterprise, Task
from postlicense.randomcheck.tests.factories import CONTRIBUTIONS, SEED, make_inspector, make_register, make_task


def test_full_task_run_from_creation_to_the_public_page(page, login, shot, tmp_path, capsys):
    make_register({"xuchang-weidu": 12, "xuchang-changge": 8})
    for unit in ("xuchang-weidu", "xuchang-changge"):
        for _ in range(5):
            make_inspector(unit)
    login(page, User.Role.CITY_ADMIN, "xuchang", display_name="王五")
    page.locator(".sidenav").get_by_text("双随机抽查").click()
    page.get_by_text("新建抽查任务").click()
    page.fill("#id_name", "2023年度获证企业双随机抽查")
    page.fill("#id_year", "2023")
    page.select_option("#id_issuing_unit", label="许昌市市场监督管理局")
    page.fill("#id_ratio_high", "120")
    page.fill("#id_deadline", "2023-10-31")
    page.click("form.form button[type=submit]")
    assert "小于或等于100" in page.inner_text("form.form")
    assert page.input_value("#id_name") == "2023年度获证企业双随机抽查"  # nothing the user typed is lost
    shot(page, "randomcheck-01-ratio-error")
    page.fill("#id_ratio_high", "60")
    page.click("form.form button[type=submit]")
    assert "请填写调整理由" in page.inner_text("form.form")
    page.fill("#id_ratio_reason", "本市高风险企业较多，提高抽取比例")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("#freeze-form")
    shot(page, "randomcheck-02-draft")

    page.get_by_role("button", name="冻结候选名单").click()
    page.wait_for_selector("#contribution-form")
    assert page.locator("#draw-form button").is_disabled()
    for name, unit, value in CONTRIBUTIONS:
        page.fill("#id_contributor", name)
        page.fill("#id_contributor_unit", unit)
        page.fill("#id_value", value)
        page.get_by_role("button", name="录入贡献值").click()
        page.wait_for_selector(f"#contributions >> text={name}")
    shot(page, "randomcheck-02b-contributions")
    page.get_by_role("button", name="抽取企业").click()
    page.wait_for_selector("#drawn-table")
    assert "已完成企业抽取" in page.inner_text(".messages")
    task = Task.objects.get()
    assert task.seed == SEED and task.drawn.count() == 1 + 1 + 2 + 3  # n = 5 per stratum: ceil(0.5, 1, 1.5, 3)
    shot(page, "randomcheck-03-drawn")

    page.get_by_role("button", name="匹配检查人员").click()
    page.wait_for_selector("text=检查人员已匹配")
    shot(page, "randomcheck-04-matched")

    page.locator("#drawn-table").get_by_text("调整人员").first.click()
    page.get_by_role("button", name="确认调整").click()
    assert "该字段是必填项" in page.inner_text("form.form")
    page.select_option("#id_removed", index=1)
    page.select_option("#id_added", index=1)
    page.fill("#id_reason", "原检查人员与企业负责人系亲属，申请回避")
    shot(page, "randomcheck-05-swap")
    page.get_by_role("button", name="确认调整").click()
    page.wait_for_selector("text=调整原因已记录")
    assert "申请回避" in page.inner_text("#drawn-table")
    page.get_by_role("button", name="派发“一企两表”").click()
    page.wait_for_selector("text=已派发")
    shot(page, "randomcheck-06-dispatched")

    drawn = list(task.drawn.select_related("inspection", "enterprise").order_by("pk"))
    page.goto(f"/random-checks/drawn/{drawn[0].pk}/not-inspected/")
    page.select_option("#id_reason", "stopped")
    page.fill("#id_note", "2023年6月起停产，厂区无生产活动")
    page.get_by_role("button", name="登记").click()
    page.wait_for_selector("text=列入跟踪名单")
    rng = random.Random(SEED)
    for d in drawn[1:]:  # the inspectors fill and sign their 一企两表 (tested in test_inspections.py)
        _fill(d.inspection, rng, 1 if d is drawn[1] else 0, date(2023, 9, 20))
        _finish(d.inspection, date(2023, 9, 20), rng)
    page.reload()
    assert "检查中" in page.inner_text("ol.steps")
    assert "100.0%" in page.inner_text("main")
    page.locator("#drawn-table").get_by_role("button", name="公示").first.click()
    page.wait_for_selector("text=检查结果已公示")
    shot(page, "randomcheck-07-results")

    page.get_by_role("button", name="确认任务完成").click()
    page.get_by_role("button", name="公示结果").click()
    page.wait_for_selector("text=查看公示页面")
    steps = page.inner_text("ol.steps")
    assert all(label in steps for label in ("草稿", "已抽取企业", "已匹配人员", "已派发", "检查中", "已完成", "已公示"))
    shot(page, "randomcheck-08-published")
    page.get_by_text("打印任务记录").click()
    report = page.inner_text("body")
    assert "原检查人员与企业负责人系亲属" in report and all(value in report for _, _, value in CONTRIBUTIONS)
    shot(page, "randomcheck-09-report")
    page.goto("/random-checks/tracking/")
    assert drawn[0].enterprise.name in page.inner_text("table.list")

    page.context.clear_cookies()
    page.goto(f"/public/random-checks/{task.pk}/")
    assert "/login/" not in page.url
    public = page.inner_text("main")
    assert SEED in public and task.candidates_digest in public and "停产，未检查" in public
    assert "本市高风险企业较多，提高抽取比例" in public
    assert not re.search(r"1380000\d{4}", public) and "检查员" not in public
    shot(page, "randomcheck-10-public")
    page.click("#verify-link")
    with page.expect_download() as download:
        page.click("#candidates-link")
    assert download.value.suggested_filename == f"SJ2023-{task.pk:04d}-候选名单.csv"
    path = tmp_path / "candidates.csv"
    download.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == task.candidates_digest
    call_command(
        "verify-draw",
        *(arg for _, _, value in CONTRIBUTIONS for arg in ("--contribution", value)),
        "--candidates",
        str(path),
        "--ratios",
        "10,20,30,60",
    )
    out = capsys.readouterr().out
    assert all(f"{code}  {rank}" in out for code, rank in DrawnEnterprise.objects.values_list("credit_code", "rank"))


def test_seed_entry_and_cancellation_fit_a_phone(phone_page, login, shot):
    """The freeze, contribution and cancel forms at 375 px: bad input is refused at the field, what was typed stays."""
    make_register({"xuchang-weidu": 8})
    admin = login(phone_page, User.Role.CITY_ADMIN, "xuchang")
    task = services.freeze_candidates(make_task(admin), admin)
    phone_page.goto(f"/random-checks/{task.pk}/")
    phone_page.fill("#id_contributor", "李明")
    phone_page.fill("#id_contributor_unit", "许昌市局")
    phone_page.fill("#id_value", "3|1|4")
    phone_page.get_by_role("button", name="录入贡献值").click()
    assert "贡献值不能包含分隔符“|”" in phone_page.inner_text("#contribution-form")
    assert phone_page.input_value("#id_contributor_unit") == "许昌市局"
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone_page, "randomcheck-phone-contribution-error")
    phone_page.goto(f"/random-checks/{task.pk}/cancel/")
    phone_page.get_by_role("button", name="确认取消").click()
    assert "该字段是必填项" in phone_page.inner_text("form.form")
    phone_page.fill("#id_reason", "抽查范围有误，重新部署")
    phone_page.get_by_role("button", name="确认取消").click()
    phone_page.wait_for_selector("#cancelled")
    assert "抽查范围有误" in phone_page.inner_text("#cancelled")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone_page, "randomcheck-phone-cancelled")
