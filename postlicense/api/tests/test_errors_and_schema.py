"""The API's errors are Chinese, in the shapes the schema documents; the schema and its docs are for bureau staff
(issue 11 item 10)."""

import jsonschema
import pytest

from postlicense.core.models import User

SCHEMA, DOCS = "/api/v1/schema/?format=json", "/api/v1/docs/"


@pytest.fixture
def openapi(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    return client.get(SCHEMA).json()


def conforms(openapi, body, component):
    jsonschema.validate(body, {**openapi, "$ref": f"#/components/schemas/{component}"})


@pytest.mark.parametrize("role", [None, User.Role.INSPECTOR, User.Role.ENTERPRISE])
def test_schema_and_docs_need_a_bureau_staff_login(client, make_user, role):
    if role:
        client.force_login(make_user(role, "xuchang-weidu"))
    for url in (SCHEMA, DOCS):
        response = client.get(url)
        assert response.status_code == 403 and "paths" not in response.content.decode()


def test_schema_and_docs_open_for_bureau_staff(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    assert client.get(SCHEMA).status_code == 200 and client.get(DOCS).status_code == 200


def test_every_operation_documents_its_error_responses(openapi):
    """400 where a parameter or body can be wrong, 403 where a login is needed, 404 for a record's address, 409 for
    a stale write; the schema endpoint itself is not an operation of the API."""
    operations = {
        (method.upper(), path): set(op["responses"])
        for path, ops in openapi["paths"].items()
        for method, op in ops.items()
    }
    assert operations == {
        ("GET", "/api/v1/calendar/add-working-days"): {"200", "400"},
        ("GET", "/api/v1/enterprises/"): {"200", "400", "403"},
        ("POST", "/api/v1/enterprises/"): {"201", "400", "403"},
        ("GET", "/api/v1/enterprises/{id}/"): {"200", "403", "404"},
        ("PUT", "/api/v1/enterprises/{id}/"): {"200", "400", "403", "404", "409"},
        ("PATCH", "/api/v1/enterprises/{id}/"): {"200", "400", "403", "404", "409"},
        ("GET", "/api/v1/licenses/"): {"200", "400", "403"},
        ("POST", "/api/v1/licenses/"): {"201", "400", "403"},
        ("GET", "/api/v1/licenses/{id}/"): {"200", "403", "404"},
        ("PUT", "/api/v1/licenses/{id}/"): {"200", "400", "403", "404", "409"},
        ("PATCH", "/api/v1/licenses/{id}/"): {"200", "400", "403", "404", "409"},
        ("GET", "/api/v1/tests/"): {"200", "400", "403"},
        ("GET", "/api/v1/tests/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/complaints/"): {"200", "400", "403"},
        ("GET", "/api/v1/notices/"): {"200", "400", "403"},
        ("GET", "/api/v1/rectification-orders/"): {"200", "400", "403"},
        ("GET", "/api/v1/rectification-orders/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/revisits/"): {"200", "400", "403"},
        ("GET", "/api/v1/revisits/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/followup/decisions/"): {"200", "400", "403"},
        ("GET", "/api/v1/followup/decisions/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/followup/interviews/"): {"200", "400", "403"},
        ("GET", "/api/v1/followup/interviews/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/followup/cases/"): {"200", "400", "403"},
        ("GET", "/api/v1/followup/cases/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/reports/{kind}/"): {"200", "400", "403", "404"},
        ("GET", "/api/v1/reports/{kind}/submissions/"): {"200", "400", "403", "404"},
        ("GET", "/api/v1/plans/"): {"200", "400", "403"},
        ("GET", "/api/v1/plans/{id}/entries/"): {"200", "400", "403", "404"},
        ("GET", "/api/v1/rechecks/"): {"200", "400", "403"},
        ("GET", "/api/v1/campaigns/"): {"200", "400", "403"},
        ("GET", "/api/v1/self-reports/"): {"200", "400", "403"},
        ("GET", "/api/v1/self-reports/{id}/"): {"200", "403", "404"},
        ("GET", "/api/v1/enterprise-feedback/"): {"200", "400", "403"},
        ("GET", "/api/v1/enterprise-feedback/{id}/"): {"200", "403", "404"},
    }
    params = {p["name"]: p["schema"] for p in openapi["paths"]["/api/v1/enterprises/"]["get"]["parameters"]}
    assert params["supervision_class"]["enum"] == ["A", "B", "C", "D", ""] and params["focus"]["type"] == "boolean"


def test_error_bodies_are_chinese_and_shaped_as_documented(client, make_user, make_enterprise, openapi):
    foreign = make_enterprise("xuchang-changge")
    own = make_enterprise()
    url = f"/api/v1/enterprises/{own.pk}/"
    cases = [
        (client.get(f"/api/v1/enterprises/{foreign.pk}/"), 404, "Error", "记录不存在，或不在您的辖区内。"),
        (client.get("/api/v1/enterprises/99999999/"), 404, "Error", "记录不存在，或不在您的辖区内。"),
        (client.get("/api/v1/licenses/null,null/"), 404, "Error", "接口地址不存在。"),
        (client.delete(url), 405, "Error", "方法 “DELETE” 不被允许。"),
        (client.patch(url, "{", content_type="application/json"), 400, "FieldErrors", "请求内容不是有效的 JSON。"),
        (client.get("/api/v1/licenses/", {"expiry": "x"}), 400, "FieldErrors", None),
        (client.patch(url, {"phone": "1"}, content_type="application/json"), 400, "FieldErrors", None),
    ]
    stale = client.patch(url, {"phone": "13812345678", "version": "old"}, content_type="application/json")
    cases.append((stale, 409, "StaleWrite", None))
    client.logout()
    cases.append((client.get("/api/v1/enterprises/"), 403, "Error", "身份认证信息未提供。"))
    for response, status, component, detail in cases:
        body = response.json()
        assert response.status_code == status, body
        conforms(openapi, body, component)
        if detail:
            assert body == {"detail": detail}
        text = str(body)
        assert "matches the given query" not in text and "parse error" not in text


def test_an_unknown_address_under_the_api_is_a_json_404(client):
    response = client.post("/api/v1/no-such-thing/", {})
    assert response.status_code == 404 and response.json() == {"detail": "接口地址不存在。"}


@pytest.mark.parametrize(
    "body",
    [
        '{"product_category": "水\\u0000泥"}',  # a related field's lookup took NUL to PostgreSQL: a 500 there
        '{"name": "x", "\\udb2e": 1}',  # a lone surrogate, in a key
        '{"licenses": [{"number": "\\ud800"}]}',
    ],
)
def test_text_a_database_cannot_store_is_a_400_before_any_field_reads_it(client, make_user, openapi, body):
    """schemathesis found POST /api/v1/licenses/ answering 500 on PostgreSQL ("text fields cannot contain NUL")."""
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    for url in ("/api/v1/licenses/", "/api/v1/enterprises/"):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content
        conforms(openapi, response.json(), "FieldErrors")
        assert response.json() == {"detail": "请求内容含有不能保存的字符：空字符（\\x00）或不成对的 UTF-16 代理字符。"}
