from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """Counts for the user's jurisdiction, contributed by every app that defines `home_cards(user)`."""
    cards = []
    for config in apps.get_app_configs():
        if hasattr(config, "home_cards"):
            cards.extend(config.home_cards(request.user))
    return render(request, "home.html", {"cards": cards})
