"""Objects the supervision tests build: an enterprise with a valid credit code and license, two samplers with valid
certificates, a qualified lab whose scope covers the product, and a test walked along its chain."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from postlicense.core.models import OrgUnit
from postlicense.inspections.tests.factories import make_enterprise, make_inspector
from postlicense.inspections.tests.helpers import png_bytes, signature_data_url
from postlicense.registry.credit_code import make_credit_code
from postlicense.supervision import services
from postlicense.supervision.models import LabScope, TestingLab

_seq = itertools.count(1)


def enterprise(org_code="xuchang-weidu"):
    e = make_enterprise(org_code)
    e.credit_code = make_credit_code(e.region_id, 70_000_000 + next(_seq))
    e.save()
    return e


@dataclass
class World:
    enterprise: object
    license: object
    samplers: list
    lab: object
    unit: object


def make_lab(category, valid_until=date(2028, 12, 31), report_days=None, name="许昌市产品质量检验检测中心"):
    lab = TestingLab.objects.create(
        region=OrgUnit.objects.get(code="xuchang").region,
        name=name,
        qualification_no=f"CMA{next(_seq):08d}",
        qualification_valid_until=valid_until,
    )
    if category is not None:
        LabScope.objects.create(lab=lab, product_category=category, report_days=report_days)
    return lab


def make_world():
    e = enterprise()
    lic = e.licenses.get()
    return World(e, lic, [make_inspector(), make_inspector()], make_lab(lic.product_category), e.supervising_unit)


def new_test(world, **overrides):
    kwargs = dict(
        enterprise=world.enterprise,
        license=world.license,
        product="通用硅酸盐水泥",
        trigger="serious_quality",
        samplers=world.samplers,
        org_unit=world.unit,
    )
    return services.create_test(**{**kwargs, **overrides})


SHEET = dict(
    place="store",
    passed_factory_inspection=True,
    specification="P·O 42.5",
    trademark="豫星",
    batch="20241101-01",
    batch_size="500吨",
    test_quantity="12kg",
    reserve_quantity="12kg",
    standard="GB 175-2023",
    seal_no="许封-001",
)


def photo(name="seal.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def fill_sheet(order, day, **overrides):
    fields = {
        **SHEET,
        "sampling_date": day,
        "sealed_at": timezone.make_aware(datetime.combine(day, time(10))),
        **overrides,
    }
    return services.save_sampling(order, revision=order.revision, fields=fields)


def sign_all(order):
    for link in order.crew.select_related("inspector"):
        services.sign_sampler(order, link.inspector, signature_data_url(link.inspector.name))
    services.sign_enterprise(order, signer="王建国", data_url=signature_data_url("王建国"))
    services.add_photo(order, photo(), by=None)


def sampled(world, day=date(2026, 11, 2), **overrides):
    order = fill_sheet(new_test(world, **overrides), day)
    sign_all(order)
    return services.finish_sampling(order)


def reported(world, result="unqualified", day=date(2026, 10, 9)):
    order = sampled(world, day)
    order = services.record_sending(order, lab=world.lab, sent_date=day)
    order = services.record_receipt(order, received_date=day)
    return services.record_report(
        order,
        report_no="WT-1",
        report_date=day,
        result=result,
        failed_items="3天抗压强度" if result == "unqualified" else "",
        hazard_level="major" if result == "unqualified" else "",
    )
