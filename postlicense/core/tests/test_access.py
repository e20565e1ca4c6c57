"""One guard for bureau pages: city and county staff pass, everyone else gets a 403 naming the action."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from postlicense.core.access import bureau_staff_required, require_bureau_staff
from postlicense.core.models import User


def _user(role, org_unit_id=1):
    return User(username=role, role=role, org_unit_id=org_unit_id)


@pytest.mark.parametrize("role", [User.Role.CITY_ADMIN, User.Role.COUNTY_STAFF])
def test_bureau_staff_pass(role):
    require_bureau_staff(_user(role), "使用报表")


@pytest.mark.parametrize("role", [User.Role.INSPECTOR, User.Role.ENTERPRISE])
def test_others_are_refused_with_the_action_named(role):
    with pytest.raises(PermissionDenied, match="只有市局、县局/分局人员可以使用报表。"):
        require_bureau_staff(_user(role), "使用报表")


def test_with_unit_refuses_staff_without_an_org_unit():
    require_bureau_staff(_user(User.Role.COUNTY_STAFF, None), "使用报表")
    with pytest.raises(PermissionDenied):
        require_bureau_staff(_user(User.Role.COUNTY_STAFF, None), "使用报表", with_unit=True)


def test_decorator_sends_anonymous_users_to_login_and_refuses_inspectors():
    view = bureau_staff_required("修改名录")(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/registry/")
    request.user = AnonymousUser()
    assert view(request).status_code == 302
    request.user = _user(User.Role.INSPECTOR)
    with pytest.raises(PermissionDenied, match="修改名录"):
        view(request)
    request.user = _user(User.Role.COUNTY_STAFF)
    assert view(request).content == b"ok"
