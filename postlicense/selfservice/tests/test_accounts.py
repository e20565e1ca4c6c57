"""Enterprise logins (issue 16 item 1): county staff create, disable and reset them; the first login must set a new
password; an enterprise user sees its own enterprise only."""

import pytest

from postlicense.core.models import AuditEntry, User
from postlicense.selfservice.models import AccountProfile

pytestmark = pytest.mark.django_db


def create(client, enterprise, username="zhang-fr", **extra):
    data = {
        "credit_code": enterprise.credit_code.lower(),
        "username": username,
        "display_name": "张三",
        "position": "法定代表人",
        "is_legal_representative": "on",
        **extra,
    }
    return client.post("/enterprise/manage/accounts/", data)


def temporary_password(page):
    return page.split("临时密码 <code>")[1].split("</code>")[0]


def test_staff_create_a_login_shown_once_and_the_first_login_must_change_it(client, staff, enterprise):
    client.force_login(staff)
    page = create(client, enterprise).content.decode()
    password = temporary_password(page)
    user = User.objects.get(username="zhang-fr")
    profile = user.selfservice_profile
    assert user.role == User.Role.ENTERPRISE and user.enterprise_account.enterprise == enterprise
    assert profile.is_legal_representative and profile.must_change_password and profile.created_by == staff
    assert password not in client.get("/enterprise/manage/accounts/").content.decode()  # shown once
    client.logout()
    assert client.post("/login/", {"username": "zhang-fr", "password": password}).status_code == 302
    assert client.get("/enterprise/").url == "/enterprise/password/"
    assert client.get("/registry/enterprises/").url == "/enterprise/password/"
    client.post(
        "/enterprise/password/",
        {"old_password": password, "new_password1": "Qiye-mima-2026", "new_password2": "Qiye-mima-2026"},
    )
    profile.refresh_from_db()
    assert not profile.must_change_password
    assert client.get("/enterprise/").status_code == 200


def test_a_second_person_of_the_same_enterprise_and_a_taken_username(client, staff, enterprise):
    client.force_login(staff)
    create(client, enterprise)
    create(client, enterprise, username="li-qa", is_legal_representative="")
    assert AccountProfile.objects.filter(enterprise=enterprise).count() == 2
    page = create(client, enterprise, username="LI-QA")
    assert page.status_code == 400 and "该登录名已被使用" in page.content.decode()


def test_an_enterprise_outside_the_jurisdiction_is_refused(client, make_user, enterprise):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    page = create(client, enterprise)
    assert page.status_code == 400 and "辖区内没有该统一社会信用代码的企业" in page.content.decode()
    assert not User.objects.filter(role=User.Role.ENTERPRISE).exists()


def test_reset_gives_a_new_temporary_password_and_disable_blocks_the_login(client, staff, enterprise):
    client.force_login(staff)
    create(client, enterprise)
    profile = AccountProfile.objects.get()
    profile.must_change_password = False
    profile.save()
    page = client.post(f"/enterprise/manage/accounts/{profile.pk}/reset/").content.decode()
    password = temporary_password(page)
    profile.refresh_from_db()
    assert profile.must_change_password
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PASSWORD, object_id=str(profile.user_id)).exists()
    client.post(f"/enterprise/manage/accounts/{profile.pk}/disable/")
    client.logout()
    refused = client.post("/login/", {"username": "zhang-fr", "password": password})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


def test_another_countys_staff_cannot_reset(client, make_user, staff, enterprise):
    client.force_login(staff)
    create(client, enterprise)
    profile = AccountProfile.objects.get()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.post(f"/enterprise/manage/accounts/{profile.pk}/reset/").status_code == 404
