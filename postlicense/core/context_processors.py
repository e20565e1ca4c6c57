from .navigation import nav_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.path
    items = nav_for(user)
    active = max(
        (i for i in items if current.startswith(i.url) and i.url != "/"), key=lambda i: len(i.url), default=None
    )
    return {"nav_items": items, "nav_active": active}
