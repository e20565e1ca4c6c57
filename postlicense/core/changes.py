"""Writes that send no model signals (bulk inserts and updates, SQL over many rows) say what they wrote, so an app that
keeps figures derived from those rows (reports' completion counts) can follow: AppConfig hooks
`rows_written(model, objects)` and `enterprises_written(enterprise_ids)`, called in the writing transaction."""

from django.apps import apps


def _each(name, *args):
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if hook is not None:
            hook(*args)


def rows_written(model, objects):
    """Instances of `model` inserted or updated in bulk (core.bulk, audit.bulk_create_audited)."""
    _each("rows_written", model, objects)


def enterprises_written(enterprise_ids):
    """Rows about these enterprises written by SQL over many rows (no instances at hand)."""
    _each("enterprises_written", enterprise_ids)
