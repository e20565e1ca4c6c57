"""Public search of published results by enterprise name or credit code, and an enterprise's public history: no
login, personal data masked (DESIGN "Users": 公众 sees published results with personal data masked)."""

import pytest

from postlicense.core.models import User
from postlicense.portal.masking import mask_person
from postlicense.randomcheck.tests.factories import drawn_task, make_register, published_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李"), ("", "")])
def test_a_person_is_shown_to_the_public_by_surname_only(name, masked):
    assert mask_person(name) == masked


def test_search_by_name_or_credit_code_finds_published_results(client, admin):
    task = published_task(admin)
    disclosure = task.drawn.filter(disclosure__isnull=False).first().disclosure
    name, code = disclosure.enterprise_name, disclosure.drawn.credit_code
    by_name = client.get("/public/search/", {"q": name[2:6]}).content.decode()
    assert name in by_name and f"/public/enterprises/{code}/" in by_name
    by_code = client.get("/public/search/", {"q": code.lower()}).content.decode()
    assert name in by_code
    nothing = client.get("/public/search/", {"q": "不存在的企业"}).content.decode()
    assert "没有找到“不存在的企业”" in nothing
    assert 'id="public-search"' in client.get("/public/").content.decode()


def test_the_enterprise_page_shows_its_history_with_the_legal_representative_masked(client, admin):
    task = published_task(admin)
    drawn = task.drawn.filter(disclosure__isnull=False).select_related("enterprise").first()
    enterprise = drawn.enterprise
    enterprise.legal_representative, enterprise.phone = "王小明", "0374-1234567"
    enterprise.save()
    page = client.get(f"/public/enterprises/{drawn.credit_code}/").content.decode()
    assert "王**" in page and "王小明" not in page and "0374-1234567" not in page
    assert task.name in page and drawn.disclosure.result in page
    for link in task.drawn.get(pk=drawn.pk).inspection.crew.select_related("inspector"):
        assert link.inspector.name not in page


def test_an_enterprise_without_a_published_result_has_no_public_page(client, admin):
    make_register({"xuchang-weidu": 8})
    task = drawn_task(admin)  # drawn, not published
    code = task.drawn.first().credit_code
    assert client.get(f"/public/enterprises/{code}/").status_code == 404
    page = client.get("/public/search/", {"q": code}).content.decode()
    assert f"/public/enterprises/{code}/" not in page and f"没有找到“{code}”" in page
