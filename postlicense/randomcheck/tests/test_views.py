import pytest

from postlicense.core.models import User
from postlicense.randomcheck import services
from postlicense.randomcheck.models import Assignment, Task

from .factories import make_inspector, make_register, make_task

pytestmark = pytest.mark.django_db
SEED = "公开种子"


def test_infeasible_match_lists_each_enterprise_and_saves_nothing(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    make_inspector("xuchang-weidu")  # one inspector: every enterprise needs two
    task = services.draw_enterprises(make_task(admin), SEED, admin)
    client.force_login(admin)
    page = client.post(f"/random-checks/{task.pk}/step/match/", follow=True).content.decode()
    for drawn in task.drawn.select_related("enterprise"):
        assert f"{drawn.enterprise.name}（{drawn.credit_code}）：仅有1名符合条件的检查人员（需要2名）" in page
    task.refresh_from_db()
    assert task.state == Task.State.DRAWN and not Assignment.objects.exists()


def test_second_draw_through_the_page_is_refused_with_the_seed_kept(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = services.draw_enterprises(make_task(admin), SEED, admin)
    client.force_login(admin)
    response = client.post(f"/random-checks/{task.pk}/draw/", {"seed": "另一个种子"})
    assert response.status_code == 400 and "不能再次抽取" in response.content.decode()
    task.refresh_from_db()
    assert task.seed == SEED


def test_county_sees_its_share_but_cannot_run_the_task(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 8, "xuchang-changge": 8})
    task = services.draw_enterprises(make_task(admin, ratio_low=100, ratio_medium=100, ratio_medium_high=100,
                                               ratio_high=100), SEED, admin)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    page = client.get(f"/random-checks/{task.pk}/").content.decode()
    changge = task.drawn.filter(enterprise__supervising_unit__code="xuchang-changge")
    assert all(d.credit_code in page for d in changge)
    assert not any(d.credit_code in page for d in task.drawn.exclude(pk__in=changge))
    assert client.post(f"/random-checks/{task.pk}/step/match/").status_code == 403
    assert client.get(f"/random-checks/{task.pk}/candidates.csv").status_code == 403
    client.force_login(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu"))
    assert client.get(f"/random-checks/{task.pk}/").status_code == 404


def test_public_pages_show_only_published_tasks(client, make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    make_register({"xuchang-weidu": 4})
    task = services.draw_enterprises(make_task(admin), SEED, admin)
    assert client.get(f"/public/random-checks/{task.pk}/").status_code == 404
    assert client.get(f"/public/random-checks/{task.pk}/candidates.csv").status_code == 404
    assert task.name not in client.get("/public/random-checks/").content.decode()
