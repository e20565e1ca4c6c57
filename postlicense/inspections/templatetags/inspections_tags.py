from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def item_error(errors, item_id):
    """The error a record form holds for a checklist item (key "item-<id>")."""
    return (errors or {}).get(f"item-{item_id}", "")


@register.filter
def equipment_error(errors, row_id):
    """The error a record form holds for a key-equipment row's quantity (key "eq-qty-<id>")."""
    return (errors or {}).get(f"eq-qty-{row_id}", "")


@register.simple_tag(takes_context=True)
def record_panels(context, record):
    """Panels other apps add to a record's page (an AppConfig `record_panels(record, user)` returning HTML), e.g. the
    evidence of a special inspection's trigger."""
    from django.apps import apps
    from django.utils.safestring import mark_safe

    user = context["request"].user
    panels = []
    for config in apps.get_app_configs():
        if hasattr(config, "record_panels"):
            panels.extend(config.record_panels(record, user))
    return mark_safe("".join(panels))
