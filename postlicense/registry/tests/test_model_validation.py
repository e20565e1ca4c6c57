"""Issue 10 §7: the credit code (GB 32100-2015), license number (docs/license-number.md) and phone (registry/phone.py)
rules live on the model fields, so every way in — the register's pages, Django admin, the API and the .xlsx
import — refuses a wrong value with the same Chinese message, saves nothing, and stores one spelling."""

import re

import pytest
from django.core.exceptions import ValidationError

from postlicense.core.models import OrgUnit, User
from postlicense.registry import importing
from postlicense.registry.credit_code import ALPHABET, make_credit_code, validate_credit_code
from postlicense.registry.license_number import validate_license_number
from postlicense.registry.models import Enterprise, License, ProductCategory
from postlicense.registry.phone import validate_phone
from postlicense.registry.xlsx import open_rows

from .conftest import good_row, xlsx_bytes

GOOD_CODE = make_credit_code("411002", 4321)
BAD_CODE = GOOD_CODE[:17] + next(c for c in ALPHABET if c != GOOD_CODE[17])  # wrong GB 32100 check character
BAD_NUMBER = "豫XK08-01-00001"  # 产品编号 of two digits
BAD_PHONE = "6123456"  # fixed line without area code


def message_of(rule, value):
    with pytest.raises(ValidationError) as caught:
        rule(value)
    return caught.value.messages[0]


CODE_MESSAGE = message_of(validate_credit_code, BAD_CODE)
NUMBER_MESSAGE = message_of(validate_license_number, BAD_NUMBER)
PHONE_MESSAGE = message_of(validate_phone, BAD_PHONE)


@pytest.fixture
def staff(make_user):
    return make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")


def enterprise_data(**overrides):
    return {
        "name": "魏都新企业有限公司",
        "credit_code": GOOD_CODE,
        "legal_representative": "王五",
        "address": "魏都区某路1号",
        "region": "411002",
        "supervising_unit": OrgUnit.objects.get(code="xuchang-weidu").pk,
        "product_category": ProductCategory.objects.get(name="水泥").pk,
        "production_scale": "small",
        "status": "producing",
        "risk_level": "low",
        "supervision_class": "A",
        **overrides,
    }


def license_data(enterprise, **overrides):
    return {
        "number": "豫XK08-001-00042",
        "enterprise": enterprise.pk,
        "product_category": enterprise.product_category_id,
        "issue_date": "2024-05-01",
        "expiry_date": "2029-04-30",
        "issuing_authority": "河南省市场监督管理局",
        "status": "valid",
        **overrides,
    }


def api_enterprise(**overrides):
    data = enterprise_data(**overrides)
    return {
        **data,
        "supervising_unit": OrgUnit.objects.get(pk=data["supervising_unit"]).name,
        "product_category": "水泥",
    }


# --- the model fields themselves ---------------------------------------------------------------------------------


def test_model_fields_fold_and_check_gb32100_license_number_and_phone():
    """full_clean (what forms and admin call) folds what was typed and applies each rule's validator."""
    code, number, phone = (
        Enterprise._meta.get_field("credit_code"),
        License._meta.get_field("number"),
        Enterprise._meta.get_field("phone"),
    )
    assert code.clean(" " + GOOD_CODE.lower().replace("9", "９") + " ", None) == GOOD_CODE
    assert number.clean("(豫)XK08 001 00042", None) == "豫XK08-001-00042"
    assert phone.clean("（0374）6123456", None) == "0374-6123456"
    for field, bad, message in (
        (code, BAD_CODE, CODE_MESSAGE),
        (number, BAD_NUMBER, NUMBER_MESSAGE),
        (phone, BAD_PHONE, PHONE_MESSAGE),
    ):
        with pytest.raises(ValidationError) as caught:
            field.clean(bad, None)
        assert caught.value.messages == [message]  # the rule's message alone, no generic max-length one


def test_a_pasted_code_with_spaces_is_not_cut_by_a_maxlength():
    """The browser would truncate at maxlength="18" before the spaces are folded away."""
    from postlicense.registry.forms import EnterpriseForm

    assert "maxlength" not in str(EnterpriseForm(user=User(role=User.Role.CITY_ADMIN))["credit_code"])


# --- web forms ---------------------------------------------------------------------------------------------------


def test_web_form_refuses_a_wrong_credit_code_and_phone_and_keeps_the_input(client, staff):
    client.force_login(staff)
    response = client.post("/registry/enterprises/new/", enterprise_data(credit_code=BAD_CODE, phone=BAD_PHONE))
    page = response.content.decode()
    assert response.status_code == 200 and CODE_MESSAGE in page and PHONE_MESSAGE in page
    assert "魏都新企业有限公司" in page and not Enterprise.objects.exists()


def test_web_form_stores_the_canonical_spellings(client, staff):
    client.force_login(staff)
    response = client.post(
        "/registry/enterprises/new/", enterprise_data(credit_code=GOOD_CODE.lower(), phone="0374 6123456")
    )
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302 and (enterprise.credit_code, enterprise.phone) == (GOOD_CODE, "0374-6123456")


def test_web_license_form_refuses_a_wrong_number(client, staff, make_enterprise):
    enterprise = make_enterprise()
    client.force_login(staff)
    response = client.post(
        f"/registry/enterprises/{enterprise.pk}/licenses/new/", license_data(enterprise, number=BAD_NUMBER)
    )
    assert response.status_code == 200 and NUMBER_MESSAGE in response.content.decode()
    assert not License.objects.exists()


def test_inspector_form_refuses_a_wrong_phone(client, staff):
    client.force_login(staff)
    response = client.post(
        "/inspectors/new/",
        {
            "name": "张伟",
            "org_unit": OrgUnit.objects.get(code="xuchang-weidu").pk,
            "phone": BAD_PHONE,
            "certificate_no": "41100000999",
            "certificate_valid_until": "2030-01-01",
            "active": "on",
        },
    )
    assert response.status_code == 200 and PHONE_MESSAGE in response.content.decode()


# --- Django admin ------------------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, None, is_superuser=True, is_staff=True))
    return client


def test_admin_refuses_a_wrong_credit_code_and_phone(superuser_client):
    data = {
        **enterprise_data(credit_code=BAD_CODE, phone=BAD_PHONE),
        "production_address": "",
        "contact": "",
        "products": "",
        "notes": "",
    }
    response = superuser_client.post("/admin/registry/enterprise/add/", data)
    page = response.content.decode()
    assert response.status_code == 200 and CODE_MESSAGE in page and PHONE_MESSAGE in page
    assert not Enterprise.objects.exists()
    superuser_client.post("/admin/registry/enterprise/add/", {**data, "credit_code": GOOD_CODE.lower(), "phone": ""})
    assert Enterprise.objects.get().credit_code == GOOD_CODE


def test_admin_refuses_a_wrong_license_number(superuser_client, make_enterprise):
    enterprise = make_enterprise()
    response = superuser_client.post("/admin/registry/license/add/", license_data(enterprise, number=BAD_NUMBER))
    assert response.status_code == 200 and NUMBER_MESSAGE in response.content.decode()
    assert not License.objects.exists()


def test_admin_refuses_a_wrong_inspector_phone(superuser_client):
    response = superuser_client.post(
        "/admin/inspectors/inspector/add/",
        {
            "name": "张伟",
            "org_unit": OrgUnit.objects.get(code="xuchang-weidu").pk,
            "phone": BAD_PHONE,
            "certificate_no": "41100000999",
            "certificate_valid_until": "2030-01-01",
            "active": "on",
        },
    )
    assert response.status_code == 200 and PHONE_MESSAGE in response.content.decode()


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_post_refuses_a_wrong_credit_code_and_phone(client, staff):
    client.force_login(staff)
    response = client.post(
        "/api/v1/enterprises/", api_enterprise(credit_code=BAD_CODE, phone=BAD_PHONE), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["credit_code"] == [CODE_MESSAGE] and response.json()["phone"] == [PHONE_MESSAGE]
    assert not Enterprise.objects.exists()


def test_api_post_creates_with_canonical_spellings_then_put_refuses_a_wrong_code(client, staff):
    client.force_login(staff)
    created = client.post(
        "/api/v1/enterprises/",
        api_enterprise(credit_code=f" {GOOD_CODE.lower()} ", phone="138-1234-5678"),
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["credit_code"], created.json()["phone"]) == (GOOD_CODE, "13812345678")
    url = f"/api/v1/enterprises/{created.json()['id']}/"
    response = client.put(url, api_enterprise(credit_code=BAD_CODE), content_type="application/json")
    assert response.status_code == 400 and response.json()["credit_code"] == [CODE_MESSAGE]
    assert Enterprise.objects.get().credit_code == GOOD_CODE
    version = created.json()["version"]
    renamed = client.put(url, api_enterprise(name="魏都改名有限公司", version=version), content_type="application/json")
    assert renamed.status_code == 200 and Enterprise.objects.get().name == "魏都改名有限公司"


def test_api_license_post_and_put_refuse_a_wrong_number(client, staff, make_enterprise, make_license):
    enterprise = make_enterprise()
    client.force_login(staff)
    data = {**license_data(enterprise), "product_category": "水泥"}
    response = client.post("/api/v1/licenses/", {**data, "number": BAD_NUMBER}, content_type="application/json")
    assert response.status_code == 400 and response.json()["number"] == [NUMBER_MESSAGE]
    created = client.post(
        "/api/v1/licenses/", {**data, "number": "(豫)XK08-001-00042"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["number"] == "豫XK08-001-00042"
    url = f"/api/v1/licenses/{created.json()['id']}/"
    response = client.put(url, {**data, "number": BAD_NUMBER}, content_type="application/json")
    assert response.status_code == 400 and response.json()["number"] == [NUMBER_MESSAGE]
    backwards = client.patch(url, {"expiry_date": "2020-01-01"}, content_type="application/json")
    assert backwards.status_code == 400 and backwards.json()["expiry_date"] == ["有效期至须晚于发证日期。"]
    assert License.objects.get().number == "豫XK08-001-00042"


def test_api_writes_stay_inside_the_jurisdiction_and_are_for_bureau_staff(client, make_user, make_enterprise):
    other = make_enterprise("xuchang-changge")
    weidu = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    client.force_login(weidu)
    outside = client.post("/api/v1/enterprises/", api_enterprise(region="411082"), content_type="application/json")
    assert outside.status_code == 400 and "region" in outside.json()
    assert (
        client.put(f"/api/v1/enterprises/{other.pk}/", api_enterprise(), content_type="application/json").status_code
        == 404
    )
    changge = OrgUnit.objects.get(code="xuchang-changge").name
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    wrong_unit = client.post(
        "/api/v1/enterprises/", {**api_enterprise(), "supervising_unit": changge}, content_type="application/json"
    )
    assert wrong_unit.status_code == 400 and wrong_unit.json()["supervising_unit"] == [f"{changge}不负责魏都区。"]
    inspector = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    client.force_login(inspector)
    refused = client.post("/api/v1/enterprises/", api_enterprise(), content_type="application/json")
    assert refused.status_code == 403 and "只有市局、县局/分局人员" in refused.json()["detail"]
    assert Enterprise.objects.count() == 1


# --- import ------------------------------------------------------------------------------------------------------


def test_import_rows_get_the_same_messages(make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    rows = [good_row(1, 统一社会信用代码=BAD_CODE), good_row(2, 许可证编号=BAD_NUMBER), good_row(3, 联系电话=BAD_PHONE)]
    _, errors = importing.validate(open_rows(xlsx_bytes(rows), importing.COLUMNS)[1], admin)
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "统一社会信用代码", CODE_MESSAGE),
        (3, "许可证编号", NUMBER_MESSAGE),
        (4, "联系电话", PHONE_MESSAGE),
    ]


def test_import_stores_the_canonical_spellings(make_user):
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    row = good_row(1, 联系电话="0374 6123456", 许可证编号="(豫)XK08-001-00001")
    row["统一社会信用代码"] = row["统一社会信用代码"].lower()
    valid, errors = importing.validate(open_rows(xlsx_bytes([row]), importing.COLUMNS)[1], admin)
    assert errors == []
    importing.apply(valid)
    enterprise = Enterprise.objects.get()
    assert enterprise.credit_code == row["统一社会信用代码"].upper() and enterprise.phone == "0374-6123456"
    assert enterprise.licenses.get().number == "豫XK08-001-00001"


def test_inspector_import_row_gets_the_phone_message(make_user):
    from postlicense.inspectors import importing as inspector_importing

    headers = [c.header for c in inspector_importing.COLUMNS]
    row = {
        "姓名": "张伟",
        "所在单位": "长葛市市场监督管理局",
        "联系电话": BAD_PHONE,
        "执法证号": "41100000123",
        "执法证有效期至": "2029-12-31",
    }
    _, errors = inspector_importing.validate(
        open_rows(xlsx_bytes([row], headers), inspector_importing.COLUMNS)[1],
        make_user(User.Role.CITY_ADMIN, "xuchang"),
    )
    assert [(e.row, e.column, e.message) for e in errors] == [(2, "联系电话", PHONE_MESSAGE)]


# --- demo data and the import templates pass the rules ---------------------------------------------------------------


def test_demo_data_and_import_templates_pass_every_field_rule(make_user):
    from django.apps import apps

    from postlicense.inspectors import importing as inspector_importing
    from postlicense.inspectors.models import Inspector

    out = open("/dev/null", "w")
    apps.get_app_config("registry").load_demo(out)
    apps.get_app_config("inspectors").load_demo(out)
    assert Enterprise.objects.count() > 500 and Inspector.objects.count() > 50
    for model in (Enterprise, License, Inspector):
        for obj in model.objects.all():
            obj.clean_fields(
                exclude={f.name for f in model._meta.fields if f.name not in {"credit_code", "number", "phone"}}
            )
    admin = make_user(User.Role.CITY_ADMIN, "xuchang")
    for module in (importing, inspector_importing):
        headers = [c.header for c in module.COLUMNS]
        rows = [dict(zip(headers, row)) for row in module.TEMPLATE_EXAMPLE]
        assert module.validate(open_rows(xlsx_bytes(rows, headers), module.COLUMNS)[1], admin)[1] == []


def test_api_hostile_writes_are_refused_in_chinese_and_save_nothing(client, staff, make_enterprise, make_license):
    """Double submit, wrong values and an edited enterprise id: a Chinese 400 at the field, nothing written."""
    other_county = make_enterprise("xuchang-changge")
    own = make_enterprise()
    lic = make_license(own, "豫XK08-001-00042")
    client.force_login(staff)
    first = client.post("/api/v1/enterprises/", api_enterprise(), content_type="application/json")
    again = client.post("/api/v1/enterprises/", api_enterprise(), content_type="application/json")
    assert first.status_code == 201 and again.status_code == 400 and "请勿重复建档" in again.json()["credit_code"][0]
    wrong = client.post(
        "/api/v1/enterprises/",
        {
            **api_enterprise(
                credit_code=make_credit_code("411002", 9), region="abc", risk_level="extreme", is_focus="也许"
            ),
            "product_category": "月饼",
        },
        content_type="application/json",
    )
    assert wrong.status_code == 400 and set(wrong.json()) == {"region", "product_category", "risk_level", "is_focus"}
    assert all(re.search("[\u4e00-\u9fff]", messages[0]) for messages in wrong.json().values()), wrong.json()
    moved = client.patch(
        f"/api/v1/licenses/{lic.pk}/", {"enterprise": other_county.pk}, content_type="application/json"
    )
    assert moved.status_code == 400 and "enterprise" in moved.json()
    duplicate = client.post(
        "/api/v1/licenses/",
        {**license_data(own), "product_category": "水泥", "number": "(豫)XK08-001-00042"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and duplicate.json()["number"] == ["该许可证编号已登记。"]
    assert Enterprise.objects.count() == 3 and License.objects.get().enterprise == own
