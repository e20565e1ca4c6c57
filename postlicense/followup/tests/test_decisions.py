"""License decisions (002 第十四条: the issuing authority decides; 条例 第五十五条: 3 years after a 吊销): the workflow,
its refusals, the daily candidate search, the license status only through a decision, the 吊销 bar on every path."""

import subprocess
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from postlicense.core.jobs.scheduler import DAILY_COMMANDS
from postlicense.core.models import AuditEntry, User
from postlicense.followup import decisions
from postlicense.followup.models import LicenseDecisionProposal as P
from postlicense.inspections.tests.word import WORD, docx_text, fields_of
from postlicense.registry.models import Enterprise, EnterpriseAccount, License
from postlicense.registry.tests.conftest import good_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def _forwarded(license, staff, city, kind=P.Kind.REVOKE, ground=P.Ground.LENT):
    p = decisions.propose(license, kind=kind, ground=ground, facts="出借许可证编号", by=staff)
    decisions.confirm(p, staff, "属实")
    return decisions.forward(p, city, "报省局")


def _decide(p, city, **overrides):
    data = dict(
        number="豫市监许吊〔2026〕3号",
        date=timezone.localdate(),
        outcome=P.Outcome.AS_PROPOSED,
        authority="河南省市场监督管理局",
    )
    return decisions.record_decision(p, city, **{**data, **overrides})


def test_each_step_records_who_and_when_and_the_decision_sets_the_license_status(license, staff, city):
    p = _forwarded(license, staff, city)
    assert p.confirmed_by == staff and p.confirmed_at and p.confirm_note == "属实"
    assert p.forwarded_by == city and p.status == P.Status.FORWARDED
    assert License.objects.get(pk=license.pk).status == License.Status.VALID  # forwarded is not decided
    p = _decide(p, city)
    assert p.status == P.Status.DECIDED and p.decision_recorded_by == city
    assert License.objects.get(pk=license.pk).status == License.Status.REVOKED
    actions = AuditEntry.objects.filter(model="followup.licensedecisionproposal", object_id=str(p.pk))
    assert actions.count() == 4  # drafted, confirmed, forwarded, decided: each in the audit trail


def test_a_decision_not_as_proposed_leaves_the_license(license, staff, city):
    _decide(_forwarded(license, staff, city), city, outcome=P.Outcome.NOT_TAKEN)
    assert License.objects.get(pk=license.pk).status == License.Status.VALID


def test_a_decision_without_number_is_refused_at_the_field_and_nothing_saved(client, license, staff, city):
    p = _forwarded(license, staff, city)
    with pytest.raises(ValidationError) as exc:
        _decide(p, city, number="  ")
    assert exc.value.message_dict["number"] == ["请填写决定文号。"]
    client.force_login(city)
    page = client.post(
        f"/followup/decisions/{p.pk}/decide/",
        {"number": "", "date": "2026-11-20", "outcome": "granted", "authority": "河南省市场监督管理局"},
    )
    assert page.status_code == 200 and "请填写决定文号。" in page.content.decode()
    p.refresh_from_db()
    assert p.status == P.Status.FORWARDED and not p.decision_number
    assert License.objects.get(pk=license.pk).status == License.Status.VALID


def test_a_second_decision_on_the_same_proposal_is_refused(client, license, staff, city):
    p = _decide(_forwarded(license, staff, city), city)
    with pytest.raises(ValidationError, match="不能重复录入"):
        _decide(p, city, number="豫市监许吊〔2026〕4号", outcome=P.Outcome.NOT_TAKEN)
    client.force_login(city)
    page = client.post(
        f"/followup/decisions/{p.pk}/decide/",
        {"number": "另一个文号", "date": "2026-11-20", "outcome": "refused", "authority": "省局"},
    )
    assert "不能重复录入" in page.content.decode()
    p.refresh_from_db()
    assert p.decision_number == "豫市监许吊〔2026〕3号" and p.decision_outcome == P.Outcome.AS_PROPOSED


def test_the_proposal_prints_as_pdf_and_word_for_the_bureaus_only(client, license, staff, city, make_user, tmp_path):
    """The 许可处理建议书 (002 第十四条) carries the license, the ground, the facts and the county's and city's notes;
    a formula-looking fact stays text; another county's staff get 404, an enterprise user 403."""
    p = _forwarded(license, staff, city)
    p.facts = '=HYPERLINK("http://evil.example","详情") 出借许可证编号'
    p.save()
    client.force_login(staff)
    word = client.get(f"/followup/decisions/{p.pk}/proposal.docx")
    assert word["Content-Type"] == WORD
    text = docx_text(word.content)
    assert "关于提请吊销工业产品生产许可证的建议" in text and license.number in text
    assert "出租、出借或者转让许可证证书、标志和编号（条例 第四十九条）" in text
    assert p.facts in text and "属实" in text and "报省局" in text and fields_of(word.content) == []
    pdf = client.get(f"/followup/decisions/{p.pk}/proposal.pdf")
    path = tmp_path / "proposal.pdf"
    path.write_bytes(pdf.content)
    printed = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split())
    assert "关于提请吊销工业产品生产许可证的建议" in printed and license.number in printed
    page = client.get(f"/followup/decisions/{p.pk}/").content.decode()
    assert f"/followup/decisions/{p.pk}/proposal.docx" in page
    assert AuditEntry.objects.filter(action="export", object_repr__contains="吊销建议").count() == 2
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(f"/followup/decisions/{p.pk}/proposal.docx").status_code == 404
    owner = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=owner, enterprise=license.enterprise)
    client.force_login(owner)
    assert client.get(f"/followup/decisions/{p.pk}/proposal.pdf").status_code == 403
    assert "proposal.pdf" not in client.get(f"/followup/decisions/{p.pk}/").content.decode()


def test_roles_and_order_of_the_steps(license, staff, city):
    p = decisions.propose(license, kind=P.Kind.CANCEL, ground=P.Ground.EXPIRED, facts="届满")
    with pytest.raises(PermissionDenied):
        decisions.forward(p, staff)
    with pytest.raises(ValidationError, match="不能转报"):
        decisions.forward(p, city)  # not confirmed by the county yet
    with pytest.raises(ValidationError, match="转报许可机关后"):
        _decide(p, city)
    with pytest.raises(ValidationError) as exc:
        decisions.dismiss(p, staff, "")
    assert "reason" in exc.value.message_dict
    decisions.dismiss(p, staff, "企业已申请延续")
    with pytest.raises(ValidationError):
        decisions.confirm(p, staff)


def test_the_confirmation_deadline_is_stored_with_its_basis(license):
    p = decisions.propose(license, kind=P.Kind.CANCEL, ground=P.Ground.EXPIRED, facts="届满")
    assert p.confirm_due > timezone.localdate() and "提出后10工作日" in p.confirm_due_text


def test_candidates_expired_not_renewed_and_stopped_production_once(make_enterprise, make_license):
    today = date(2026, 11, 30)
    old = make_enterprise()
    expired = make_license(old, "豫XK08-001-00041", date(2021, 1, 1), date(2026, 11, 1))
    renewed = make_enterprise()
    make_license(renewed, "豫XK08-001-00042", date(2021, 1, 1), date(2026, 11, 1))
    make_license(renewed, "豫XK08-001-00043", date(2026, 10, 1), date(2031, 10, 1))
    stopped = make_enterprise(status=Enterprise.Status.STOPPED)
    stopped_license = make_license(stopped, "豫XK08-001-00044")
    drafted = decisions.find_candidates(today)
    assert {(p.license, p.ground) for p in drafted} == {
        (expired, P.Ground.EXPIRED),
        (stopped_license, P.Ground.STOPPED_PRODUCTION),
    }
    assert all(p.kind == P.Kind.CANCEL and p.proposed_by is None for p in drafted)
    decisions.find_candidates(today)
    assert P.objects.count() == 2  # the daily run drafts each once


def test_the_candidate_search_is_a_daily_command(make_enterprise, make_license, capsys):
    assert "followup-candidates" in DAILY_COMMANDS
    make_license(make_enterprise(), "豫XK08-001-00045", date(2020, 1, 1), date(2025, 1, 1))
    call_command("followup-candidates")
    assert "候选许可证 1 张" in capsys.readouterr().out


# --- the license status only through a decision ---------------------------------------------------------------


def test_the_license_form_does_not_offer_the_status_and_a_posted_status_is_ignored(client, license, staff):
    client.force_login(staff)
    url = f"/registry/enterprises/{license.enterprise_id}/licenses/{license.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    from postlicense.registry.forms import LicenseForm

    assert "status" not in LicenseForm.base_fields


@pytest.fixture
def api(client, city):
    client.force_login(city)
    return client


def test_the_api_refuses_a_status_edited_by_hand(api, license):
    url = f"/api/v1/licenses/{license.pk}/"
    version = api.get(url).json()
    response = api.patch(
        url,
        {"status": "revoked", **{k: v for k, v in version.items() if k == "version"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "许可机关的决定" in response.json()["status"][0]
    assert License.objects.get(pk=license.pk).status == License.Status.VALID


# --- 条例 第五十五条: three years after a 吊销 ---------------------------------------------------------------------


@pytest.fixture
def revoked(license, staff, city):
    p = _forwarded(license, staff, city)
    P.objects.filter(pk=p.pk).update(forwarded_at=timezone.now() - timedelta(days=40))
    p.refresh_from_db()
    _decide(p, city, date=timezone.localdate() - timedelta(days=30))
    return license


def test_revocation_bars_a_new_license_for_the_same_product_on_the_form(client, revoked, staff):
    client.force_login(staff)
    response = client.post(
        f"/registry/enterprises/{revoked.enterprise_id}/licenses/new/",
        {
            "number": "豫XK08-001-00099",
            "product_category": revoked.product_category_id,
            "issue_date": "2026-11-01",
            "expiry_date": "2031-10-31",
            "issuing_authority": "河南省市场监督管理局",
        },
    )
    assert response.status_code == 200 and "第五十五条" in response.content.decode()
    assert not License.objects.filter(number__contains="00099").exists()


def test_revocation_bars_a_new_license_through_the_api(api, revoked):
    response = api.post(
        "/api/v1/licenses/",
        {
            "number": "豫XK08-001-00098",
            "enterprise": revoked.enterprise_id,
            "product_category": revoked.product_category.name,
            "issue_date": "2026-11-01",
            "expiry_date": "2031-10-31",
            "issuing_authority": "河南省市场监督管理局",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "第五十五条" in response.json()["product_category"][0]
    assert not License.objects.filter(number__contains="00098").exists()


def test_revocation_bars_a_new_license_in_the_import(revoked, city):
    from postlicense.registry import importing
    from postlicense.registry.xlsx import open_rows

    e = revoked.enterprise
    row = good_row(7, region="魏都区")
    row.update({"统一社会信用代码": e.credit_code, "企业名称": e.name, "产品类别": revoked.product_category.name})
    _, rows = open_rows(xlsx_bytes([row]), importing.COLUMNS)
    _, errors = importing.validate(rows, city)
    assert any("第五十五条" in err.message for err in errors)


def test_the_bar_ends_after_three_years(license, staff, city):
    p = _decide(_forwarded(license, staff, city), city)
    pair = (license.enterprise.credit_code, license.product_category_id)
    assert decisions.revocation_bars([pair], p.decision_date + timedelta(days=3 * 365 - 1))
    assert not decisions.revocation_bars([pair], decisions.years_after(p.decision_date, 3) + timedelta(days=1))


def test_revocation_bars_check_an_import_of_thousands_of_new_licenses_at_once(revoked):
    """条例 第五十五条 over a whole import: 3,000 new (code, category) pairs in one call. One OR term per pair made
    an expression SQLite refuses ("Expression tree is too large"), which failed every import of more than about a
    thousand new licenses; the bar is still found among them, and the same code with another product is not barred."""
    barred = (revoked.enterprise.credit_code, revoked.product_category_id)
    other_product = (revoked.enterprise.credit_code, revoked.product_category_id + 1000)
    pairs = [(f"9141100{n:011d}", revoked.product_category_id) for n in range(3000)] + [barred, other_product]
    bars = decisions.revocation_bars(pairs)
    assert list(bars) == [barred] and "第五十五条" in bars[barred]


def test_the_import_cannot_change_a_registered_license_status(license, city):
    from postlicense.registry import importing
    from postlicense.registry.xlsx import open_rows

    e = license.enterprise
    row = good_row(8, region="魏都区")
    row.update(
        {
            "统一社会信用代码": e.credit_code,
            "企业名称": e.name,
            "许可证编号": license.number,
            "产品类别": license.product_category.name,
            "证书状态": "吊销",
        }
    )
    _, rows = open_rows(xlsx_bytes([row]), importing.COLUMNS)
    _, errors = importing.validate(rows, city)
    assert any("许可处理决定" in err.message for err in errors)


def test_a_proposal_late_in_the_year_is_drafted_without_a_deadline_rather_than_refused(license, monkeypatch):
    # the daily run and the escalation must not fail when 10 工作日 reach into a year without calendar data
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 12, 28))
    p = decisions.propose(license, kind=P.Kind.CANCEL, ground=P.Ground.EXPIRED, facts="届满")
    assert p.pk and p.confirm_due is None and p.confirm_due_text == ""
