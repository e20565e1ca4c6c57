import pytest

from postlicense.core.models import User
from postlicense.randomcheck import selectors, services
from postlicense.randomcheck.models import Assignment, SeedContribution, Task

from .factories import SEED, drawn_task, make_inspector, make_register, make_task

pytestmark = pytest.mark.django_db


def test_infeasible_match_lists_each_enterprise_and_saves_nothing(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    make_inspector("xuchang-weidu")  # one inspector: every enterprise needs two
    task = drawn_task(admin)
    client.force_login(admin)
    page = client.post(f"/random-checks/{task.pk}/step/match/", follow=True).content.decode()
    for drawn in task.drawn.select_related("enterprise"):
        assert f"{drawn.enterprise.name}（{drawn.credit_code}）：仅有1名符合条件的检查人员（需要2名）" in page
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not Assignment.objects.exists()


def test_second_draw_through_the_page_is_refused_with_the_seed_kept(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = drawn_task(admin)
    client.force_login(admin)
    page = client.post(f"/random-checks/{task.pk}/step/draw/", {"seed": "另一个种子"}, follow=True).content.decode()
    assert "不能再次抽取" in page
    task.refresh_from_db()
    assert task.seed == SEED and list(task.steps.values_list("state", flat=True)) == ["frozen", "drawn"]


def test_county_sees_its_share_but_cannot_run_the_task(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 8, "xuchang-changge": 8})
    task = drawn_task(admin, ratio_low=100, ratio_medium=100, ratio_medium_high=100, ratio_high=100)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    changge = task.drawn.filter(enterprise__supervising_unit__code="xuchang-changge")
    assert all(d.credit_code in page for d in changge)
    assert not any(d.credit_code in page for d in task.drawn.exclude(pk__in=changge))
    assert client.post(f"/random-checks/{task.pk}/step/match/").status_code == 403
    assert client.get(f"/random-checks/{task.pk}/candidates.csv").status_code == 403
    client.force_login(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu"))
    assert client.get(f"/random-checks/{task.pk}/").status_code == 404


# ---- forms of the freeze, the seed and the cancellation: bad input saves nothing and keeps what was typed ----


def frozen(admin, **fields):
    make_register({"xuchang-weidu": 4})
    return services.freeze_candidates(make_task(admin, **fields), admin)


def test_ratio_without_reason_is_refused_at_the_field_and_the_form_keeps_its_values(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    client.force_login(admin)
    data = {
        "name": "2024年度抽查",
        "year": 2024,
        "issuing_unit": admin.org_unit.pk,
        "statuses": ["producing", "stopped"],
        "ratio_low": 10,
        "ratio_medium": 20,
        "ratio_medium_high": 30,
        "ratio_high": 60,
        "ratio_reason": "",
        "deadline": "2024-10-31",
        "checklist": make_task().checklist_id,
        "inspectors_per_enterprise": 2,
        "load_cap": 5,
    }
    response = client.post("/random-checks/new/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "请填写调整理由" in page and "2024年度抽查" in page
    assert not Task.objects.filter(name="2024年度抽查").exists()
    response = client.post("/random-checks/new/", {**data, "ratio_reason": "高风险企业较多，提高比例"})
    task = Task.objects.get(name="2024年度抽查")
    assert response.status_code == 302 and task.ratio_reason == "高风险企业较多，提高比例"


def test_contribution_before_the_freeze_is_refused_and_nothing_is_saved(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = make_task(admin)
    client.force_login(admin)
    response = client.post(
        f"/random-checks/{task.pk}/contribute/", {"contributor": "李明", "contributor_unit": "许昌市局", "value": "42"}
    )
    assert response.status_code == 400 and "只有冻结候选名单之后" in response.content.decode()
    assert not SeedContribution.objects.exists()


def test_bad_contribution_is_refused_at_its_field_keeping_what_was_typed(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    client.force_login(admin)
    response = client.post(
        f"/random-checks/{task.pk}/contribute/",
        {"contributor": "李明", "contributor_unit": "许昌市公证处", "value": "3|1|4"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "贡献值不能包含分隔符“|”" in page
    assert 'value="许昌市公证处"' in page and 'value="3|1|4"' in page
    assert not SeedContribution.objects.exists()


def test_double_submitted_contribution_is_refused_the_second_time(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    client.force_login(admin)
    entry = {"contributor": "李明", "contributor_unit": "许昌市局", "value": "骰子 3 1 4"}
    assert client.post(f"/random-checks/{task.pk}/contribute/", entry).status_code == 302
    response = client.post(f"/random-checks/{task.pk}/contribute/", entry)
    assert response.status_code == 400 and "每人只能提供一个" in response.content.decode()
    assert SeedContribution.objects.count() == 1


def test_drawing_with_one_contribution_is_refused_even_by_a_forged_post(client, make_user):
    """A third party posting the draw (a county user, or the issuer bypassing the disabled button) cannot draw
    with fewer than two contributions."""
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    services.add_contribution(task, "李明", "许昌市局", "骰子 3 1 4", admin)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    assert client.post(f"/random-checks/{task.pk}/step/draw/").status_code in (403, 404)
    client.force_login(admin)
    page = client.post(f"/random-checks/{task.pk}/step/draw/", {"seed": "我自己选的种子"}, follow=True).content.decode()
    assert "至少需要2个贡献值（当前1个）" in page
    task.refresh_from_db()
    assert task.state == Task.State.FROZEN and not task.seed and not task.drawn.exists()


def test_freezing_twice_is_refused(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    client.force_login(admin)
    page = client.post(f"/random-checks/{task.pk}/step/freeze/", follow=True).content.decode()
    assert "不能再次冻结" in page and task.candidates.count() == 4


def test_cancel_without_reason_is_refused_at_the_field(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    client.force_login(admin)
    response = client.post(f"/random-checks/{task.pk}/cancel/", {"reason": "   "})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    task.refresh_from_db()
    assert task.state == Task.State.FROZEN
    response = client.post(f"/random-checks/{task.pk}/cancel/", {"reason": "抽查范围有误"}, follow=True)
    assert "任务已取消" in response.content.decode()
    task.refresh_from_db()
    assert task.state == Task.State.CANCELLED and task.cancel_reason == "抽查范围有误"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/random-checks/{pk}/"),
        ("get", "/random-checks/{pk}/cancel/"),
        ("post", "/random-checks/{pk}/cancel/"),
        ("post", "/random-checks/{pk}/contribute/"),
        ("post", "/random-checks/{pk}/step/freeze/"),
        ("post", "/random-checks/{pk}/step/draw/"),
        ("get", "/random-checks/{pk}/candidates.csv"),
        ("get", "/random-checks/{pk}/export/notice.csv"),
    ],
)
def test_another_jurisdictions_task_is_not_found(client, make_user, method, url):
    """An edited URL naming another city's task: 404, and nothing changes."""
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    client.force_login(make_user(User.Role.CITY_ADMIN, "binhai"))
    response = getattr(client, method)(
        url.format(pk=task.pk), {"reason": "越权", "contributor": "x", "contributor_unit": "y", "value": "1"}
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.state == Task.State.FROZEN and not task.contributions.exists()


def test_home_card_counts_the_open_tasks_its_link_lists(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    task = frozen(admin)
    published = make_task(admin, name="已公示的任务", state=Task.State.PUBLISHED)
    card = next(c for c in selectors.home_cards(admin) if c.label == "双随机抽查任务")
    client.force_login(admin)
    page = client.get(card.url).content.decode()
    assert card.value == 1 and task.name in page and published.name not in page
