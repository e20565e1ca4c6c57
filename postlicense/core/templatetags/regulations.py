from django import template
from django.utils.html import format_html

from postlicense.core import regulations

register = template.Library()


@register.simple_tag(name="cite")
def cite_tag(seed, article=""):
    """<cite title="full title">short name article</cite>: {% cite "002" "第九条" %}."""
    return format_html(
        '<cite class="rule" title="{}">{}</cite>', regulations.title(seed), regulations.cite(seed, article)
    )
