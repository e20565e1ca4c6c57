"""Checklists as versioned data (exact seed wording) and the replaceable Word template."""

import io

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from docx import Document

from postlicense.inspections import printing, services
from postlicense.inspections.models import ChecklistTemplate, PrintTemplate

from .helpers import new_record

pytestmark = pytest.mark.django_db


def test_003_table_has_the_seed_items_options_and_single_conclusions():
    """003 附件: 12 items; 不适用 offered exactly on items 4, 5, 9, 10; item 12 free text; 注2 conclusion rule."""
    items = {i.number: i for i in services.current_template("random_check_003").items.all()}
    assert items["2"].options == ["未发生变化", "发生变化已重新审查", "发生变化未申请重新审查"]
    assert items["11"].options == ["有（涂改转让）", "有（生产假冒伪劣）", "有（其他违法行为）", "无"]
    assert sorted((n for n, i in items.items() if "不适用" in i.conclusions), key=int) == ["4", "5", "9", "10"]
    assert items["12"].options == [] and items["12"].conclusions == []
    assert "未发现不符合项，检查结论为合格；否则检查结论为不合格" in services.current_template("random_check_003").notes


def test_patrol_and_production_checklists_follow_000_and_004():
    """000 附件2: six 是/否 items and the counts block; 004 四: the eleven areas."""
    patrol = services.current_template("patrol_000")
    assert [i.text for i in patrol.items.all()][0] == "是否按时提交了年度自查报告"
    assert [f["label"] for f in patrol.extra_fields][:4] == [
        "应完成巡查、年审企业数",
        "已完成巡查、年审企业数",
        "抽查巡查、年审材料数",
        "巡查、年审材料抽查整体情况",
    ]
    production = services.current_template("production_conditions_004")
    assert production.items.count() == 11 and production.items.first().text == "生产环境条件"


@pytest.mark.parametrize("code, has_column", [("patrol_000", False), ("random_check_003", True)])
def test_printed_form_has_a_single_conclusion_column_only_where_the_seed_form_does(code, has_column):
    """000 附件2 answers each item 是□否□ with no 单项检查结论 column; the 003 附件 table has one."""
    html = render_to_string("inspections/print.html", printing.print_context(new_record(code)))
    assert ("单项检查结论" in html) is has_column
    marks = ("是□", "否□") if code == "patrol_000" else ("□符合", "□不符合")
    assert all(mark in html for mark in marks)


def test_editing_a_checklist_makes_a_new_unpublished_version_and_records_keep_theirs():
    record = new_record()
    template = ChecklistTemplate.objects.get(code="random_check_003")
    draft = services.new_version(template)
    assert draft.number == 2 and not draft.published and draft.items.count() == 12
    assert services.current_template("random_check_003").number == 1
    draft.published = True
    draft.save()
    assert services.current_template("random_check_003") == draft
    record.refresh_from_db()
    assert record.template_version.number == 1


def test_word_template_sets_the_east_asian_font_and_can_be_replaced_by_an_admin_upload():
    record = new_record()
    styles = Document(io.BytesIO(printing.docx(record))).styles.element.xml
    assert 'w:eastAsia="宋体"' in styles
    replacement = Document()
    replacement.add_paragraph("本局格式：{{ enterprise_name }}")
    buffer = io.BytesIO()
    replacement.save(buffer)
    PrintTemplate.objects.create(
        template=record.template_version.template, docx=ContentFile(buffer.getvalue(), name="own.docx")
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(printing.docx(record))).paragraphs)
    assert text == f"本局格式：{record.enterprise.name}"
