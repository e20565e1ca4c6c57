"""An enterprise user reaches its own enterprise only (issue 16 item 1): every enterprise-user URL, given another
enterprise's object by a hand-edited URL or the API, is a 404 and writes nothing."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern

from postlicense.core.models import AuditEntry
from postlicense.inspections.tests.helpers import png_bytes
from postlicense.selfservice import services, urls
from postlicense.selfservice.models import Feedback, SelfReport

from .conftest import finished
from .helpers import complete_post

pytestmark = pytest.mark.django_db

# (method, URL with the placeholders filled from enterprise A's objects)
OBJECT_URLS = [
    ("get", "/enterprise/reports/{report}/"),
    ("post", "/enterprise/reports/{report}/"),
    ("post", "/enterprise/reports/{report}/draft/"),
    ("get", "/enterprise/reports/{report}/amend/"),
    ("post", "/enterprise/reports/{report}/attachments/"),
    ("get", "/enterprise/attachments/{attachment}/"),
    ("get", "/enterprise/feedback/new/{record}/"),
    ("post", "/enterprise/feedback/new/{record}/"),
    ("get", "/enterprise/feedback/{feedback}/"),
    ("get", "/inspections/{record}/"),
    ("get", "/inspections/{record}/pdf/"),
    ("get", "/registry/enterprises/{enterprise}/"),
    ("get", "/api/v1/enterprises/{enterprise}/"),
]
BUREAU_URLS = [
    ("get", "/enterprise/manage/accounts/"),
    ("post", "/enterprise/manage/accounts/{account}/reset/"),
    ("get", "/enterprise/manage/reports/"),
    ("post", "/enterprise/manage/reports/{report}/review/"),
    ("post", "/enterprise/manage/late/{enterprise}/"),
    ("post", "/enterprise/manage/non-filers/order/"),
    ("get", "/enterprise/manage/corrections/"),
    ("get", "/enterprise/manage/corrections/{correction}/"),
    ("get", "/enterprise/manage/import/"),
    ("get", "/enterprise/manage/feedback/"),
]


@pytest.fixture
def objects_of_a(staff, enterprise, ent_user):
    """Enterprise A's report (with an attachment), a finished record, feedback and correction request."""
    services.grant_late_filing(staff, enterprise=enterprise, year=2025, reason="测试", until=date(2026, 12, 20))
    report = services.start_report(ent_user, enterprise, 2025, date(2026, 11, 30))
    attachment = services.add_attachment(
        ent_user, upload=SimpleUploadedFile("a.png", png_bytes(), "image/png"), report=report
    )
    record = finished(enterprise, staff)
    feedback = services.submit_feedback(
        ent_user, record=record, inspector=record.crew.first().inspector, categories=["fees"], text="收费", token=None
    )
    correction = services.request_correction(ent_user, message="地址有误", token=None)
    return {
        "report": report.pk,
        "attachment": attachment.pk,
        "record": record.pk,
        "feedback": feedback.pk,
        "enterprise": enterprise.pk,
        "account": ent_user.selfservice_profile.pk,
        "correction": correction.pk,
    }


def test_the_lists_cover_every_url_of_the_app():
    """A new URL must join one of the lists above (so it gets its scoping test)."""
    listed = {url.split("{")[0] for _, url in OBJECT_URLS + BUREAU_URLS}
    own_pages = {
        "/enterprise/",
        "/enterprise/password/",
        "/enterprise/correction/",
        "/enterprise/reports/",
        "/enterprise/reports/start/",
        "/enterprise/records/",
        "/enterprise/feedback/",
    }
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        prefix = "/enterprise/" + str(pattern.pattern).split("<")[0]
        assert prefix in listed | own_pages, prefix


@pytest.mark.parametrize("method, url", OBJECT_URLS)
def test_another_enterprises_objects_are_a_404(client, objects_of_a, other_user, method, url):
    client.force_login(other_user)
    before = AuditEntry.objects.count()
    data = {"file": SimpleUploadedFile("b.png", png_bytes(), "image/png"), "revision": 0, "then": "submit"}
    response = getattr(client, method)(url.format(**objects_of_a), data if method == "post" else None)
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("method, url", BUREAU_URLS)
def test_the_bureaus_pages_are_closed_to_enterprise_users(client, objects_of_a, ent_user, method, url):
    client.force_login(ent_user)
    before = AuditEntry.objects.count()
    response = getattr(client, method)(
        url.format(**objects_of_a), {"decision": "qualified"} if method == "post" else None
    )
    assert response.status_code in (403, 404)
    assert AuditEntry.objects.count() == before


def test_the_own_pages_show_only_the_own_enterprise(client, objects_of_a, enterprise, other_user, other_enterprise):
    client.force_login(other_user)
    for url in (
        "/enterprise/",
        "/enterprise/reports/",
        "/enterprise/records/",
        "/enterprise/feedback/",
        "/core/todo/",
        "/registry/enterprises/",
        "/api/v1/enterprises/",
    ):
        page = client.get(url).content.decode()
        assert enterprise.name not in page, url
    assert other_enterprise.name in client.get("/enterprise/").content.decode()
    assert client.post("/enterprise/reports/start/2025/").status_code == 302
    assert not SelfReport.objects.filter(enterprise=other_enterprise).exists()  # B has no permission: refused
    assert Feedback.objects.count() == 1


def test_bureau_users_have_no_enterprise_pages(client, staff):
    client.force_login(staff)
    assert client.get("/enterprise/").status_code == 404
    assert client.get("/enterprise/reports/").status_code == 404


def test_complete_post_helper_matches_the_form(ent_client, objects_of_a):
    """The scoping posts above would be 200/302 for the owner: the URLs are live, not 404 by mistake."""
    report = SelfReport.objects.get(pk=objects_of_a["report"])
    assert ent_client.get(f"/enterprise/reports/{report.pk}/").status_code == 200
    assert ent_client.post(f"/enterprise/reports/{report.pk}/draft/", complete_post(report)).status_code == 200
    assert ent_client.get(f"/enterprise/feedback/{objects_of_a['feedback']}/").status_code == 200
    assert ent_client.get(f"/inspections/{objects_of_a['record']}/").status_code == 200


def test_an_inspector_reads_the_filed_reports_of_the_enterprises_they_inspected(
    client, make_user, staff, enterprise, other_enterprise
):
    from postlicense.core.models import User

    from .conftest import finished, make_crew
    from .test_review import filed

    inspector = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    finished(enterprise, staff, make_crew(user=inspector))
    theirs, other = filed(enterprise), filed(other_enterprise)
    client.force_login(inspector)
    page = client.get(f"/enterprise/reports/{theirs.pk}/")
    assert page.status_code == 200 and enterprise.name in page.content.decode()
    assert '/enterprise/reports/"' not in page.content.decode()  # no link to the enterprise's own list
    assert client.get(f"/enterprise/reports/{other.pk}/").status_code == 404
    assert client.post(f"/enterprise/reports/{theirs.pk}/", {"revision": 0}).status_code == 403
