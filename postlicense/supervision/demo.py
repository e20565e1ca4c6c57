"""Demo data for supervision testing (today is 2026-11-30): the city's lab register, a test in each state of the
chain (one sent late with its reason, one failed with the enterprise told to stop selling), a complaint in each
state (a substantiated one opened a special inspection), and a provincial sampling notice listing two licensed
enterprises and one credit code that matches none (a lead of possible unlicensed production), each licensed one
with its rectification order. One failure went the whole way: the order (抽查办法 第四十六条), the 复查 sampling
failed again, the revocation proposal waits for the county. Every deadline falls within 2026. Idempotent: skipped once the city has a lab."""

import base64
from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from postlicense.core.models import OrgUnit, User
from postlicense.core.services import ROLE_SUFFIX, ensure_demo_user
from postlicense.followup import services as followup
from postlicense.inspections.demo import _signature_bytes
from postlicense.inspections.models import InspectionRecord
from postlicense.inspections.selectors import current_template
from postlicense.inspectors.models import Inspector
from postlicense.registry.credit_code import make_credit_code
from postlicense.registry.models import License, ProductCategory

from . import services
from .models import LabScope, LinkageNotice, NoticeEntry, TestingLab

CITY, COUNTY = "xuchang", "xuchang-weidu"
TODAY = date(2026, 11, 30)


def _signature(name):
    return "data:image/png;base64," + base64.b64encode(_signature_bytes(name)).decode()


def _photo(n):
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (235, 230, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 120, 520, 400), outline=(120, 30, 30), width=8)
    draw.line((120, 260, 520, 260), fill=(200, 20, 20), width=14)  # the seal strip
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return SimpleUploadedFile(f"封样照片{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _sample(order, day, n):
    crew = list(order.crew.select_related("inspector"))
    order = services.save_sampling(
        order,
        revision=order.revision,
        fields=dict(
            sampling_date=day,
            place="store" if n % 2 else "line",
            passed_factory_inspection=True,
            specification="P·O 42.5" if "水泥" in order.product else "标准规格",
            trademark="豫星",
            batch=f"{day:%Y%m%d}-{n:02d}",
            batch_size=f"{200 + 50 * n}吨",
            test_quantity="12kg（2袋）",
            reserve_quantity="12kg（2袋）",
            standard="GB 175-2023" if "水泥" in order.product else "产品执行标准",
            seal_no=f"许封-2026-{300 + n}",
            sealed_at=timezone.make_aware(datetime.combine(day, time(10, 30))),
        ),
    )
    for link in crew:
        services.sign_sampler(order, link.inspector, _signature(link.inspector.name))
    if n % 3 == 0:
        services.record_refusal(order, note="企业质量负责人以需请示总经理为由拒绝签字，抽样人员二人在场见证。")
    else:
        services.sign_enterprise(order, signer="王建国", data_url=_signature("王建国"))
    services.add_photo(order, _photo(n), by=None)
    return services.finish_sampling(order)


def load_demo(stdout):
    city = OrgUnit.objects.get(code=CITY)
    if TestingLab.objects.filter(region=city.region).exists():
        stdout.write("监督检验：演示数据已存在，跳过。")
        return
    unit = OrgUnit.objects.get(code=COUNTY)
    licenses = list(
        License.objects.filter(enterprise__supervising_unit=unit, status=License.Status.VALID, expiry_date__gt=TODAY)
        .select_related("enterprise", "product_category")
        .order_by("enterprise_id", "id")
    )
    by_enterprise = {}
    for lic in licenses:
        by_enterprise.setdefault(lic.enterprise_id, lic)
    licenses = list(by_enterprise.values())
    samplers = list(
        Inspector.objects.filter(org_unit=unit, active=True, certificate_valid_until__gte=date(2026, 12, 31))
        .filter(Q(certificate_valid_from__isnull=True) | Q(certificate_valid_from__lte=date(2026, 1, 1)))
        .order_by("-user_id", "id")[:2]
    )
    if len(licenses) < 14 or len(samplers) < 2:
        stdout.write("监督检验：演示名录中没有足够的获证企业或检查人员，跳过。")
        return

    categories = {lic.product_category_id for lic in licenses}
    lab = TestingLab.objects.create(
        region=city.region,
        name="许昌市产品质量检验检测中心",
        qualification_no="CMA 221612340123",
        qualification_valid_from=date(2022, 3, 1),
        qualification_valid_until=date(2028, 2, 28),
        address="许昌市魏都区七里店路88号",
        contact="赵主任 0374-2961234",
    )
    for i, category in enumerate(sorted(categories)):
        LabScope.objects.create(lab=lab, product_category_id=category, report_days=15 if i == 0 else None)
    expired = TestingLab.objects.create(
        region=city.region,
        name="许昌市建材产品质量检测站",
        qualification_no="CMA 201612340456",
        qualification_valid_from=date(2020, 6, 1),
        qualification_valid_until=date(2026, 5, 31),
        contact="钱站长 0374-2969876",
    )
    LabScope.objects.create(lab=expired, product_category=ProductCategory.objects.get(code="08"))

    def order(i, trigger="serious_quality", note=""):
        lic = licenses[i]
        return services.create_test(
            enterprise=lic.enterprise,
            license=lic,
            product=lic.product_category.name,
            trigger=trigger,
            trigger_note=note,
            samplers=samplers,
            org_unit=unit,
            today=date(2026, 9, 1),
        )

    S = services
    order(0)  # 待抽样
    S.record_not_sampled(
        order(1, "conditions"),
        sampling_date=date(2026, 11, 20),
        reason="企业已停产两个月，成品仓库无库存，生产线未开机。",
    )
    _sample(order(2), date(2026, 11, 26), 2)  # 已抽样待送检, due 12-03
    t = _sample(order(3, "rectification"), date(2026, 11, 10), 3)
    S.record_sending(
        t, lab=lab, sent_date=date(2026, 11, 20), late_reason="检验机构检测线检修，11月20日方可收样。"
    )  # sent late
    t = _sample(order(4), date(2026, 11, 2), 4)
    S.record_sending(t, lab=lab, sent_date=date(2026, 11, 5))
    S.record_receipt(t, received_date=date(2026, 11, 6))  # 检验中
    t = _sample(order(5, "other", "季度质量分析发现该产品投诉集中"), date(2026, 10, 12), 5)
    S.record_sending(t, lab=lab, sent_date=date(2026, 10, 14))
    S.record_receipt(t, received_date=date(2026, 10, 15))
    S.record_report(t, report_no="WT2026-1108", report_date=date(2026, 11, 6), result="qualified")
    S.record_notification(t, notified_date=date(2026, 11, 10), notify_method="直接送达（送达回证）")  # 合格，已处理
    t = _sample(order(12), date(2026, 10, 28), 12)
    S.record_sending(t, lab=lab, sent_date=date(2026, 10, 30))
    S.record_receipt(t, received_date=date(2026, 11, 2))
    S.record_report(t, report_no="WT2026-1127", report_date=date(2026, 11, 27), result="qualified")  # 待告知
    failed = []
    for i, (sampled, notified) in enumerate(
        [(date(2026, 10, 9), date(2026, 11, 20)), (date(2026, 9, 7), date(2026, 10, 19))]
    ):
        t = _sample(order(6 + i), sampled, 6 + i)
        S.record_sending(t, lab=lab, sent_date=sampled + timedelta(days=3))
        S.record_receipt(t, received_date=sampled + timedelta(days=4))
        S.record_report(
            t,
            report_no=f"WT2026-{1000 + i}",
            report_date=notified - timedelta(days=3),
            result="unqualified",
            failed_items="3天抗压强度、烧失量" if i == 0 else "细度",
            hazard_level="major" if i == 0 else "general",
        )
        S.record_notification(
            t,
            notified_date=notified,
            notify_method="直接送达（送达回证）",
            stop_selling_date=notified,
            stop_selling_method="当场送达责令停止销售通知",
        )
        failed.append(t)
    S.record_retest_request(
        failed[1], requested_date=date(2026, 10, 28), note="企业对细度结果有异议，申请用备用样品复检"
    )

    _failed_and_rechecked(licenses[13], samplers, lab, unit)

    special = current_template("production_conditions_004")
    S.register_complaint(
        unit=city,
        source="hotline",
        received_date=date(2026, 11, 23),
        content="反映该企业夜间生产的水泥未经出厂检验即装车销售。",
        enterprise=licenses[8].enterprise,
        created_by=None,
    )
    c2 = S.register_complaint(
        unit=city,
        source="online",
        received_date=date(2026, 11, 2),
        content="网络反映该企业产品包装未标注生产许可证编号。",
        enterprise=licenses[9].enterprise,
    )
    S.assign_complaint(c2, unit=unit)
    S.answer_complaint(
        c2,
        substantiated=True,
        answer="经现场核查，部分批次包装未标注许可证编号，举报属实，已派发专项检查。",
        answered_date=date(2026, 11, 13),
        inspection={"template_version": special, "inspectors": samplers, "due_date": date(2026, 12, 15)},
    )
    S.register_complaint(
        unit=city,
        source="letter",
        received_date=date(2026, 11, 25),
        content="来信反映某无名小厂生产电线，未见许可证。",
        enterprise_text="长葛市某电线加工点",
    )
    notice = S.register_notice(
        region=city.region,
        source=LinkageNotice.Source.PROVINCIAL_SAMPLING,
        doc_no="豫市监质〔2026〕45号",
        doc_date=date(2026, 11, 5),
        received_date=date(2026, 11, 10),
        product=licenses[10].product_category.name,
        failed_items="省级监督抽查不合格",
        rows=[
            {
                "credit_code": licenses[10].enterprise.credit_code,
                "enterprise_name": licenses[10].enterprise.name,
                "product": "",
                "failed_items": "",
            },
            {
                "credit_code": licenses[11].enterprise.credit_code,
                "enterprise_name": licenses[11].enterprise.name,
                "product": "",
                "failed_items": "",
            },
            {
                "credit_code": make_credit_code("411002", 99000045),
                "enterprise_name": "许昌市魏都区某建材经营部",
                "product": "",
                "failed_items": "标称该企业生产，名录中无此获证企业",
            },
        ],
    )
    S.order_rectification_for_notice(notice, by=_staff(unit), today=date(2026, 11, 12))
    stdout.write(
        f"监督检验：检验机构 2 家，监督检验 11 项（含不合格 4 项，其中 1 项已责令改正、复查抽样仍不合格），"
        f"通报后责令改正 {NoticeEntry.objects.filter(rectification_order__isnull=False).count()} 家，举报投诉 3 件，通报 1 份"
        f"（专项检查 {InspectionRecord.objects.filter(trigger_evidence__isnull=False).count()} 项，疑似无证线索 1 条）。"
    )


def _staff(unit):
    return ensure_demo_user(f"{unit.code}-{ROLE_SUFFIX[User.Role.COUNTY_STAFF]}", User.Role.COUNTY_STAFF, unit)


def _lab_report(test, lab, sampled, reported, report_no, failed_items):
    services.record_sending(test, lab=lab, sent_date=sampled + timedelta(days=2))
    services.record_receipt(test, received_date=sampled + timedelta(days=3))
    return services.record_report(
        test,
        report_no=report_no,
        report_date=reported,
        result="unqualified",
        failed_items=failed_items,
        hazard_level="general",
    )


def _failed_and_rechecked(lic, samplers, lab, unit):
    """A failure carried through (抽查办法 第四十五至四十七条): told 09-01, no 复检 by 09-16, the order issued 09-18
    and served 09-21 (60 日 → 11-20), the term ran out unreported, the 复查 sampling 11-23 failed again (11-27):
    the revocation proposal (条例 第五十四条) waits for the county to confirm."""
    staff = _staff(unit)
    kw = dict(enterprise=lic.enterprise, license=lic, product=lic.product_category.name, samplers=samplers)
    first = _sample(
        services.create_test(**kw, trigger="serious_quality", org_unit=unit, today=date(2026, 8, 10)),
        date(2026, 8, 10),
        13,
    )
    first = _lab_report(first, lab, date(2026, 8, 10), date(2026, 8, 28), "WT2026-0828", "标志\n包装")
    services.record_notification(
        first,
        notified_date=date(2026, 9, 1),
        notify_method="直接送达（送达回证）",
        stop_selling_date=date(2026, 9, 1),
        stop_selling_method="当场送达责令停止销售通知",
    )
    order = services.order_rectification(first, by=staff, today=date(2026, 9, 18))
    order = followup.serve_order(
        order,
        by=staff,
        served_on=date(2026, 9, 21),
        method="direct",
        receiver=lic.enterprise.legal_representative or "企业负责人",
        today=date(2026, 9, 21),
    )
    again = services.create_test(
        **kw, trigger="rectification", org_unit=unit, source_order=order, today=date(2026, 11, 23)
    )
    _lab_report(
        _sample(again, date(2026, 11, 23), 14), lab, date(2026, 11, 23), date(2026, 11, 27), "WT2026-1127F", "标志"
    )
