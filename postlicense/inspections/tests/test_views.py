"""Pages: scope, the record form keeps bad input, uploads, lock, printing."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from postlicense.core.models import User
from postlicense.inspections import services
from postlicense.inspections.models import InspectionRecord

from .helpers import fill_and_sign, new_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    return client


def test_records_outside_the_jurisdiction_are_404(client, make_user):
    record = new_record()
    client.force_login(make_user(User.Role.COUNTY_STAFF, "xuchang-changge"))
    assert client.get(reverse("inspections:record_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("inspections:record_pdf", args=[record.pk])).status_code == 404


def test_inspector_sees_only_assigned_records_in_my_inspections(client, make_user):
    user = make_user(User.Role.INSPECTOR, "xuchang-weidu")
    mine, other = new_record(user=user), new_record()
    client.force_login(user)
    page = client.get(reverse("inspections:my_inspections")).content.decode()
    assert mine.enterprise.name in page and other.enterprise.name not in page


def test_bad_date_is_shown_at_the_field_and_nothing_typed_is_lost(staff_client):
    record = new_record()
    item = record.template_version.items.get(number="3")
    response = staff_client.post(
        reverse("inspections:record_fill", args=[record.pk]),
        {
            "revision": "0",
            "inspection_date": "2026-13-45",
            "problems_summary": "现场记录文字",
            f"option-{item.pk}": "不存在",
            f"note-{item.pk}": "已核对产品目录",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "日期格式应为 YYYY-MM-DD" in page and "现场记录文字" in page and "已核对产品目录" in page
    assert 'value="不存在" checked' in page
    record.refresh_from_db()
    assert record.revision == 0


def test_autosave_returns_the_new_revision_and_a_stale_one_is_a_conflict(staff_client):
    record = new_record()
    url = reverse("inspections:record_draft", args=[record.pk])
    ok = staff_client.post(url, {"revision": "0", "problems_summary": "甲"})
    assert ok.json() == {"ok": True, "revision": 1}
    stale = staff_client.post(url, {"revision": "0", "problems_summary": "乙"})
    assert stale.status_code == 409 and "其他设备" in stale.json()["errors"]["form"]


def test_upload_that_is_not_an_image_is_refused_with_a_clear_message(staff_client):
    record = new_record()
    item = record.template_version.items.first()
    response = staff_client.post(
        reverse("inspections:attachment_upload", args=[record.pk, item.pk]),
        {"file": SimpleUploadedFile("照片.jpg", b"plain text, not a photo")},
        follow=True,
    )
    assert "不是图片（JPEG/PNG/WebP）或 PDF" in response.content.decode()
    assert not record.findings.get(item=item).attachments.exists()


def test_finished_record_cannot_be_posted_without_an_amendment(staff_client, make_user):
    record = services.finish(fill_and_sign(new_record()), by=make_user())
    response = staff_client.post(
        reverse("inspections:record_draft", args=[record.pk]), {"revision": str(record.revision)}
    )
    assert response.status_code == 409 and "更正" in response.json()["errors"]["form"]
    assert staff_client.get(reverse("inspections:record_fill", args=[record.pk])).status_code == 302


def test_pdf_and_word_print_the_record(staff_client, make_user):
    record = new_record()
    record = fill_and_sign(record)
    services.finish(record, by=make_user())
    detail = staff_client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "已完成 · 已锁定" in detail and "更正" in detail
    pdf = staff_client.get(reverse("inspections:record_pdf", args=[record.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = staff_client.get(reverse("inspections:record_docx", args=[record.pk]))
    from docx import Document

    text = "\n".join(c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells)
    assert record.enterprise.name in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "营业执照是否有效，生产许可证是否在有效期内" in text and "■合格" in text and "水泥磨" in text


# --- bad input at the field (issue 10 items 1–3, 8) ------------------------------------------------------------


def fill_post(record, **extra):
    """The fill form as a browser posts it: every item answered conforming, equipment as registered."""
    from .helpers import all_conforming

    data = {"revision": str(record.revision), "inspection_date": "2026-05-01", "problems_summary": ""}
    for item_id, (option, conclusion, note) in all_conforming(record).items():
        data.update({f"option-{item_id}": option, f"conclusion-{item_id}": conclusion, f"note-{item_id}": note})
    for row in record.equipment_checks.all():
        data.update(
            {f"eq-qty-{row.pk}": str(row.registered_quantity), f"eq-model-{row.pk}": row.model, f"eq-note-{row.pk}": ""}
        )
    data.update(extra)
    return data


def item(record, number):
    return record.template_version.items.get(number=number)


def test_contradicting_answer_is_refused_at_its_item_and_everything_typed_stays(staff_client):
    """003 附件 注2, in the form: the error sits in item 1's card; nothing is saved; the typed values stay."""
    record = new_record()
    item1 = item(record, "1")
    response = staff_client.post(
        reverse("inspections:record_fill", args=[record.pk]),
        fill_post(
            record,
            **{
                f"option-{item1.pk}": "不在有效期",
                f"note-{item1.pk}": "许可证正本有效期至2025年",
                "problems_summary": "汇总文字",
            },
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    card = page[page.index(f'id="item-{item1.pk}"') : page.index(f'id="item-{item(record, "2").pk}"')]
    assert "第1项 营业执照是否有效…：检查记录为“不在有效期”，单项检查结论只能为“不符合”。" in card
    assert 'value="不在有效期" checked' in card and "许可证正本有效期至2025年" in card and "汇总文字" in page
    record.refresh_from_db()
    assert record.revision == 0 and not record.findings.exists()


def test_autosave_of_a_contradicting_answer_returns_the_error_keyed_by_item(staff_client):
    record = new_record()
    item3 = item(record, "3")
    response = staff_client.post(
        reverse("inspections:record_draft", args=[record.pk]), fill_post(record, **{f"option-{item3.pk}": "存在"})
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"item-{item3.pk}": "第3项 是否存在超许可证范围生产产品的行为：检查记录为“存在”，单项检查结论只能为“不符合”。"
    }


def signed(record):
    from .helpers import signature_data_url

    for link in record.crew.all():
        services.sign_as_inspector(record, link.inspector, signature_data_url(link.inspector.name))
    services.record_refusal(record, note="拒绝签字")
    return record


def test_unconfirmed_register_disagreement_is_refused_at_the_item_on_finish_and_the_draft_is_kept(staff_client):
    """003 附件 item 8 against calibration due dates: 是 while the instrument is overdue must be confirmed."""
    record = signed(new_record())
    record.enterprise.equipment.filter(is_measuring_instrument=True).update(calibration_due=date(2026, 3, 1))
    item8 = item(record, "8")
    url = reverse("inspections:record_fill", args=[record.pk])
    response = staff_client.post(url, fill_post(record, then="finish"))
    assert response.status_code == 400
    page = response.content.decode()
    card = page[page.index(f'id="item-{item8.pk}"') : page.index(f'id="item-{item(record, "9").pk}"')]
    assert "而登记信息显示检查日期 2026-05-01 不在检定有效期内的计量器具：压力试验机（检定有效期至 2026-03-01）" in card
    record.refresh_from_db()
    assert record.status == "in_progress" and record.findings.count() == 12  # saved as a draft, not finished
    response = staff_client.post(
        url,
        fill_post(
            record,
            then="finish",
            **{
                f"confirm-{item8.pk}": "on",
                f"confirm-note-{item8.pk}": "现场查看新检定证书，有效期至2027-03-01，登记未更新",
            },
        ),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "finished" and record.findings.get(item=item8).register_confirmed


def test_future_inspection_date_is_refused_at_the_date_field_on_finish(staff_client):
    record = signed(new_record())
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = staff_client.post(
        reverse("inspections:record_fill", args=[record.pk]), fill_post(record, then="finish", inspection_date=tomorrow)
    )
    assert response.status_code == 400
    page = response.content.decode()
    date_field = page[page.index('id="id_inspection_date"') : page.index('id="id_problems_summary"')]
    assert f"检查日期 {tomorrow} 晚于今天" in date_field.split("</div>")[0]
    record.refresh_from_db()
    assert record.status != "finished"


def test_amendment_with_a_contradicting_answer_is_refused_at_the_item(staff_client, make_user):
    record = services.finish(fill_and_sign(new_record()), by=make_user())
    item1 = item(record, "1")
    response = staff_client.post(
        reverse("inspections:record_amend", args=[record.pk]),
        fill_post(record, reason="复核", **{f"option-{item1.pk}": "不在有效期"}),
    )
    assert response.status_code == 400 and "单项检查结论只能为“不符合”" in response.content.decode()
    assert not record.amendments.exists()


def dispatch_post(record, **extra):
    import uuid

    data = {
        "enterprise": record.enterprise.pk,
        "kind": "random_check",
        "template_version": record.template_version.pk,
        "inspectors": [i.pk for i in record.inspectors.all()],
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
        "token": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def test_dispatch_refuses_a_checklist_of_another_kind_and_a_past_due_date_at_their_fields(staff_client):
    record = new_record()
    patrol_000 = services.current_template("patrol_000")
    response = staff_client.post(
        reverse("inspections:record_new"), dispatch_post(record, template_version=patrol_000.pk, due_date="2020-01-01")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["template_version"] == [
        "检查表“工业产品生产许可证后监管督查互查工作检查表”不适用于双随机抽查（适用于：督查互查），请选择适用于该检查类型的检查表。"
    ]
    assert form.errors["due_date"] == ["完成期限 2020-01-01 已过，请选择今天或以后的日期。"]
    assert InspectionRecord.objects.count() == 1
    page = response.content.decode()
    assert 'data-kinds="random_check"' in page and "（适用：双随机抽查）" in page


def test_dispatch_posted_twice_creates_one_record(staff_client):
    record = new_record()
    data = dispatch_post(record)
    first = staff_client.post(reverse("inspections:record_new"), data)
    second = staff_client.post(reverse("inspections:record_new"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert InspectionRecord.objects.count() == 2


# --- item 8 defects ---------------------------------------------------------------------------------------------


def test_home_cards_link_to_lists_of_exactly_the_counted_rows(client, make_user):
    """未完成检查 showed an empty list (it linked to 检查中 only); 逾期 linked to the unfiltered list."""
    from django.apps import apps

    user = make_user(User.Role.COUNTY_STAFF, "xuchang-weidu")
    assigned, overdue, started = new_record(), new_record(), new_record()
    InspectionRecord.objects.filter(pk=overdue.pk).update(due_date=date.today() - timedelta(days=3))
    InspectionRecord.objects.filter(pk=started.pk).update(
        status="in_progress", due_date=date.today() + timedelta(days=3)
    )
    InspectionRecord.objects.filter(pk=assigned.pk).update(due_date=date.today() + timedelta(days=20))
    services.finish(fill_and_sign(new_record()), by=user)
    client.force_login(user)
    cards = apps.get_app_config("inspections").home_cards(user)
    assert [(c.label, c.value) for c in cards] == [("未完成检查", 3), ("逾期未完成检查", 1), ("检查不合格", 0)]
    for card in cards:
        listed = client.get(card.url).context["page"].object_list
        assert len(listed) == card.value, card.label
    assert [r.pk for r in client.get(cards[1].url).context["page"].object_list] == [overdue.pk]


def test_a_finished_record_shows_no_none(staff_client):
    """The demo finishes records with nobody as finisher: "完成时间 …（None）" was shown."""
    record = services.finish(fill_and_sign(new_record()), by=None)
    page = staff_client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert "完成时间" in page and "None" not in page


def test_a_record_not_yet_filled_shows_no_conclusion_and_no_equipment_marked_as_found(staff_client):
    record = new_record()
    page = staff_client.get(reverse("inspections:record_detail", args=[record.pk])).content.decode()
    assert page.split("<dt>检查结论</dt><dd>")[1].split("</dd>")[0] == "尚未得出（完成检查后按判定原则得出）"
    assert "一致" not in page and page.count(">未核对<") == 2
    fill = staff_client.get(reverse("inspections:record_fill", args=[record.pk])).content.decode()
    assert 'name="eq-qty-' in fill and all(
        f'name="eq-qty-{row.pk}" inputmode="numeric" value=""' in fill for row in record.equipment_checks.all()
    )


def test_pages_cite_regulations_by_short_name_not_seed_number(staff_client):
    """DESIGN "Documents named in the UI": never "002 第九条" or "003 七(五)"."""
    import re

    record = new_record()
    pages = [
        staff_client.get(reverse("inspections:record_new")),
        staff_client.get(reverse("inspections:record_fill", args=[record.pk])),
        staff_client.get(reverse("inspections:record_detail", args=[record.pk])),
    ]
    text = " ".join(p.content.decode() for p in pages)
    assert "白城事中事后监管办法 第七条" in text and "白城事中事后监管办法 第九条" in text
    assert not re.search(r"(?<![\d-])00[0-4] ?(第|附件|[一二三四五六七八九十]+[、(（])", text)


def test_finish_posted_twice_and_a_confirmation_posted_for_an_item_without_a_register_check(staff_client):
    """A double submit finishes once; a 我已核实 forged onto an item the register does not answer is not stored."""
    record = signed(new_record())
    item3 = item(record, "3")
    url = reverse("inspections:record_fill", args=[record.pk])
    data = fill_post(record, then="finish", **{f"confirm-{item3.pk}": "on", f"confirm-note-{item3.pk}": "伪造"})
    first = staff_client.post(url, data)
    record.refresh_from_db()
    finished_at = record.finished_at
    second = staff_client.post(url, data)
    assert first.status_code == second.status_code == 302 and second["Location"] == record.get_absolute_url()
    record.refresh_from_db()
    assert record.status == "finished" and record.finished_at == finished_at and record.amendments.count() == 0
    assert not record.findings.get(item=item3).register_confirmed
