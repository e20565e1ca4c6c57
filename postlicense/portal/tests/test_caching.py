"""Conditional GET of the public task pages (issue 12 item 6): a published page is revalidated with one query and
answered 304 while nothing it shows has changed; a new step, contribution, cancellation or an edit of a published
result changes its ETag. A visitor without the page gets the copy rendered for that ETag (item 7): one query too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from postlicense.core.models import User
from postlicense.randomcheck import services
from postlicense.randomcheck.models import Disclosure
from postlicense.randomcheck.tests.factories import contribute, make_register, make_task, published_task

pytestmark = pytest.mark.django_db
PAGES = ["/public/random-checks/{}/", "/public/random-checks/{}/verify/"]


@pytest.fixture
def admin(make_user):
    return make_user(User.Role.CITY_ADMIN, "xuchang")


def etag(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.parametrize("page", PAGES)
def test_a_published_page_is_not_modified_for_a_browser_that_has_it(client, admin, page):
    url = page.format(published_task(admin).pk)
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert len(queries) == 1  # the version query; nothing of the page is read or rendered
    since = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


@pytest.mark.parametrize("page", PAGES)
def test_contributions_and_a_cancellation_change_the_page_version(client, admin, page):
    make_register({"xuchang-weidu": 8})
    task = services.freeze_candidates(make_task(admin), admin)
    url = page.format(task.pk)
    frozen = etag(client, url)
    assert etag(client, url) == frozen
    contribute(task, admin)
    seeded = etag(client, url)
    assert seeded != frozen
    services.cancel_task(task, "抽查范围有误，重新部署", admin)
    response = client.get(url, headers={"If-None-Match": seeded})
    assert response.status_code == 200 and "抽查范围有误，重新部署" in response.content.decode()


def test_an_edit_of_a_published_result_changes_the_page_version(client, admin):
    task = published_task(admin)
    url = PAGES[0].format(task.pk)
    before = etag(client, url)
    disclosure = Disclosure.objects.filter(drawn__task=task).first()
    disclosure.problems_summary = "更正：标识不规范"
    disclosure.save()  # audited like every write
    response = client.get(url, headers={"If-None-Match": before})
    assert response.status_code == 200 and "更正：标识不规范" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_a_visitor_without_the_page_gets_the_copy_rendered_for_its_version(client, admin, page):
    url = page.format(published_task(admin).pk)
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert len(queries) == 1  # the version query: the page is not read or rendered again
    assert "X-CSRFToken" not in again.content.decode()  # no visitor's token is kept for the next one


def test_a_new_version_is_rendered_again(client, admin):
    task = published_task(admin)
    url = PAGES[0].format(task.pk)
    client.get(url)
    disclosure = Disclosure.objects.filter(drawn__task=task).first()
    disclosure.problems_summary = "更正：标识不规范"
    disclosure.save()
    assert "更正：标识不规范" in client.get(url).content.decode()


def test_a_logged_in_visitor_does_not_get_the_anonymous_copy(client, admin):
    url = PAGES[0].format(published_task(admin).pk)
    anonymous = etag(client, url)
    client.force_login(admin)
    response = client.get(url, headers={"If-None-Match": anonymous})
    assert response.status_code == 200 and admin.username in response.content.decode()
    assert admin.username in client.get(url).content.decode()


def test_a_task_that_is_not_public_is_still_not_found(client, admin):
    task = make_task(admin)
    for page in PAGES:
        assert client.get(page.format(task.pk), headers={"If-None-Match": "*"}).status_code == 404
