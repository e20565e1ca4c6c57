"""Freeze before seed, seed contributions, the ratio reason, cancellation, the disclosure deadline and rate, and
verify-draw on a two-contribution seed (DESIGN "The draw must be verifiable"; 003 三, 六(二), 七(三), 七(五))."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from postlicense.core.models import User
from postlicense.core.workdays import add_working_days
from postlicense.inspections.models import InspectionRecord
from postlicense.randomcheck import draw, rules, selectors, services
from postlicense.randomcheck.forms import TaskForm
from postlicense.randomcheck.models import Candidate, DrawnEnterprise, SeedContribution, Task

from .factories import CONTRIBUTIONS, SEED, contribute, drawn_task, make_inspector, make_register, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def dispatched(admin, **fields):
    for unit in ("xuchang-weidu", "xuchang-changge"):
        for _ in range(4):
            make_inspector(unit)
    task = drawn_task(admin, **fields)
    services.match_inspectors(task, admin)
    return services.dispatch(task, admin)


# ---- freeze before seed ----


def test_freezing_is_its_own_step_that_records_digest_and_time_before_any_seed(admin):
    """DESIGN "The draw must be verifiable": the list is frozen and its digest public before any seed exists."""
    make_register({"xuchang-weidu": 8})
    task = services.freeze_candidates(make_task(admin), admin)
    assert task.state == Task.State.FROZEN and task.frozen_at is not None and not task.seed
    rows = Candidate.objects.filter(task=task).values_list("credit_code", "stratum")
    assert task.candidates_digest == draw.candidates_digest(rows) and not task.drawn.exists()
    assert selectors.public_tasks().filter(pk=task.pk).exists()


def test_contributions_are_refused_before_the_freeze_and_after_the_draw(admin):
    make_register({"xuchang-weidu": 4})
    task = make_task(admin)
    with pytest.raises(ValidationError, match="只有冻结候选名单之后"):
        services.add_contribution(task, "李明", "许昌市局", "42", admin)
    task = drawn_task(admin, name="已抽取")
    with pytest.raises(ValidationError, match="只有冻结候选名单之后"):
        services.add_contribution(task, "王五", "许昌市局", "43", admin)
    assert SeedContribution.objects.filter(value__in=["42", "43"]).count() == 0


def test_draw_needs_two_contributions_from_different_people(admin):
    """DESIGN "The draw must be verifiable": at least two named people; one person may not give two."""
    make_register({"xuchang-weidu": 4})
    task = services.freeze_candidates(make_task(admin), admin)
    with pytest.raises(ValidationError, match="至少需要2个贡献值（当前0个）"):
        services.draw_enterprises(task, admin)
    services.add_contribution(task, "李明", "许昌市局", "骰子 3 1 4", admin)
    with pytest.raises(ValidationError, match="当前1个"):
        services.draw_enterprises(task, admin)
    with pytest.raises(ValidationError) as same_person:
        services.add_contribution(task, " 李明 ", "许昌市局", "5 9 2", admin)
    assert same_person.value.message_dict == {"contributor": ["李明（许昌市局）已提供过贡献值，每人只能提供一个。"]}
    task.refresh_from_db()
    assert task.state == Task.State.FROZEN and not task.drawn.exists() and task.contributions.count() == 1


def test_draw_uses_the_contributions_joined_in_entry_order(admin):
    """The seed is the NFC contributions in entry order joined with "|"; the rank formula is unchanged."""
    make_register({"xuchang-weidu": 12})
    task = services.freeze_candidates(make_task(admin), admin)
    services.add_contribution(task, "赵敏", "许昌市公证处", "cafe\u0301 7", admin)
    services.add_contribution(task, "李明", "许昌市局", "骰子 3 1 4", admin)
    task = services.draw_enterprises(task, admin)
    assert task.seed == "caf\u00e9 7|骰子 3 1 4"
    for drawn in task.drawn.all():
        assert drawn.rank == draw.rank(task.seed, drawn.stratum, drawn.credit_code)
    assert services.verify_task_draw(task)[1] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "4|2", "不能包含分隔符“|”"),
        ("value", " 42", "首尾不能有空格"),
        ("value", "", "贡献值不能为空"),
        ("contributor", "", "请填写贡献人姓名。"),
        ("contributor_unit", " ", "请填写贡献人所在单位。"),
    ],
)
def test_bad_contributions_are_refused_at_their_field(admin, field, value, message):
    make_register({"xuchang-weidu": 4})
    task = services.freeze_candidates(make_task(admin), admin)
    entry = {"contributor": "李明", "contributor_unit": "许昌市局", "value": "42", field: value}
    with pytest.raises(ValidationError) as failure:
        services.add_contribution(task, user=admin, **entry)
    assert message in failure.value.message_dict[field][0]
    assert not task.contributions.exists()


def test_verify_task_draw_reports_a_seed_that_is_not_its_contributions(admin):
    make_register({"xuchang-weidu": 8})
    task = drawn_task(admin)
    SeedContribution.objects.filter(task=task, position=2).update(value="另一个值")
    assert "随机种子与各贡献值按录入顺序连接的结果不符" in services.verify_task_draw(task)[1]
    SeedContribution.objects.filter(task=task, position=1).update(entered_at=task.frozen_at)
    assert "第1个贡献值（李明）录入于候选名单冻结之前" in services.verify_task_draw(task)[1]


def test_verify_draw_reproduces_a_two_contribution_draw_in_both_forms(admin, client, tmp_path, capsys):
    """`verify-draw TASK_ID` and the offline form (`--contribution A --contribution B` or `--seed "A|B"` with the
    downloaded candidate CSV) give the drawn list and ranks of the published page."""
    make_register()
    task = drawn_task(admin)
    Task.objects.filter(pk=task.pk).update(state=Task.State.PUBLISHED)
    path = tmp_path / "candidates.csv"
    path.write_bytes(client.get(f"/public/random-checks/{task.pk}/candidates.csv").content)
    expected = [f"{code}  {rank}" for code, rank in task.drawn.values_list("credit_code", "rank")]

    call_command("verify-draw", str(task.pk))
    out = capsys.readouterr().out
    assert "复核一致" in out and f"随机种子：{SEED}" in out and all(line in out for line in expected)
    assert f"贡献值1：{CONTRIBUTIONS[0][2]}（{CONTRIBUTIONS[0][0]}，{CONTRIBUTIONS[0][1]}" in out

    values = [value for _, _, value in CONTRIBUTIONS]
    call_command(
        "verify-draw",
        "--contribution",
        values[0],
        "--contribution",
        values[1],
        "--candidates",
        str(path),
        "--digest",
        task.candidates_digest,
    )
    out = capsys.readouterr().out
    assert all(line in out for line in expected)
    call_command("verify-draw", "--seed", SEED, "--candidates", str(path))
    out = capsys.readouterr().out
    assert all(line in out for line in expected)
    with pytest.raises(CommandError, match="至少需要2个贡献值"):
        call_command("verify-draw", "--contribution", values[0], "--candidates", str(path))
    with pytest.raises(CommandError, match="只能二选一"):
        call_command("verify-draw", "--seed", SEED, "--contribution", values[0], "--candidates", str(path))
    call_command("verify-draw", "--contribution", values[1], "--contribution", values[0], "--candidates", str(path))
    out = capsys.readouterr().out
    assert not all(line in out for line in expected)  # entry order matters


# ---- the ratio reason ----


def task_form_data(admin, **changes):
    data = {
        "name": "t",
        "year": 2023,
        "issuing_unit": admin.org_unit.pk,
        "statuses": ["producing"],
        "ratio_low": 10,
        "ratio_medium": 20,
        "ratio_medium_high": 30,
        "ratio_high": 50,
        "ratio_reason": "",
        "deadline": "2023-10-31",
        "checklist": make_task().checklist_id,
        "inspectors_per_enterprise": 2,
        "load_cap": 5,
    }
    return {**data, **changes}


def test_ratios_other_than_10_20_30_50_need_a_reason_003_san(admin):
    """003 三 sets 10/20/30/50%: another ratio is refused at the reason field without one, accepted with one."""
    assert rules.ratio_reason_error(draw.DEFAULT_RATIOS, "") is None
    assert "请填写调整理由" in rules.ratio_reason_error({**draw.DEFAULT_RATIOS, "high": 60}, " ")
    assert rules.ratio_reason_error({**draw.DEFAULT_RATIOS, "high": 60}, "高风险企业集中，提高比例") is None
    form = TaskForm(data=task_form_data(admin, ratio_high="60"), user=admin)
    assert not form.is_valid() and "请填写调整理由" in form.errors["ratio_reason"][0]
    form = TaskForm(data=task_form_data(admin, ratio_high="60", ratio_reason="高风险企业集中"), user=admin)
    assert form.is_valid(), form.errors
    assert TaskForm(data=task_form_data(admin, ratio_high="50.00"), user=admin).is_valid()


def test_a_stored_ratio_without_reason_stops_the_freeze(admin):
    """A ratio changed outside the form (admin, API) is still refused when the list is frozen."""
    make_register({"xuchang-weidu": 4})
    task = make_task(admin, ratio_low=15, ratio_reason="")
    with pytest.raises(ValidationError, match="请填写调整理由"):
        services.freeze_candidates(task, admin)
    assert not Candidate.objects.exists() and Task.objects.get().state == Task.State.DRAFT


# ---- cancellation ----


def test_cancelling_needs_a_reason_and_keeps_the_task_public_as_cancelled(admin):
    """A task cannot be dropped silently after its freeze: the cancellation keeps its reason, who and when."""
    make_register({"xuchang-weidu": 4})
    task = services.freeze_candidates(make_task(admin), admin)
    with pytest.raises(ValidationError) as failure:
        services.cancel_task(task, "  ", admin)
    assert failure.value.message_dict == {"reason": ["请填写取消原因（将随任务公示）。"]}
    services.cancel_task(task, "上级部署专项检查，本批次停止", admin)
    task.refresh_from_db()
    assert task.state == Task.State.CANCELLED and task.cancel_reason == "上级部署专项检查，本批次停止"
    step = selectors.cancellation(task)
    assert step.by == admin and step.at is not None
    assert dict(selectors.public_sections())["已取消"] == [task]
    with pytest.raises(ValidationError, match="已公示或已取消的任务不能取消"):
        services.cancel_task(task, "再次取消", admin)


def test_a_frozen_task_cannot_be_deleted(admin):
    make_register({"xuchang-weidu": 4})
    draft = make_task(admin, name="草稿")
    draft.delete()
    task = services.freeze_candidates(make_task(admin), admin)
    with pytest.raises(ValidationError, match="只能注明原因后取消"):
        task.delete()
    assert Task.objects.filter(pk=task.pk).exists()


def test_cancelling_a_dispatched_task_closes_its_open_records(admin):
    make_register({"xuchang-weidu": 4})
    task = dispatched(admin, ratio_high=100)
    services.cancel_task(task, "企业名单有误，重新部署", admin)
    records = InspectionRecord.objects.filter(random_draw__task=task)
    assert records.exists() and set(records.values_list("status", flat=True)) == {
        InspectionRecord.Status.NOT_CARRIED_OUT
    }
    assert all("抽查任务已取消：企业名单有误" in r.not_carried_out_reason for r in records)


# ---- disclosure deadline and rate ----


def test_disclosure_deadline_is_the_earlier_of_20_working_days_and_the_task_deadline_003_liu_er_qi_san():
    """003 六(二): published within 20 working days of the inspection; 003 七(三): inspected and published by
    the task's deadline. Whichever comes first; a result not yet in has the task's deadline."""
    assert rules.disclosure_deadline(date(2023, 9, 15), date(2023, 10, 31)) == add_working_days(date(2023, 9, 15), 20)
    assert add_working_days(date(2023, 10, 20), 20) > date(2023, 10, 31)
    assert rules.disclosure_deadline(date(2023, 10, 20), date(2023, 10, 31)) == date(2023, 10, 31)
    assert rules.disclosure_deadline(None, date(2023, 10, 31)) == date(2023, 10, 31)


def test_disclosure_rate_is_published_over_drawn_003_qi_san(admin):
    """DESIGN Reporting: 公示率 = published ÷ drawn (not ÷ results), so unfinished enterprises count against it."""
    make_register({"xuchang-weidu": 8})
    task = dispatched(admin)
    drawn = list(task.drawn.select_related("inspection", "enterprise").order_by("pk"))
    services.record_not_inspected(drawn[0], "stopped", "停产", admin)
    services.publish_result(DrawnEnterprise.objects.get(pk=drawn[0].pk), admin)
    overview = selectors.task_overview(admin, task, today=date(2023, 9, 1))["progress"]
    assert (overview["done"], overview["disclosed"], overview["total"]) == (1, 1, len(drawn))
    assert overview["disclosure_rate"] == rules.rate(1, len(drawn)) != 100.0


def test_an_unfinished_record_is_overdue_for_disclosure_after_the_task_deadline(admin):
    make_register({"xuchang-weidu": 4})
    task = dispatched(admin, ratio_high=100)
    drawn = task.drawn.select_related("inspection", "task").first()
    status = selectors.row_status(drawn, today=date(2023, 11, 1))
    assert status["disclosure_deadline"] == date(2023, 10, 31) and status["disclosure_overdue"]
    assert status["inspection_overdue"]


def test_the_freeze_date_may_be_replayed_for_a_past_task(admin):
    """The demo replays 2023: the freeze time it gives is the one recorded and the day licenses are checked on."""
    make_register({"xuchang-weidu": 4})
    moment = timezone.make_aware(datetime(2023, 7, 10, 9, 30))
    task = services.freeze_candidates(make_task(admin), admin, now=moment)
    assert task.frozen_at == moment
    contribute(task, admin)
    assert services.draw_enterprises(task, admin).state == Task.State.DRAWN
