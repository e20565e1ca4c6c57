"""The UI is Chinese whatever the browser's language, and so are the error pages (issue 10 item 8).

This module is also the URLconf of its tests: the site's URLs plus views that fail on purpose.
"""

import re
from pathlib import Path

import django
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation

from postlicense.core.models import User
from postlicense.urls import handler403, handler404
from postlicense.urls import urlpatterns as site_urlpatterns

EN = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = site_urlpatterns + [
    path("test/denied/", _raise(PermissionDenied("只有市局管理员可以发布检查表。"))),
    path("test/denied-plain/", _raise(PermissionDenied)),
    path("test/missing-django/", _raise(Http404("No Enterprise matches the given query."))),
    path("test/boom/", _raise(RuntimeError("boom"))),
]
__all__ = ["handler403", "handler404", "urlpatterns"]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


DJANGO_CATALOGUES = [
    ("conf", "django"),
    ("contrib/auth", "django"),
    ("contrib/admin", "django"),
    ("contrib/admin", "djangojs"),
]
# Messages that read the same in Chinese: symbols, units, protocol names.
LANGUAGE_NEUTRAL = {
    "…",
    "IPv4",
    "IPv6",
    "URL",
    ":?.!",
    ":",
    "%s KB",
    "%s MB",
    "%s GB",
    "%s TB",
    "%s PB",
    "%(class_name)s %(instance)s",
}


def _po_entries(path):
    """(msgctxt, msgid, msgid_plural) of each entry of a .po file."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields = {
            name: "".join(re.findall(r'"(.*)"', value)).replace('\\"', '"')
            for name, value in re.findall(r'^(msgctxt|msgid|msgid_plural) ((?:".*"\n?)+)', block + "\n", re.M)
        }
        if fields.get("msgid"):
            yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")


@pytest.mark.parametrize(("app", "domain"), DJANGO_CATALOGUES)
def test_every_django_message_has_a_chinese_translation(app, domain):
    """Django 5.2 added messages its zh_Hans catalogue lacks (the password length rule, admin labels); our
    locale/ fills them. A Django upgrade that adds more fails here, not in front of an en-US browser."""
    catalogue = DjangoTranslation("zh-hans", domain=domain)
    english = Path(django.__file__).parent / app / "locale/en/LC_MESSAGES" / f"{domain}.po"
    untranslated = []
    with translation.override("zh-hans"):
        for context, msgid, plural in _po_entries(english):
            if plural:
                chinese = (
                    catalogue.npgettext(context, msgid, plural, 1) if context else catalogue.ngettext(msgid, plural, 1)
                )
            else:
                chinese = catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid)
            if chinese == msgid and msgid not in LANGUAGE_NEUTRAL:
                untranslated.append(msgid)
    assert untranslated == []


def test_password_change_page_is_chinese_for_an_english_browser(client, make_user):
    client.force_login(make_user())
    page = client.get("/password/", **EN).content.decode()
    assert "旧密码" in page and "新密码" in page
    assert "Old password" not in page and "Your password" not in page


def test_password_rules_answer_in_chinese_for_an_english_browser(client, make_user):
    client.force_login(make_user())
    page = client.post("/password/", {"old_password": "pw", "new_password1": "abc", "new_password2": "abc"}, **EN)
    text = page.content.decode()
    assert "太短" in text and "too short" not in text


def test_admin_is_chinese_for_an_english_browser(client, make_user):
    client.force_login(
        make_user(User.Role.CITY_ADMIN, "xuchang", is_staff=True, is_superuser=True, display_name="王五")
    )
    page = client.get("/admin/", **EN).content.decode()
    assert "站点管理" in page and "Site administration" not in page
    assert "欢迎" in page and "王五" in page  # greeted by name, not by login


def test_weekday_names_are_chinese_for_an_english_browser(client, make_user):
    client.force_login(make_user())
    page = client.get("/core/calendar/?year=2023", **EN).content.decode()
    assert "星期" in page and "Monday" not in page and "Saturday" not in page


def test_api_errors_are_chinese_for_an_english_browser(client, db):
    response = client.get("/api/v1/enterprises/", **EN)
    assert response.status_code == 403 and "身份认证" in response.json()["detail"]


def test_404_page_is_chinese(client, make_user):
    client.force_login(make_user())
    response = client.get("/no-such-page/", **EN)
    page = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in page and "Not Found" not in page
    assert "返回首页" in page and "工作台" not in page


def test_404_shows_our_reason_but_not_django_internals(client, make_user):
    client.force_login(make_user())
    out_of_scope = client.get("/core/history/core.user/999999/", **EN).content.decode()
    assert "未找到该记录，或不在您的管辖范围内。" in out_of_scope
    internal = client.get("/test/missing-django/", **EN).content.decode()
    assert "页面不存在" in internal and "No Enterprise" not in internal


def test_403_page_is_chinese_with_the_reason(client, make_user):
    client.force_login(make_user())
    response = client.get("/test/denied/", **EN)
    assert response.status_code == 403 and "只有市局管理员可以发布检查表。" in response.content.decode()
    plain = client.get("/test/denied-plain/", **EN).content.decode()
    assert "无权访问" in plain and "Forbidden" not in plain


def test_500_page_is_chinese(make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user())
    response = client.get("/test/boom/", **EN)
    page = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in page and "Server Error" not in page


def test_csrf_failure_page_is_chinese(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "someone", "password": "pw"}, **EN)
    page = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in page and "CSRF verification failed" not in page
