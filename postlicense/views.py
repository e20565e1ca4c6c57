import re

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@login_required
def home(request):
    """Counts for the user's jurisdiction, contributed by every app that defines `home_cards(user)`."""
    cards = []
    for config in apps.get_app_configs():
        if hasattr(config, "home_cards"):
            cards.extend(config.home_cards(request.user))
    return render(request, "home.html", {"cards": cards})


def _user_message(exception):
    """The exception's message when it was written for the user: ours are Chinese ("未找到该记录，或不在您的管辖范围内。"),
    Django's own are English internals ("No Enterprise matches the given query.") and are not shown."""
    message = exception.args[0] if exception and exception.args else ""
    return message if isinstance(message, str) and CHINESE.search(message) else ""


def permission_denied(request, exception):
    return render(request, "403.html", {"message": _user_message(exception)}, status=403)


def page_not_found(request, exception):
    return render(request, "404.html", {"message": _user_message(exception)}, status=404)
