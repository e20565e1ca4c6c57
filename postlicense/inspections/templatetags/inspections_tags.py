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
