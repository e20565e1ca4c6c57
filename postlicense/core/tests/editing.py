"""For tests of edit pages that carry a version (core.concurrency): two people in two browsers, and what a page's
form would post back."""

from django.test import Client


def loaded(client, url):
    """What the edit page at `url` holds, as its form would post it (the hidden version included)."""
    form = client.get(url).context["form"]
    return {bf.html_name: value for bf in form if (value := bf.value()) is not None}


def two_people(make_user, role, org_code):
    """Clients logged in as 甲 and 乙 of one unit: two browsers editing the same record."""
    clients = []
    for name in ("甲", "乙"):
        client = Client()
        client.force_login(make_user(role, org_code, display_name=name))
        clients.append(client)
    return clients
