"""Issue 11 "Bad input": a failed login with a username over 255 characters was an HTTP 500 on PostgreSQL
(django-axes' AccessAttempt.username is 255). The login forms refuse usernames over 150 characters (the
longest an account can have) at the field, before authenticate() and axes see them."""

import pytest
from axes.models import AccessAttempt

from postlicense.core.models import User

pytestmark = pytest.mark.django_db

LONG = "张" * 151 + "-staff" * 30


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_an_overlong_username_is_refused_at_the_field_and_never_reaches_axes(client, url):
    response = client.post(url, {"username": LONG, "password": "whatever"})
    page = response.content.decode()
    assert response.status_code == 200
    assert f"用户名不能超过 150 个字符（您输入了 {len(LONG)} 个）" in page
    assert not AccessAttempt.objects.exists()


def test_the_login_page_keeps_what_was_typed_and_marks_the_field(client):
    page = client.post("/login/", {"username": LONG, "password": "x"}).content.decode()
    assert f'value="{LONG}"' in page and 'aria-invalid="true"' in page


def test_a_username_of_150_characters_is_still_checked_by_axes(client, make_user):
    """The limit is the model's: a wrong password for a name within it is an ordinary counted failure."""
    make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    response = client.post("/login/", {"username": "x" * 150, "password": "wrong"})
    assert response.status_code == 200 and "用户名不能超过" not in response.content.decode()
    assert AccessAttempt.objects.get().username == "x" * 150
