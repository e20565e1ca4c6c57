"""Register pages: jurisdiction scope (DESIGN: every list and record through one scope), search, paging, forms."""

from datetime import timedelta

import pytest
from django.utils import timezone

from postlicense.core.models import User
from postlicense.registry.models import Enterprise, EnterpriseAccount
from postlicense.registry.selectors import EnterpriseFilter, enterprise_list, license_state


def test_county_user_cannot_read_or_edit_another_countys_enterprise_by_url(client, make_user, make_enterprise):
    other = make_enterprise("xuchang-changge", name="长葛某某水泥有限公司")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    for url in (
        f"/registry/enterprises/{other.pk}/",
        f"/registry/enterprises/{other.pk}/edit/",
        f"/registry/enterprises/{other.pk}/licenses/new/",
        f"/registry/enterprises/{other.pk}/equipment/new/",
        f"/core/history/registry.enterprise/{other.pk}/",
        f"/api/v1/enterprises/{other.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/registry/enterprises/{other.pk}/edit/", {"name": "被改名"})
    assert response.status_code == 404
    assert (
        client.post(f"/registry/enterprises/{other.pk}/licenses/new/", {"number": "豫XK08-001-00001"}).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.name == "长葛某某水泥有限公司" and not other.licenses.exists()
    assert "长葛某某" not in client.get("/registry/enterprises/").content.decode()


def test_branch_sees_only_its_own_enterprises(client, make_user, make_enterprise):
    """000: the 滨海新区 branches share one region; each sees only the enterprises it supervises."""
    own = make_enterprise("binhai-tanggu", name="塘沽甲企业有限公司")
    make_enterprise("binhai-hangu", name="汉沽乙企业有限公司")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu"))
    page = client.get("/registry/enterprises/").content.decode()
    assert "塘沽甲企业" in page and "汉沽乙企业" not in page
    district = make_user(User.Role.CITY_ADMIN, "binhai")
    assert enterprise_list(district, EnterpriseFilter()).rows.__len__() == 2
    assert [
        e.pk for e in enterprise_list(make_user(User.Role.COUNTY_STAFF, "binhai-tanggu"), EnterpriseFilter()).rows
    ] == [own.pk]


def test_enterprise_user_sees_only_its_own_enterprise(client, make_user, make_enterprise):
    own, other = make_enterprise(), make_enterprise()
    user = make_user(User.Role.ENTERPRISE, None)
    EnterpriseAccount.objects.create(user=user, enterprise=own)
    client.force_login(user)
    assert client.get(f"/registry/enterprises/{own.pk}/").status_code == 200
    assert client.get(f"/registry/enterprises/{other.pk}/").status_code == 404
    assert client.get(f"/registry/enterprises/{own.pk}/edit/").status_code == 403


def test_pinyin_initials_search_finds_xuchang_cement(make_user, make_enterprise):
    """Issue 3 §6: `xcsn` finds 许昌…水泥…; a name fragment and a credit code fragment work as well."""
    hit = make_enterprise(name="许昌天瑞水泥有限公司")
    make_enterprise(name="长葛恒达电缆有限公司", category="电线电缆")
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    for q in ("xcsn", "XCSN", "许昌 水泥", "天瑞", hit.credit_code[-8:], hit.credit_code, hit.credit_code.lower()):
        assert [e.pk for e in enterprise_list(admin, EnterpriseFilter(q=q)).rows] == [hit.pk], q


def test_filters_expiry_and_license_number(make_user, make_enterprise, make_license):
    today = timezone.localdate()
    soon, old, fine = make_enterprise(), make_enterprise(), make_enterprise()
    make_license(soon, "豫XK08-001-00001", today - timedelta(days=1800), today + timedelta(days=30))
    make_license(old, "豫XK08-001-00002", today - timedelta(days=1900), today - timedelta(days=3))
    make_license(fine, "豫XK08-001-00003", today - timedelta(days=10), today + timedelta(days=1800))
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    assert [e.pk for e in enterprise_list(admin, EnterpriseFilter(expiry="expiring")).rows] == [soon.pk]
    assert [e.pk for e in enterprise_list(admin, EnterpriseFilter(expiry="expired")).rows] == [old.pk]
    assert [e.pk for e in enterprise_list(admin, EnterpriseFilter(license_number="豫xk08-001-00003")).rows] == [fine.pk]
    assert [e.pk for e in enterprise_list(admin, EnterpriseFilter(license_number="(豫)XK08-001-0000")).rows] == [
        fine.pk,
        old.pk,
        soon.pk,
    ]


def test_license_state_is_computed_from_dates():
    """Issue 3 §3: 'expires within 90 days' and 'expired' are queries on the dates, not stored flags."""
    from types import SimpleNamespace

    today = timezone.localdate()

    def lic(days, status="valid"):
        return SimpleNamespace(status=status, expiry_date=today + timedelta(days=days))

    assert license_state(lic(-1), today) == "expired"
    assert license_state(lic(0), today) == "expiring" and license_state(lic(90), today) == "expiring"
    assert license_state(lic(91), today) == ""
    assert license_state(lic(400, "expired"), today) == "expired"
    assert license_state(lic(-5, "revoked"), today) == ""


def test_keyset_pages_walk_forward_and_back(make_user, make_enterprise):
    made = [make_enterprise() for _ in range(120)]
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    first = enterprise_list(admin, EnterpriseFilter())
    assert [e.pk for e in first.rows] == [e.pk for e in reversed(made)][:50] and first.prev_before is None
    second = enterprise_list(admin, EnterpriseFilter(), after=first.next_after)
    third = enterprise_list(admin, EnterpriseFilter(), after=second.next_after)
    assert len(third.rows) == 20 and third.next_after is None
    back = enterprise_list(admin, EnterpriseFilter(), before=third.prev_before)
    assert [e.pk for e in back.rows] == [e.pk for e in second.rows]
    assert enterprise_list(admin, EnterpriseFilter(), before=second.prev_before).first


def test_create_form_keeps_input_and_explains_a_wrong_credit_code(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    response = client.post(
        "/registry/enterprises/new/",
        {
            "name": "魏都新企业有限公司",
            "credit_code": "91411002MA44TEST0X",
            "legal_representative": "王五",
            "address": "魏都区某路1号",
            "region": "411002",
            "product_category": "1",
            "production_scale": "small",
            "status": "producing",
            "risk_level": "low",
            "supervision_class": "A",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "不允许的字符「S」" in page
    assert "魏都新企业有限公司" in page
    assert not Enterprise.objects.exists()


def test_create_edit_and_archive_timeline(client, make_user, make_enterprise):
    from postlicense.core.models import OrgUnit
    from postlicense.registry.credit_code import make_credit_code

    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    unit = OrgUnit.objects.get(code="xuchang-weidu")
    data = {
        "name": "魏都新企业有限公司",
        "credit_code": make_credit_code("411002", 1234),
        "legal_representative": "王五",
        "address": "魏都区某路1号",
        "region": "411002",
        "supervising_unit": unit.pk,
        "product_category": "1",
        "production_scale": "small",
        "status": "producing",
        "risk_level": "low",
        "supervision_class": "A",
    }
    response = client.post("/registry/enterprises/new/", data)
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302 and response.url == enterprise.get_absolute_url()
    edit_url = f"/registry/enterprises/{enterprise.pk}/edit/"
    version = client.get(edit_url).context["form"]["version"].value()
    client.post(edit_url, {**data, "risk_level": "high", "version": version})
    response = client.post(
        f"/registry/enterprises/{enterprise.pk}/licenses/new/",
        {
            "number": "(豫)XK05-001-00042",
            "product_category": "1",
            "issue_date": "2024-05-01",
            "expiry_date": "2024-04-01",
            "issuing_authority": "河南省市场监督管理局",
            "status": "valid",
        },
    )
    assert "有效期至须晚于发证日期" in response.content.decode()
    client.post(
        f"/registry/enterprises/{enterprise.pk}/licenses/new/",
        {
            "number": "(豫)XK05-001-00042",
            "product_category": "1",
            "issue_date": "2021-05-01",
            "expiry_date": "2026-04-30",
            "issuing_authority": "河南省市场监督管理局",
            "status": "valid",
        },
    )
    assert enterprise.licenses.get().number == "豫XK05-001-00042"
    page = client.get(enterprise.get_absolute_url()).content.decode()
    assert "档案时间线" in page and "企业信息变更" in page and "风险等级" in page
    assert "取得生产许可证 豫XK05-001-00042" in page
    assert f"/core/history/registry.enterprise/{enterprise.pk}/" in page


def test_home_cards_count_within_jurisdiction(client, make_user, make_enterprise):
    make_enterprise("xuchang-weidu")
    make_enterprise("xuchang-changge")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    page = client.get("/").content.decode()
    assert "获证企业" in page and "90天内到期许可证" in page


def test_api_lists_are_scoped_and_paged(client, make_user, make_enterprise, make_license):
    own = make_enterprise("xuchang-weidu")
    make_license(own, "豫XK08-001-00005")
    make_license(make_enterprise("xuchang-changge"), "豫XK08-001-00006")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    data = client.get("/api/v1/enterprises/").json()
    assert [e["credit_code"] for e in data["results"]] == [own.credit_code] and "next" in data
    assert [lic["number"] for lic in client.get("/api/v1/licenses/").json()["results"]] == ["豫XK08-001-00005"]
    assert "/api/v1/enterprises/" in client.get("/api/v1/schema/").content.decode()


def test_inspector_sees_only_enterprises_of_inspections_assigned_to_them(client, make_user, make_enterprise):
    """DESIGN: an inspector sees only what is assigned to them (via InspectionRecord.inspectors)."""
    from datetime import date

    from postlicense.core.models import OrgUnit
    from postlicense.inspections import services
    from postlicense.inspections.models import InspectionRecord
    from postlicense.inspectors.models import Inspector

    assigned, other = make_enterprise("xuchang-weidu"), make_enterprise("xuchang-weidu")
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    unit = OrgUnit.objects.get(code="xuchang-weidu")
    crew = [
        Inspector.objects.create(
            name=f"检查员{n}",
            org_unit=unit,
            certificate_no=f"T{n}",
            certificate_valid_until=date(2030, 1, 1),
            user=user if n == 1 else None,
        )
        for n in (1, 2)
    ]
    services.create_inspection(
        enterprise=assigned,
        kind=InspectionRecord.Kind.RANDOM_CHECK,
        org_unit=unit,
        inspectors=crew,
        template_version=services.current_template("random_check_003"),
        due_date=date(2026, 12, 31),
    )
    client.force_login(user)
    assert client.get(f"/registry/enterprises/{assigned.pk}/").status_code == 200
    assert client.get(f"/registry/enterprises/{other.pk}/").status_code == 404
    assert [e.pk for e in enterprise_list(user, EnterpriseFilter()).rows] == [assigned.pk]


def _new_enterprise_data(code):
    from postlicense.core.models import OrgUnit

    return {
        "name": "魏都重复企业有限公司",
        "credit_code": code,
        "legal_representative": "王五",
        "address": "魏都区某路1号",
        "region": "411002",
        "supervising_unit": OrgUnit.objects.get(code="xuchang-weidu").pk,
        "product_category": "1",
        "production_scale": "small",
        "status": "producing",
        "risk_level": "low",
        "supervision_class": "A",
    }


def test_a_taken_credit_code_links_to_the_enterprise_in_the_users_scope(client, make_user, make_enterprise):
    """Issue 10 §7: the duplicate message names and links the enterprise already registered (double submit too)."""
    holder = make_enterprise("xuchang-weidu", name="魏都已登记水泥有限公司")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    response = client.post("/registry/enterprises/new/", _new_enterprise_data(holder.credit_code.lower()))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'该统一社会信用代码已登记为<a href="{holder.get_absolute_url()}">魏都已登记水泥有限公司</a>' in page
    assert "魏都重复企业有限公司" in page and Enterprise.objects.count() == 1
    api = client.post(
        "/api/v1/enterprises/",
        {
            **_new_enterprise_data(holder.credit_code),
            "supervising_unit": "魏都区市场监督管理局",
            "product_category": "水泥",
        },
        content_type="application/json",
    )
    assert api.status_code == 400 and "魏都已登记水泥有限公司" in api.json()["credit_code"][0]
    # Editing the holder itself keeps its own code.
    edit_url = f"/registry/enterprises/{holder.pk}/edit/"
    version = client.get(edit_url).context["form"]["version"].value()
    edit = client.post(edit_url, {**_new_enterprise_data(holder.credit_code), "name": holder.name, "version": version})
    assert edit.status_code == 302


def test_a_taken_credit_code_outside_the_scope_reveals_nothing_about_its_holder(client, make_user, make_enterprise):
    holder = make_enterprise("xuchang-changge", name="长葛保密电缆有限公司", category="电线电缆")
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    response = client.post("/registry/enterprises/new/", _new_enterprise_data(holder.credit_code))
    page = response.content.decode()
    assert "已登记在其他辖区的企业名下" in page
    assert "长葛保密电缆" not in page and holder.get_absolute_url() not in page
    api = client.post(
        "/api/v1/enterprises/",
        {
            **_new_enterprise_data(holder.credit_code),
            "supervising_unit": "魏都区市场监督管理局",
            "product_category": "水泥",
        },
        content_type="application/json",
    )
    assert (
        api.status_code == 400
        and "其他辖区" in api.json()["credit_code"][0]
        and "长葛保密电缆" not in api.content.decode()
    )
    assert Enterprise.objects.count() == 1


def _saved_name(response):
    """The name a browser saves the download under: RFC 6266 filename* (RFC 5987 UTF-8), with the ASCII fallback."""
    import re
    from urllib.parse import unquote

    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    fallback = re.search(r'filename="([^"]*)"', header).group(1)
    assert fallback.isascii() and fallback.endswith(".xlsx"), header
    encoded = re.search(r"filename\*=UTF-8''(\S+)", header).group(1)
    assert encoded.isascii(), header  # raw UTF-8 in the header is what made browsers drop the name
    return unquote(encoded)


def test_downloads_are_saved_under_their_chinese_names(client, make_user, make_enterprise):
    """Issue 10 §8: enterprise export, inspector export and both import templates (RFC 6266 filename*)."""
    make_enterprise()
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    day = f"{timezone.localdate():%Y%m%d}"
    assert _saved_name(client.get("/registry/enterprises/export.xlsx")) == f"获证企业名录-{day}.xlsx"
    assert _saved_name(client.get("/inspectors/export.xlsx")) == f"执法检查人员名录-{day}.xlsx"
    assert _saved_name(client.get("/registry/import/enterprises/template.xlsx")) == "获证企业及许可证导入模板.xlsx"
    assert _saved_name(client.get("/registry/import/inspectors/template.xlsx")) == "执法检查人员导入模板.xlsx"


STAFF_URLS = [
    "/registry/enterprises/export.xlsx",
    "/registry/enterprises/new/",
    "/registry/enterprises/{e}/edit/",
    "/registry/enterprises/{e}/licenses/new/",
    "/registry/enterprises/{e}/licenses/{lic}/",
    "/registry/enterprises/{e}/equipment/new/",
    "/registry/enterprises/{e}/equipment/{eq}/",
    "/registry/import/enterprises/",
    "/registry/import/inspectors/",
    "/registry/import/enterprises/template.xlsx",
    "/registry/import/inspectors/template.xlsx",
    "/registry/import-jobs/{job}/",
    "/inspectors/",
    "/inspectors/export.xlsx",
    "/inspectors/new/",
    "/inspectors/{i}/",
    "/inspectors/{i}/edit/",
]


@pytest.mark.parametrize("role", [User.Role.ENTERPRISE, User.Role.INSPECTOR])
def test_enterprise_and_inspector_users_get_403_on_every_staff_page(
    client, make_user, make_enterprise, make_license, role
):
    """Issue 10 §8: /inspectors/ showed an enterprise user an (empty) staff list; every staff URL is now a 403."""
    from datetime import date

    from postlicense.core.jobs.models import Job
    from postlicense.core.models import OrgUnit
    from postlicense.inspectors.models import Inspector
    from postlicense.registry.models import KeyEquipment

    own = make_enterprise()
    user = make_user(role, None if role == User.Role.ENTERPRISE else "xuchang-weidu")
    if role == User.Role.ENTERPRISE:
        EnterpriseAccount.objects.create(user=user, enterprise=own)
    ids = {
        "e": own.pk,
        "lic": make_license(own, "豫XK08-001-00077").pk,
        "eq": KeyEquipment.objects.create(enterprise=own, kind="production", name="回转窑").pk,
        "i": Inspector.objects.create(
            name="检查员",
            org_unit=OrgUnit.objects.get(code="xuchang-weidu"),
            certificate_no="T1",
            certificate_valid_until=date(2030, 1, 1),
            user=user if role == User.Role.INSPECTOR else None,
        ).pk,
        "job": Job.objects.create(
            kind=Job.Kind.IMPORT_ENTERPRISES, filename="a.xlsx", created_by=make_user(User.Role.CITY_ADMIN, "xuchang")
        ).pk,
    }
    client.force_login(user)
    for url in STAFF_URLS:
        url = url.format(**ids)
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "改"}).status_code == 403, url
    page = client.get("/registry/enterprises/").content.decode()
    assert "export.xlsx" not in page and "/registry/import/" not in page


def test_no_none_true_or_false_on_any_register_or_inspector_page(client, make_user, make_enterprise, make_license):
    """Issue 10 §8: empty optional values (no phone, no calibration date, no certificate start, no login) read as
    "—" or a word, never as Python's None/True/False."""
    import re

    from postlicense.core.jobs.models import Job
    from postlicense.core.models import OrgUnit
    from postlicense.inspectors.models import Inspector
    from postlicense.registry.models import KeyEquipment

    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    bare = make_enterprise()
    lic = make_license(bare, "豫XK08-001-00078")
    equipment = KeyEquipment.objects.create(enterprise=bare, kind="inspection", name="压力试验机")
    inspector = Inspector.objects.create(
        name="检查员",
        org_unit=OrgUnit.objects.get(code="xuchang-weidu"),
        certificate_no="T9",
        certificate_valid_until=timezone.localdate(),
    )
    done = Job.objects.create(
        kind=Job.Kind.IMPORT_ENTERPRISES,
        filename="a.xlsx",
        created_by=admin,
        status="done",
        total=1,
        processed=1,
        result={"created": 1, "updated": 0},
    )
    invalid = Job.objects.create(
        kind=Job.Kind.IMPORT_INSPECTORS,
        filename="b.xlsx",
        created_by=admin,
        status="invalid",
        errors=[{"row": 0, "column": "", "message": "文件是空的"}],
    )
    client.force_login(admin)
    client.post(
        f"/registry/enterprises/{bare.pk}/edit/",
        {
            **_new_enterprise_data(bare.credit_code),
            "name": bare.name,
            "region": bare.region_id,
            "supervising_unit": bare.supervising_unit_id,
        },
    )
    urls = [
        "/registry/enterprises/",
        f"/registry/enterprises/{bare.pk}/",
        f"/registry/enterprises/{bare.pk}/edit/",
        "/registry/enterprises/new/",
        f"/registry/enterprises/{bare.pk}/licenses/{lic.pk}/",
        f"/registry/enterprises/{bare.pk}/licenses/new/",
        f"/registry/enterprises/{bare.pk}/equipment/{equipment.pk}/",
        f"/registry/enterprises/{bare.pk}/equipment/new/",
        "/registry/import/enterprises/",
        "/registry/import/inspectors/",
        f"/registry/import-jobs/{done.pk}/",
        f"/registry/import-jobs/{invalid.pk}/",
        "/inspectors/",
        f"/inspectors/{inspector.pk}/",
        f"/inspectors/{inspector.pk}/edit/",
        "/inspectors/new/",
        f"/core/history/registry.enterprise/{bare.pk}/",
        f"/core/history/inspectors.inspector/{inspector.pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not re.search(r"\b(None|True|False)\b", response.content.decode()), url


def test_ui_text_cites_regulations_by_short_name_not_seed_number():
    """DESIGN "Documents named in the UI": never "001 三" or "003 二(二)" (ProductCategory.is_focus said so)."""
    import re
    from pathlib import Path

    from django.apps import apps

    from postlicense.inspectors import importing as inspector_importing
    from postlicense.registry import importing

    seed_number = re.compile(r"(?<![\d-])00[0-4]\s*(第|[一二三四五六七八九十]|[(（])")
    texts = [
        str(text)
        for config in ("registry", "inspectors")
        for model in apps.get_app_config(config).get_models()
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name")
        for text in (
            field.verbose_name,
            getattr(field, "help_text", ""),
            *(label for _, label in getattr(field, "choices", None) or []),
        )
    ]
    texts += [c.note for module in (importing, inspector_importing) for c in module.COLUMNS]
    for app in ("registry", "inspectors"):
        texts += [path.read_text() for path in (Path(apps.get_app_config(app).path) / "templates").rglob("*.html")]
    assert "总局后续监管意见 三、许昌双随机实施方案 三 所列重点行业" in texts
    assert not [text for text in texts if seed_number.search(text)]
