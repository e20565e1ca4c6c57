"""Checklists edited by the city admin on their own page: drafts, validation at the field, stale saves, publishing,
and records keeping the version they were filled on."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import checklist_editing as editing
from postlicense.inspections import printing, services
from postlicense.inspections.models import ChecklistTemplate, InspectionRecord

from .factories import make_enterprise, make_inspector

pytestmark = pytest.mark.django_db


def template(code="random_check_003"):
    return ChecklistTemplate.objects.get(code=code)


def as_post(draft, token="", action="save"):
    """The editor's form fields for `draft`, as the page posts them."""
    data = QueryDict(mutable=True)
    data.update({name: "on" if value is True else value for name, value in draft.header.items() if value is not False})
    data.setlist("kinds", draft.kinds)
    data.update({"token": token, "action": action})
    for extra in draft.extras:
        data.update(
            {
                f"extra-{extra.key}-label": extra.label,
                f"extra-{extra.key}-group": extra.group,
                f"extra-{extra.key}-type": extra.type,
            }
        )
    for item in draft.items:
        p = f"item-{item.key}-"
        data.update(
            {
                p + "order": item.order,
                p + "number": item.number,
                p + "text": item.text,
                p + "conclusions": item.conclusions_text,
                p + "register_check": item.register_check,
                p + "agree_problem": item.agree_problem_text,
                p + "agree_clear": item.agree_clear_text,
            }
        )
        if item.delete:
            data[p + "delete"] = "on"
        for o in item.options:
            data.update(
                {
                    f"{p}opt-{o.key}-parent": o.parent,
                    f"{p}opt-{o.key}-label": o.label,
                    f"{p}opt-{o.key}-allowed": o.allowed_text,
                }
            )
            if o.nonconforming:
                data[f"{p}opt-{o.key}-bad"] = "on"
    return data


def edited(version, change):
    """The draft of `version` as the page shows it, changed by `change(draft)`, and posted back."""
    draft = editing.draft_of(version)
    change(draft)
    return editing.draft_from_post(as_post(draft))


def item(draft, number):
    return next(i for i in draft.items if i.number == number)


def test_a_new_draft_copies_the_current_version_and_a_checklist_has_one_draft_at_a_time():
    draft = editing.new_draft(template())
    assert draft.number == 2 and not draft.published and draft.items.count() == 12
    assert draft.kinds == ["random_check"] and draft.items.get(number="10").option_groups["有（已处理）"] == [
        "有",
        "已处理",
    ]
    with pytest.raises(ValidationError, match="尚未发布的草稿"):
        editing.new_draft(template())


def test_the_editor_round_trips_a_version_unchanged():
    """Nested options, allowed conclusions and 是/否 nonconforming options survive the page (003 附件, 000 附件2)."""
    for code in ("random_check_003", "patrol_000"):
        version = editing.new_draft(template(code))
        token = editing.content_token(version)
        editing.save_draft(version, editing.draft_from_post(as_post(editing.draft_of(version))), token=token)
        assert editing.content_token(version) == token


def test_nested_option_rows_are_stored_flattened_with_their_group_and_allowed_conclusions():
    version = editing.new_draft(template())

    def change(draft):
        row = item(draft, "10")
        row.options = [
            editing.OptionRow("a", "已整改", "有", "符合"),
            editing.OptionRow("b", "未整改", "有", "不符合"),
            editing.OptionRow("c", "无", "", "符合、不适用"),
        ]
        row.agree_problem_text, row.agree_clear_text = "有（未整改）", "有（已整改）、无"  # renamed with the options

    editing.save_draft(version, edited(version, change), token=editing.content_token(version))
    saved = version.items.get(number="10")
    assert saved.options == ["有（已整改）", "有（未整改）", "无"]
    assert saved.option_groups == {"有（已整改）": ["有", "已整改"], "有（未整改）": ["有", "未整改"]}
    assert saved.option_conclusions == {"有（已整改）": ["符合"], "有（未整改）": ["不符合"], "无": ["符合", "不适用"]}
    assert saved.register_agreement == {"problem": ["有（未整改）"], "clear": ["有（已整改）", "无"]}


def test_register_agreement_is_shown_and_edited_with_the_item():
    """Which answers agree with the register (许昌双随机实施方案 附件 items 1, 2, 8, 10): shown as typed lists per side,
    saved as register_agreement; a side left empty is not checked."""
    version = editing.new_draft(template())
    draft = editing.draft_of(version)
    assert (item(draft, "1").agree_problem_text, item(draft, "1").agree_clear_text) == ("不在有效期", "在有效期")
    assert (item(draft, "2").agree_problem_text, item(draft, "2").agree_clear_text) == (
        "发生变化已重新审查、发生变化未申请重新审查",
        "",
    )

    def change(draft):
        row = item(draft, "10")
        row.options[0].label = "已整改"  # 有（已处理） renamed: its agreement is renamed with it
        row.agree_clear_text = "有（已整改）"
        item(draft, "8").agree_clear_text = ""

    editing.save_draft(version, edited(version, change), token=editing.content_token(version))
    assert version.items.get(number="10").register_agreement == {"problem": ["有（未处理）"], "clear": ["有（已整改）"]}
    assert version.items.get(number="8").register_agreement == {"problem": ["否"]}


def test_items_are_added_removed_and_reordered():
    version = editing.new_draft(template("patrol_000"))

    def change(draft):
        draft.items[0].delete = True
        draft.items[5].order = "0"
        draft.items.append(
            editing.ItemRow(
                "new1",
                "7",
                "是否建立质量安全追溯制度",
                "",
                "",
                [editing.OptionRow("y", "是"), editing.OptionRow("n", "否", nonconforming=True)],
            )
        )

    editing.save_draft(version, edited(version, change), token=editing.content_token(version))
    texts = list(version.items.values_list("text", flat=True))
    assert texts[0] == "是否能够提供符合要求的出厂检验记录和报告" and len(texts) == 6
    assert "是否按时提交了年度自查报告" not in texts
    added = version.items.get(number="7")
    assert added.nonconforming_options == ["否"] and added.position == 6


def nth(draft, number):
    return draft.items[int(number) - 1]


def at_item(number, name):
    return lambda d: f"item-{nth(d, number).key}-{name}"


def at_option(number, index, name):
    return lambda d: f"item-{nth(d, number).key}-opt-{nth(d, number).options[index].key}-{name}"


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda d: setattr(nth(d, 3), "text", ""), at_item(3, "text"), "第3项：请填写检查项目。"),
        (
            lambda d: setattr(nth(d, 1).options[0], "allowed_text", "合格"),
            at_option(1, 0, "allowed"),
            "第1项：选项“在有效期”允许的结论“合格”不在本项的单项检查结论（符合、不符合）中。",
        ),
        (
            lambda d: setattr(nth(d, 3).options[1], "label", "存在"),
            at_option(3, 1, "label"),
            "第3项：检查记录选项“存在”重复。",
        ),
        (
            lambda d: setattr(nth(d, 10).options[1], "label", "已处理"),
            at_option(10, 1, "label"),
            "第10项：检查记录选项“有（已处理）”重复。",
        ),
        (
            lambda d: setattr(nth(d, 4), "conclusions_text", "符合、符合"),
            at_item(4, "conclusions"),
            "第4项：单项检查结论“符合”重复。",
        ),
        (lambda d: setattr(nth(d, 2), "number", "1"), at_item(2, "number"), "序号“1”重复"),
        (lambda d: setattr(nth(d, 6).options[0], "nonconforming", True), at_option(6, 0, "bad"), "由结论判定不符合"),
        (
            lambda d: setattr(nth(d, 1).options[1], "label", "已过期"),
            at_item(1, "agree_problem"),
            "第1项：登记信息显示有问题时一致的检查记录“不在有效期”不是本项的检查记录选项（在有效期、已过期）。",
        ),
        (
            lambda d: setattr(nth(d, 10), "agree_clear_text", "无、有（已整改）"),
            at_item(10, "agree_clear"),
            "第10项：登记信息显示无问题时一致的检查记录“有（已整改）”不是本项的检查记录选项",
        ),
        (
            lambda d: setattr(nth(d, 3), "agree_problem_text", "存在"),
            at_item(3, "agree_problem"),
            "第3项：未选择“与登记信息核对”，不能填写登记信息显示有问题时一致的检查记录。",
        ),
        (lambda d: d.kinds.append("weekly"), lambda d: "kinds", "“weekly”不是有效的检查类型。"),
        (lambda d: d.header.update(title=""), lambda d: "title", "请填写“表头标题”。"),
        (lambda d: d.header.update(copies="0"), lambda d: "copies", "份数应为1至9的整数。"),
    ],
)
def test_mistakes_are_refused_at_their_field_and_nothing_is_saved(change, field, message):
    """The item's text, options, the conclusions each option allows (003 附件 注2), kinds (InspectionRecord.Kind)."""
    version = editing.new_draft(template())
    token = editing.content_token(version)
    draft = edited(version, change)
    with pytest.raises(ValidationError) as caught:
        editing.save_draft(version, draft, token=token)
    assert message in " ".join(caught.value.message_dict[field(draft)])
    assert editing.content_token(version) == token


def test_a_version_without_items_or_kinds_cannot_be_published():
    version = editing.new_draft(template())

    def change(draft):
        draft.kinds.clear()
        for row in draft.items:
            row.delete = True

    draft = edited(version, change)
    with pytest.raises(ValidationError) as caught:
        editing.save_draft(version, draft, token=editing.content_token(version), publish=True)
    assert "没有检查项的版本不能发布" in caught.value.message_dict["items"][0]
    assert "请至少选择一种适用的检查类型" in caught.value.message_dict["kinds"][0]
    version.refresh_from_db()
    assert not version.published


def test_a_stale_save_is_refused_and_a_repeated_one_is_a_no_op():
    version = editing.new_draft(template())
    token = editing.content_token(version)
    first = edited(version, lambda d: setattr(item(d, "3"), "text", "甲管理员的措辞"))
    editing.save_draft(version, first, token=token)
    editing.save_draft(version, first, token=token)  # double submit of the same content
    second = edited(
        services.current_template("random_check_003"), lambda d: setattr(item(d, "3"), "text", "乙管理员的措辞")
    )
    with pytest.raises(editing.StaleDraft):
        editing.save_draft(version, second, token=token)
    assert version.items.get(number="3").text == "甲管理员的措辞"


def test_publishing_makes_the_draft_current_and_records_keep_the_version_they_were_filled_on():
    enterprise = make_enterprise()
    record = services.create_inspection(
        enterprise=enterprise,
        kind=InspectionRecord.Kind.RANDOM_CHECK,
        template_version=services.current_template("random_check_003"),
        org_unit=enterprise.supervising_unit,
        inspectors=[make_inspector(), make_inspector()],
        due_date=date.today() + timedelta(days=30),
    )
    version = editing.new_draft(template())
    draft = edited(version, lambda d: setattr(item(d, "3"), "text", "是否存在超出许可范围生产的行为"))
    editing.save_draft(version, draft, token=editing.content_token(version), publish=True)
    assert services.current_template("random_check_003") == version
    record.refresh_from_db()
    assert record.template_version.number == 1
    assert record.template_version.items.get(number="3").text == "是否存在超许可证范围生产产品的行为"
    html = render_to_string("inspections/print.html", printing.print_context(record))
    assert "是否存在超许可证范围生产产品的行为" in html and "超出许可范围" not in html
    with pytest.raises(ValidationError, match="已发布"):
        editing.save_draft(version, draft, token=editing.content_token(version))


def test_a_new_extra_field_gets_a_key_no_record_has_used():
    version = editing.new_draft(template("patrol_000"))
    draft = edited(version, lambda d: d.extras.append(editing.ExtraRow("nnew", "检查组长", "", "text")))
    editing.save_draft(version, draft, token=editing.content_token(version))
    version.refresh_from_db()
    keys = [f["key"] for f in version.extra_fields]
    assert keys[:5] == ["due", "done", "sampled", "overall", "product"] and keys[-1] == "field1"


# --- pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(User.Role.CITY_ADMIN, "xuchang"))
    return client


@pytest.mark.parametrize(
    "role, org",
    [(User.Role.COUNTY_STAFF, "xuchang-weidu"), (User.Role.INSPECTOR, "xuchang-weidu"), (User.Role.ENTERPRISE, None)],
)
def test_only_city_admins_reach_the_checklist_pages(client, make_user, role, org):
    version = services.current_template("random_check_003")
    client.force_login(make_user(role, org))
    urls = [
        reverse("inspections:checklist_list"),
        reverse("inspections:checklist_preview", args=[version.pk]),
        reverse("inspections:checklist_edit", args=[version.pk]),
        reverse("inspections:checklist_pdf", args=[version.pk]),
        reverse("inspections:checklist_print", args=[version.pk]),
        reverse("inspections:checklist_item_row"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("inspections:checklist_new_draft", args=[version.template_id])).status_code == 403
    assert "检查表" not in [item.label for item in client.get("/").context["nav_items"]]
    assert not ChecklistTemplate.objects.get(code="random_check_003").versions.filter(published=False).exists()


def test_city_admin_makes_a_draft_edits_it_and_publishes_it(admin_client):
    assert "检查表" in [item.label for item in admin_client.get("/").context["nav_items"]]
    page = admin_client.get(reverse("inspections:checklist_list")).content.decode()
    assert "“双随机一公开”监督检查表" in page and "当前版本" in page
    response = admin_client.post(reverse("inspections:checklist_new_draft", args=[template().pk]))
    version = template().versions.get(number=2)
    assert response.url == reverse("inspections:checklist_edit", args=[version.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200 and 'value="有"' in page.content.decode()
    draft = edited(version, lambda d: setattr(item(d, "12"), "text", "其他需要检查的项目（含实施细则要求）。"))
    response = admin_client.post(response.url, as_post(draft, page.context["token"], "publish"))
    assert response.status_code == 302
    assert (
        services.current_template("random_check_003").items.get(number="12").text
        == "其他需要检查的项目（含实施细则要求）。"
    )
    assert admin_client.get(reverse("inspections:checklist_edit", args=[version.pk])).status_code == 302  # published


def test_bad_input_is_shown_at_the_field_and_what_was_typed_stays(admin_client):
    version = editing.new_draft(template())
    url = reverse("inspections:checklist_edit", args=[version.pk])
    token = admin_client.get(url).context["token"]

    def change(draft):
        item(draft, "1").text = ""
        item(draft, "2").text = "新写的第二项措辞"
        item(draft, "1").options[0].allowed_text = "合格"

    response = admin_client.post(url, as_post(edited(version, change), token))
    assert response.status_code == 400
    page = response.content.decode()
    assert "第1项：请填写检查项目。" in page and "新写的第二项措辞" in page and 'value="合格"' in page
    assert "第1项：选项“在有效期”允许的结论“合格”不在本项的单项检查结论（符合、不符合）中。" in page
    assert editing.content_token(version) == token


def test_a_register_agreement_naming_no_option_is_refused_at_its_field_on_the_page(admin_client):
    version = editing.new_draft(template())
    url = reverse("inspections:checklist_edit", args=[version.pk])
    page = admin_client.get(url)
    assert 'name="item-' in page.content.decode() and 'value="不在有效期"' in page.content.decode()

    def change(draft):
        item(draft, "1").agree_problem_text = "过期"

    response = admin_client.post(url, as_post(edited(version, change), page.context["token"]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "第1项：登记信息显示有问题时一致的检查记录“过期”不是本项的检查记录选项（在有效期、不在有效期）。" in text
    assert 'value="过期"' in text
    assert version.items.get(number="1").register_agreement == {"problem": ["不在有效期"], "clear": ["在有效期"]}


def test_a_stale_save_on_the_page_keeps_the_typing_and_says_why(admin_client):
    version = editing.new_draft(template())
    url = reverse("inspections:checklist_edit", args=[version.pk])
    token = admin_client.get(url).context["token"]
    editing.save_draft(
        version, edited(version, lambda d: setattr(item(d, "3"), "text", "另一位管理员的修改")), token=token
    )
    mine = edited(services.current_template("random_check_003"), lambda d: setattr(item(d, "4"), "text", "我的修改"))
    response = admin_client.post(url, as_post(mine, token))
    assert response.status_code == 409
    page = response.content.decode()
    assert "另一位管理员已修改并保存了这个草稿" in page and "我的修改" in page
    assert version.items.get(number="3").text == "另一位管理员的修改"


def test_edited_urls_and_published_versions(admin_client):
    published = services.current_template("random_check_003")
    assert admin_client.get(reverse("inspections:checklist_edit", args=[999999])).status_code == 404
    response = admin_client.post(reverse("inspections:checklist_edit", args=[published.pk]), {"title": "改"})
    assert response.status_code == 302 and ChecklistTemplate.objects.get(code="random_check_003").versions.count() == 1
    assert admin_client.post(reverse("inspections:checklist_new_draft", args=[999999])).status_code == 404


def test_rows_are_added_by_htmx(admin_client):
    url = reverse("inspections:checklist_item_row")
    card = admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'class="item-card editor-item' in card and "<html" not in card
    option = admin_client.get(url, {"item": "42"}).content.decode()
    assert 'name="item-42-opt-' in option and "允许的结论" in option
    assert 'name="extra-' in admin_client.get(url, {"extra": "1"}).content.decode()


def test_preview_shows_the_fill_form_and_the_print_layout_of_a_draft(admin_client):
    version = editing.new_draft(template())
    page = admin_client.get(reverse("inspections:checklist_preview", args=[version.pk])).content.decode()
    assert "营业执照是否有效" in page and 'class="choice-parent">有<' in page
    assert reverse("inspections:checklist_print", args=[version.pk]) in page
    printed = admin_client.get(reverse("inspections:checklist_print", args=[version.pk]))
    assert printed["X-Frame-Options"] == "SAMEORIGIN" and "□有（□已处理 □未处理）" in printed.content.decode()
    pdf = admin_client.get(reverse("inspections:checklist_pdf", args=[version.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_double_submit_and_a_forged_kind_on_the_page(admin_client):
    version = editing.new_draft(template())
    url = reverse("inspections:checklist_edit", args=[version.pk])
    token = admin_client.get(url).context["token"]
    data = as_post(edited(version, lambda d: setattr(item(d, "5"), "text", "执行的产品标准是否现行有效")), token)
    assert admin_client.post(url, data).status_code == 302
    assert admin_client.post(url, data).status_code == 302  # the same content again: accepted, nothing else changes
    assert version.items.get(number="5").text == "执行的产品标准是否现行有效" and version.items.count() == 12
    data.setlist("kinds", ["random_check", "weekly"])
    response = admin_client.post(url, data)
    assert response.status_code == 400 and "“weekly”不是有效的检查类型。" in response.content.decode()
    assert ChecklistTemplate.objects.get(code="random_check_003").versions.get(pk=version.pk).kinds == ["random_check"]
