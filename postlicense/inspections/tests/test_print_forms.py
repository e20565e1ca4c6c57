"""The printed forms follow the seed forms: the 000 附件2 sheet and the 003 附件 table (PDF and Word)."""

import io
import re
import subprocess
from datetime import date, timedelta

import pytest
from django.template.loader import render_to_string
from docx import Document

from postlicense.core.models import User
from postlicense.inspections import printing, services
from postlicense.inspections.models import InspectionRecord
from postlicense.registry.models import License

from .factories import make_enterprise, make_inspector
from .helpers import all_conforming, fill_and_sign

pytestmark = pytest.mark.django_db

ITEM_10 = ["有（已处理）", "有（未处理）", "无"]
GROUPS_10 = {"有（已处理）": ["有", "已处理"], "有（未处理）": ["有", "未处理"]}
ITEM_11 = ["有（涂改转让）", "有（生产假冒伪劣）", "有（其他违法行为）", "无"]
GROUPS_11 = {o: ["有", o[2:-1]] for o in ITEM_11[:3]}


def pdf_text(record):
    return subprocess.run(
        ["pdftotext", "-", "-"], input=printing.pdf(record), capture_output=True, check=True
    ).stdout.decode()


def record_on(code, kind, enterprise=None):
    enterprise = enterprise or make_enterprise()
    return services.create_inspection(
        enterprise=enterprise,
        kind=kind,
        template_version=services.current_template(code),
        org_unit=enterprise.supervising_unit,
        inspectors=[make_inspector(), make_inspector()],
        due_date=date.today() + timedelta(days=30),
    )


@pytest.fixture
def patrol_record():
    """A 000 督查互查 sheet filled in: counts, product, one 否 answer and a written 现场检查结论."""
    record = record_on("patrol_000", InspectionRecord.Kind.CROSS_AUDIT)
    findings = {item.pk: ("否" if item.number == "6" else "是", "", "") for item in record.template_version.items.all()}
    record = fill_and_sign(record, findings=findings, summary="出厂检验记录不全")
    return services.save_draft(
        record,
        revision=record.revision,
        fields={
            "extra_values": {
                "due": "12",
                "done": "11",
                "sampled": "5",
                "overall": "材料基本齐全",
                "product": "通用硅酸盐水泥",
                "site_conclusion": "出厂检验记录不全，责令一个月内整改。",
            }
        },
    )


def test_nested_options_print_under_their_parent_as_003_items_10_and_11():
    """003 附件 items 10, 11: "□有（□已处理 □未处理） □无", the chosen child and its parent ticked."""
    assert printing.option_marks(ITEM_10, GROUPS_10, "") == ["□有（□已处理 □未处理）", "□无"]
    assert printing.option_marks(ITEM_10, GROUPS_10, "有（未处理）") == ["■有（□已处理 ■未处理）", "□无"]
    assert printing.option_marks(ITEM_11, GROUPS_11, "有（生产假冒伪劣）") == [
        "■有（□涂改转让 ■生产假冒伪劣 □其他违法行为）",
        "□无",
    ]
    assert printing.option_marks(ITEM_11, GROUPS_11, "无") == ["□有（□涂改转让 □生产假冒伪劣 □其他违法行为）", "■无"]


def test_000_sheet_puts_the_box_after_the_answer():
    """000 附件2 prints each answer as "是□ 否□"."""
    assert printing.option_marks(["是", "否"], {}, "否", box_after=True) == ["是□", "否■"]


def test_003_pdf_prints_items_10_and_11_nested_with_the_chosen_ones_ticked():
    """003 附件: the printed table shows the nested choice of items 10 and 11 as the seed does."""
    record = record_on("random_check_003", InspectionRecord.Kind.RANDOM_CHECK)
    findings = all_conforming(record)
    items = {i.number: i for i in record.template_version.items.all()}
    findings[items["10"].pk] = ("有（已处理）", "符合", "")
    findings[items["11"].pk] = ("有（涂改转让）", "不符合", "证书复印件涂改")
    record = fill_and_sign(record, findings=findings, summary="许可证复印件涂改")
    text = pdf_text(record)
    assert "■有（■已处理 □未处理）" in text and "■有（■涂改转让 □生产假冒伪劣 □其他违法行为）" in text
    assert text.count("□无") >= 2


def test_license_numbers_do_not_wrap_in_the_pdf():
    """A provincial number (豫XK13-201-00002) may break after 豫 unless kept on one line."""
    enterprise = make_enterprise()
    category = enterprise.product_category
    for n in (2, 3):
        License.objects.create(
            enterprise=enterprise,
            number=f"豫XK13-201-0000{n}",
            product_category=category,
            issue_date=date(2022, 1, 1),
            expiry_date=date(2027, 1, 1),
            issuing_authority="河南省市场监督管理局",
        )
    record = record_on("random_check_003", InspectionRecord.Kind.RANDOM_CHECK, enterprise)
    record.licenses.set(enterprise.licenses.all())
    text = pdf_text(record)
    for number in enterprise.licenses.values_list("number", flat=True):
        assert number in text, f"{number} is broken across lines"
    html = render_to_string("inspections/print.html", printing.print_context(record))
    assert '<span class="nowrap">豫XK13-201-00002</span>' in html


def test_000_sheet_has_only_the_seed_rows_and_the_inspectors_signatures(patrol_record):
    """000 附件2: counts block, 现场检查情况 with 企业名称 and 产品名称 in one row, six 是□否□ items, a free-text
    现场检查结论 box and 检查人员 — no 问题汇总, 合格/不合格, enterprise signature, opinion or equipment table."""
    html = render_to_string("inspections/print.html", printing.print_context(patrol_record))
    name = re.escape(patrol_record.enterprise.name)
    assert re.search(
        rf"<tr><td class=\"section\"[^>]*>现场检查情况</td><td class=\"label\">企业名称</td><td>{name}</td>"
        r"<td class=\"label\">产品名称</td><td>通用硅酸盐水泥</td></tr>",
        html,
    )
    assert re.search(r"现场检查结论</td><td[^>]*class=\"box\">出厂检验记录不全，责令一个月内整改。", html)
    assert (
        '是否能够提供符合要求的出厂检验记录和报告<span class="answers"><span class="m">是□</span> <span class="m">否■</span>'
        in html
    )
    assert "所属分局：" in html and "检查人员：" in html
    for absent in (
        "现场检查发现的问题汇总",
        ">检查结论</td>",
        "合格",
        "企业负责人",
        "企业意见",
        "单项检查结论",
        "序号",
        "关键生产设备表",
        "生产许可证编号：",
        "统一社会信用代码",
    ):
        assert absent not in html, absent
    text = pdf_text(patrol_record)
    assert "出厂检验记录不全，责令一个月内整改。" in text and "通用硅酸盐水泥" in text and "企业负责人" not in text


def test_a_blank_version_prints_as_an_empty_form():
    """The editor's preview: nothing ticked, no names."""
    html = render_to_string(
        "inspections/print.html", printing.blank_context(services.current_template("random_check_003"))
    )
    assert "■" not in html and "□有（□已处理 □未处理）" in html and "□合格" in html


def test_word_files_use_the_layout_of_their_form(patrol_record):
    """The 000 sheet gets the sheet template (no enterprise signature); the 003 table keeps its nested marks."""
    doc = Document(io.BytesIO(printing.docx(patrol_record)))
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    text = "\n".join(p.text for p in doc.paragraphs) + cells
    assert "出厂检验记录不全，责令一个月内整改。" in cells and "通用硅酸盐水泥" in cells and "否■" in cells
    assert "企业负责人" not in text and "检查人员：" in text
    record = record_on("random_check_003", InspectionRecord.Kind.RANDOM_CHECK)
    cells = "\n".join(
        c.text for t in Document(io.BytesIO(printing.docx(record))).tables for r in t.rows for c in r.cells
    )
    assert "□有（□已处理 □未处理）  □无" in cells


@pytest.mark.parametrize("failing, ticked", [(False, "■合格 □不合格"), (True, "□合格 ■不合格")])
def test_a_finished_003_prints_its_conclusion_ticked_and_its_signatures_dated_with_the_inspection(
    make_user, failing, ticked
):
    """许昌双随机实施方案 附件: 检查结论 □合格 □不合格 ticked from the record, and both signature boxes dated with the
    inspection date, not with the day the record was typed in or finished (here: signed today, inspected 2026-05-01)."""
    record = record_on("random_check_003", InspectionRecord.Kind.RANDOM_CHECK)
    findings = all_conforming(record)
    if failing:
        item = record.template_version.items.get(number="6")
        findings[item.pk] = ("检验记录不全", "不符合", "缺3个批次")
    record = fill_and_sign(record, findings=findings, summary="出厂检验记录不全" if failing else "")
    record = services.finish(record, by=make_user(User.Role.COUNTY_STAFF, "xuchang-weidu"))
    text = pdf_text(record)
    assert ticked in re.sub(r"\s+", " ", text)
    assert text.count("2026年5月1日") >= 3  # the date line, the inspectors' box and the enterprise's box
    assert f"{date.today():%Y年}{date.today().month}月{date.today().day}日" not in text
