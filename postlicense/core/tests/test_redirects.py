"""Redirects only to this site (issue 11 item 4): a `next` taken from the request is followed only when it is a
page of this site; anything else (another host, a scheme-relative or backslash URL, javascript:) goes to the page's
own fallback."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from postlicense.core.http import next_url
from postlicense.core.models import User
from postlicense.inspections.tests.helpers import new_record

FALLBACK = "/inspections/1/fill/"
HOSTILE = [
    "https://evil.example",
    "https://evil.example/registry/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "http://testserver.evil.example/",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_next_to_another_site_or_scheme_falls_back(target):
    assert next_url(RequestFactory().post("/x/", {"next": target}), FALLBACK) == FALLBACK
    assert next_url(RequestFactory().get("/x/", {"next": target}), FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", ["/inspections/7/fill/?tab=2", "http://testserver/inspections/7/fill/"])
def test_next_to_a_page_of_this_site_is_followed(target):
    assert next_url(RequestFactory().post("/x/", {"next": target}), FALLBACK) == target


def test_no_next_is_the_fallback():
    assert next_url(RequestFactory().post("/x/"), FALLBACK) == FALLBACK


def test_https_site_does_not_follow_next_down_to_http():
    request = RequestFactory().post("/x/", {"next": "http://testserver/registry/"}, secure=True)
    assert next_url(request, FALLBACK) == FALLBACK


@pytest.fixture
def staff_client(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    return client


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"])
def test_attachment_post_with_a_foreign_next_returns_to_the_record(staff_client, target):
    """The reported case: an attachment POST with next=https://evil.example redirected there."""
    record = new_record()
    item = record.template_version.items.first()
    url = reverse("inspections:attachment_upload", args=[record.pk, item.pk])
    response = staff_client.post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == f"{record.get_fill_url()}#item-{item.pk}"


def test_attachment_post_with_a_page_of_this_site_as_next_goes_there(staff_client):
    record = new_record()
    item = record.template_version.items.first()
    url = reverse("inspections:attachment_upload", args=[record.pk, item.pk])
    response = staff_client.post(url, {"next": record.get_absolute_url()})
    assert response["Location"] == f"{record.get_absolute_url()}#item-{item.pk}"


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_login_with_a_foreign_next_lands_on_the_home_page(client, make_user, target):
    """The login form's hidden `next` is checked by Django's LoginView the same way."""
    user = make_user()
    response = client.post(f"/login/?next={target}", {"username": user.username, "password": "pw", "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("home")
