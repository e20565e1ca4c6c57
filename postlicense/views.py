import re

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@login_required
def home(request):
    """Counts and charts for the user's jurisdiction, contributed by every app that defines `home_cards(user)` or
    `home_charts(user)`."""
    cards, charts = [], []
    for config in apps.get_app_configs():
        if hasattr(config, "home_cards"):
            cards.extend(config.home_cards(request.user))
        if hasattr(config, "home_charts"):
            charts.extend(config.home_charts(request.user))
    charts = [(f"chart-{i}", chart) for i, chart in enumerate(charts, start=1)]
    return render(request, "home.html", {"cards": cards, "charts": charts})


def _user_message(exception):
    """The exception's message when it was written for the user: ours are Chinese ("未找到该记录，或不在您的管辖范围内。"),
    Django's own are English internals ("No Enterprise matches the given query.") and are not shown."""
    message = exception.args[0] if exception and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else ""


def permission_denied(request, exception):
    return render(request, "403.html", {"message": _user_message(exception)}, status=403)


def page_not_found(request, exception):
    return render(request, "404.html", {"message": _user_message(exception)}, status=404)
