"""core.forms.PlainSelect writes the markup Django's Select renders through its templates (issue 12 item 7)."""

import re

import pytest
from django import forms

from postlicense.core.forms import PlainSelect
from postlicense.core.models import OrgUnit

CHOICES = [
    ("", "全部"),
    ("a&b", '<甲> & "乙"'),
    ("分组", [(1, "一"), (2, "二")]),
    (3, "三"),
]


def same(html):
    """Django's template puts newlines and indentation between the tags; the markup is otherwise the same."""
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("value", [None, "", "a&b", 2, [2]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_x", "required": True, "disabled": False, "data-n": 5}])
def test_the_same_markup_as_django_select(value, attrs):
    django, plain = forms.Select(choices=CHOICES), PlainSelect(choices=CHOICES)
    assert same(plain.render("x", value, attrs)) == same(django.render("x", value, attrs))


def test_a_model_choice_field_renders_its_keys_and_the_selected_one(db):
    units = OrgUnit.objects.order_by("pk")[:3]
    chosen = units[1]

    def render(widget):
        field = forms.ModelChoiceField(units, empty_label="全部", widget=widget)
        return field.widget.render("unit", chosen.pk, {"id": "u"})

    assert same(render(PlainSelect)) == same(render(forms.Select))
    assert f'<option value="{chosen.pk}" selected>{chosen}</option>' in render(PlainSelect)
