"""The register's API (issue 11 item 10, item 3's API write): filter parameters validated with Chinese 400s, and
PUT/PATCH refused when stale."""

import pytest

from postlicense.core.models import User
from postlicense.registry.models import Enterprise

ENTERPRISES, LICENSES = "/api/v1/enterprises/", "/api/v1/licenses/"


@pytest.fixture
def admin(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    return client


# --- 1. filter parameters ---------------------------------------------------------------------------------------


def test_supervision_class_aaa_is_a_400_naming_the_parameter_and_the_allowed_values(admin, make_enterprise):
    """It returned 200 with the filter ignored: the whole register instead of nothing."""
    make_enterprise(supervision_class="A")
    response = admin.get(ENTERPRISES, {"supervision_class": "AAA"})
    assert response.status_code == 400
    assert response.json() == {
        "supervision_class": [
            "监管分类（supervision_class）只能是 A（A类）、B（B类）、C（C类）、D（D类） 之一，收到的是“AAA”。"
        ]
    }


def test_valid_filter_values_still_filter(admin, make_enterprise, make_license):
    a = make_enterprise(supervision_class="A", is_focus=True)
    b = make_enterprise("xuchang-changge", supervision_class="B")
    make_license(b, "豫XK08-001-00007")

    def ids(url, **params):
        return [row["id"] for row in admin.get(url, params).json()["results"]]

    assert ids(ENTERPRISES, supervision_class="A") == [a.pk]
    assert ids(ENTERPRISES, supervision_class="") == [b.pk, a.pk]
    assert ids(ENTERPRISES, focus="true") == [a.pk]
    assert ids(ENTERPRISES, region="411082") == [b.pk]
    assert ids(ENTERPRISES, category=b.product_category_id, status="producing") == [b.pk, a.pk]
    assert [row["enterprise"] for row in admin.get(LICENSES, {"enterprise": b.pk}).json()["results"]] == [b.pk]
    assert admin.get(LICENSES, {"enterprise": a.pk}).json()["results"] == []
    # Well-formed but nothing there (another city's county, an unknown category): an empty list, as the schema says.
    assert ids(ENTERPRISES, region="410102") == [] and ids(ENTERPRISES, category=99999) == []


@pytest.mark.parametrize(
    "url, param, value, says",
    [
        (ENTERPRISES, "risk_level", "extreme", "风险等级（risk_level）只能是 low（低风险）、medium（中风险）"),
        (ENTERPRISES, "status", "closed", "生产状态（status）只能是 producing（在产）"),
        (ENTERPRISES, "expiry", "soon", "许可证（expiry）只能是 expiring（90天内到期）、expired（已过期） 之一"),
        (ENTERPRISES, "focus", "maybe", "仅重点企业（focus）只能是 true 或 false，收到的是“maybe”。"),
        (ENTERPRISES, "focus", "", "仅重点企业（focus）只能是 true 或 false，收到的是“”。"),
        (ENTERPRISES, "license_number", "\x00", "许可证编号（license_number）不能包含空字符"),
        (ENTERPRISES, "category", "abc", "产品类别（category）应为正整数编号，收到的是“abc”。"),
        (ENTERPRISES, "category", "0", "产品类别（category）应为正整数编号，收到的是“0”。"),
        (ENTERPRISES, "category", "99999999999999999999", "产品类别（category）应为正整数编号"),
        (ENTERPRISES, "region", "4110", "区县（region）应为6位区划代码，如 411082。"),
        (ENTERPRISES, "q", "水泥\x00", "名称/拼音首字母/信用代码（q）不能包含空字符"),
        (ENTERPRISES, "cursor", "not-a-cursor", "翻页游标（cursor）无效"),
        (LICENSES, "enterprise", "-1", "获证企业（enterprise）应为正整数编号，收到的是“-1”。"),
        (LICENSES, "enterprise", "", "获证企业（enterprise）应为正整数编号，收到的是“”。"),
        (
            LICENSES,
            "expiry",
            "1",
            "到期情况（expiry）只能是 expiring（90天内到期）、expired（已过期） 之一，收到的是“1”。",
        ),
        (LICENSES, "cursor", "abc", "翻页游标（cursor）无效"),
    ],
)
def test_every_filter_parameter_refuses_a_wrong_value_in_chinese(admin, url, param, value, says):
    response = admin.get(url, {param: value})
    assert response.status_code == 400 and list(response.json()) == [param]
    assert says in response.json()[param][0]


# --- 3. stale writes (issue 11 item 3, API write) ------------------------------------------------------------------


def test_a_stale_put_is_refused_with_409_listing_what_the_other_person_changed(admin, make_enterprise):
    """A reads, B renames and saves, A saves another name: 409, A's name not written, B's change named."""
    enterprise = make_enterprise(name="魏都原名有限公司")
    url = f"{ENTERPRISES}{enterprise.pk}/"
    loaded = admin.get(url).json()
    theirs = admin.patch(
        url, {"name": "魏都乙改名有限公司", "version": loaded["version"]}, content_type="application/json"
    )
    assert theirs.status_code == 200

    mine = {**loaded, "name": "魏都甲改名有限公司"}
    refused = admin.put(url, mine, content_type="application/json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["conflicts"] == [{"label": "企业名称", "theirs": "魏都乙改名有限公司", "yours": "魏都甲改名有限公司"}]
    assert "保存未成功" in body["detail"] and "企业名称：魏都乙改名有限公司 → 魏都甲改名有限公司" in body["detail"]
    assert Enterprise.objects.get().name == "魏都乙改名有限公司"

    again = admin.put(url, {**mine, "version": body["version"]}, content_type="application/json")
    assert again.status_code == 200 and Enterprise.objects.get().name == "魏都甲改名有限公司"


def test_a_stale_license_patch_is_refused_too(admin, make_enterprise, make_license):
    lic = make_license(make_enterprise(), "豫XK08-001-00011")
    url = f"{LICENSES}{lic.pk}/"
    version = admin.get(url).json()["version"]
    # (the status is not writable: a license's status changes only through a recorded decision, followup)
    first = {"issuing_authority": "河南省市场监督管理局（甲）", "version": version}
    assert admin.patch(url, first, content_type="application/json").status_code == 200
    second = {"issuing_authority": "河南省市场监督管理局（乙）", "version": version}
    refused = admin.patch(url, second, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["conflicts"] == [
        {"label": "发证机关", "theirs": "河南省市场监督管理局（甲）", "yours": "河南省市场监督管理局（乙）"}
    ]
    lic.refresh_from_db()
    assert lic.issuing_authority == "河南省市场监督管理局（甲）"


def test_a_write_without_a_version_is_a_400_and_saves_nothing(admin, make_enterprise):
    enterprise = make_enterprise(name="魏都原名有限公司")
    url = f"{ENTERPRISES}{enterprise.pk}/"
    response = admin.patch(url, {"name": "魏都改名有限公司"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"version": ["修改时必须提交读取这条记录时返回的 version。"]}
    assert Enterprise.objects.get().name == "魏都原名有限公司"


def test_another_records_version_or_an_edited_one_counts_as_unknown(admin, make_enterprise):
    first, second = make_enterprise(), make_enterprise()
    foreign = admin.get(f"{ENTERPRISES}{second.pk}/").json()["version"]
    url = f"{ENTERPRISES}{first.pk}/"
    for version in (foreign, admin.get(url).json()["version"] + "x"):
        refused = admin.patch(url, {"phone": "13812345678", "version": version}, content_type="application/json")
        assert refused.status_code == 409 and refused.json()["conflicts"][0]["label"] == "联系电话"
    assert Enterprise.objects.get(pk=first.pk).phone == ""


def test_a_double_submit_and_a_change_to_another_field_are_not_conflicts(admin, make_enterprise):
    """Only a save that would overwrite someone's change is refused (core.concurrency)."""
    enterprise = make_enterprise()
    url = f"{ENTERPRISES}{enterprise.pk}/"
    version = admin.get(url).json()["version"]
    for _ in range(2):
        response = admin.patch(url, {"risk_level": "high", "version": version}, content_type="application/json")
        assert response.status_code == 200
    other_field = admin.patch(url, {"supervision_class": "D", "version": version}, content_type="application/json")
    assert other_field.status_code == 200
    saved = Enterprise.objects.get()
    assert (saved.risk_level, saved.supervision_class) == ("high", "D")
