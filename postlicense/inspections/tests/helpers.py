"""Filling a record the way the form does, for service and view tests."""

import base64
import io
from datetime import date

from PIL import Image

from postlicense.inspections import services
from postlicense.inspections.demo import PASS_OPTION_003
from postlicense.inspections.demo import _signature_bytes as signature_bytes

from .factories import make_enterprise, make_inspector


def png_bytes(size=(60, 30), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, fmt)
    return buffer.getvalue()


def signature_data_url(name="检查员"):
    """A handwriting-like signature (the demo's), as the canvas posts it."""
    return "data:image/png;base64," + base64.b64encode(signature_bytes(name)).decode()


def new_record(code="random_check_003", inspectors=None, enterprise=None, user=None):
    """A dispatched record on checklist `code`, of the first kind that checklist serves."""
    enterprise = enterprise or make_enterprise()
    crew = inspectors if inspectors is not None else [make_inspector(user=user), make_inspector()]
    version = services.current_template(code)
    return services.create_inspection(
        enterprise=enterprise,
        kind=version.kinds[0],
        template_version=version,
        org_unit=enterprise.supervising_unit,
        inspectors=crew,
        due_date=date(2026, 10, 31),
    )


def passing_option(item):
    if not item.options:
        return ""
    return PASS_OPTION_003[item.number] if item.version.template.code == "random_check_003" else item.options[0]


def all_conforming(record):
    return {
        item.pk: (passing_option(item), ("符合" if item.conclusions else ""), "")
        for item in record.template_version.items.all()
    }


def as_registered(record):
    """The key-equipment table as found on site when nothing changed."""
    return {row.pk: (row.registered_quantity, row.model, "") for row in record.equipment_checks.all()}


def fill_and_sign(record, findings=None, summary="", day=date(2026, 5, 1), confirmations=None):
    record = services.save_draft(
        record,
        revision=record.revision,
        fields={"inspection_date": day, "problems_summary": summary},
        findings=findings or all_conforming(record),
        equipment=as_registered(record),
        confirmations=confirmations,
    )
    for link in record.crew.all():
        services.sign_as_inspector(record, link.inspector, signature_data_url(link.inspector.name))
    if record.template_version.enterprise_label:  # the 000 sheet has no enterprise signature
        services.sign_as_enterprise(record, signer="张三", data_url=signature_data_url("张三"))
    record.refresh_from_db()
    return record
