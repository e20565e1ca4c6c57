"""Authentication backend: Django's ModelBackend, loading the user's org unit and region with the user.

Every logged-in request resolves the user's jurisdiction (core.scoping: org unit, then its region); with the plain
backend that was three queries after the session's (user, org unit, region), now it is one (issue 12 item 6).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class UserWithUnitBackend(ModelBackend):
    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("org_unit__region").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
