from base64 import b32encode
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import deadlines, history, otp, selectors, users
from .concurrency import StaleEdit
from .forms import DeadlineSettingForm, NewUserForm, OTPTokenForm, UserForm
from .http import next_url
from .models import DeadlineSetting
from .todo import todo_for
from .workdays import add_working_days


@login_required
def org_unit_list(request):
    return render(request, "core/org_unit_list.html", {"org_units": selectors.org_units_for(request.user)})


@login_required
def record_history(request, label, pk):
    obj, entries = selectors.record_history(request.user, label, pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = history.describe(page.object_list, type(obj))
    return render(request, "core/record_history.html", {"obj": obj, "page": page, "rows": rows})


@login_required
def calendar(request):
    years = selectors.calendar_years()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else date.today().year
    context = {"years": years, "year": year, "days": selectors.calendar_days(year)}
    start, n = request.GET.get("start"), request.GET.get("n")
    if start and n:
        try:
            context["result"] = add_working_days(date.fromisoformat(start), int(n))
        except ValueError:
            context["error"] = "请输入有效的日期（YYYY-MM-DD）和正整数天数。"
        except ValidationError as exc:
            context["error"] = exc.messages[0]
    template = "core/calendar.html#result" if request.htmx else "core/calendar.html"
    return render(request, template, context)


def _after_otp(request):
    home = reverse("home")
    target = next_url(request, home)
    return home if target.startswith(reverse("core:otp_verify")) else target  # no loop through an edited next


@login_required
def otp_verify(request):
    """After the password, the one-time password (or a recovery code) where REQUIRE_2FA asks for one."""
    if not otp.needs_verification(request.user):
        return redirect(_after_otp(request))
    if otp.confirmed_totp(request.user) is None:
        return redirect(f"{reverse('core:otp_enrol')}?{request.GET.urlencode()}")
    form = OTPTokenForm(request.POST or None)
    if form.is_valid():
        try:
            otp.verify(request, form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            return redirect(_after_otp(request))
    return render(request, "core/otp_verify.html", {"form": form, "next": _after_otp(request)})


@never_cache  # the key and the recovery codes must not stay in the browser's cache
@login_required
def otp_enrol(request):
    """Enrolment: scan the code, confirm with the first one-time password, note the recovery codes (shown once)."""
    if not otp.required_for(request.user) or otp.confirmed_totp(request.user) is not None:
        return redirect(_after_otp(request))
    device = otp.pending_totp(request.user)
    form = OTPTokenForm(request.POST or None)
    if form.is_valid():
        try:
            codes = otp.confirm_enrolment(request, form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc)
        else:
            return render(request, "core/otp_recovery_codes.html", {"codes": codes, "next": _after_otp(request)})
    context = {"form": form, "qr": otp.qr_data_uri(device), "secret": b32encode(device.bin_key).decode()}
    return render(request, "core/otp_enrol.html", context)


def _manager_only(request):
    if not users.can_manage_users(request.user):
        raise PermissionDenied("只有市局管理员可以管理用户。")


@login_required
def user_list(request):
    _manager_only(request)
    rows = users.manageable_users(request.user).order_by("org_unit__region_id", "org_unit__name", "username")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/user_list.html", {"page": page})


@login_required
def user_create(request):
    _manager_only(request)
    form = NewUserForm(request.POST or None, manager=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = users.create_user(
                request.user,
                password=data["password1"],
                **{k: data[k] for k in ("username", "display_name", "role", "org_unit")},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已新增用户 {user.username}。")
            return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form, "title": "新增用户"})


@login_required
def user_edit(request, pk):
    _manager_only(request)
    user = users.manageable_user_or_404(request.user, pk)
    form = UserForm(request.POST or None, instance=user, manager=request.user)
    if form.is_valid():
        try:
            saved = users.update_user(request.user, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if saved is not None:
                messages.success(request, f"已保存用户 {user.username}。")
                return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form, "title": f"修改用户 {user.username}", "target": user})


@login_required
def user_password(request, pk):
    _manager_only(request)
    user = users.manageable_user_or_404(request.user, pk)
    form = SetPasswordForm(user, request.POST or None)
    if form.is_valid():
        users.reset_password(user, form.cleaned_data["new_password1"])
        messages.success(request, f"已重置用户 {user.username} 的密码。")
        return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form, "title": f"重置密码：{user.username}", "target": user})


@login_required
@require_POST
def user_active(request, pk):
    _manager_only(request)
    user = users.manageable_user_or_404(request.user, pk)
    active = request.POST.get("active") == "1"
    try:
        users.set_active(request.user, user, active)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已{'启用' if active else '停用'}用户 {user.username}。")
    return redirect("core:user_list")


@login_required
@require_POST
def user_two_factor_reset(request, pk):
    _manager_only(request)
    user = users.manageable_user_or_404(request.user, pk)
    users.reset_two_factor(request.user, user)
    messages.success(request, f"已重置用户 {user.username} 的双因素认证，该用户下次登录时重新绑定。")
    return redirect("core:user_list")


@login_required
def todo(request):
    todo_list = todo_for(request.user)
    notifications = selectors.unread_notifications(request.user)
    return render(request, "core/todo.html", {"todo": todo_list, "notifications": notifications})


@login_required
@require_POST
def notifications_read(request):
    selectors.unread_notifications(request.user).update(read_at=timezone.now())
    return redirect("core:todo")


@login_required
def deadline_settings(request):
    unit = request.user.org_unit
    return render(
        request,
        "core/deadline_settings.html",
        {
            "rows": deadlines.overview(unit.region_id if unit else None),
            "can_edit": deadlines.can_edit(request.user),
            "region": unit.region if unit else None,
        },
    )


@login_required
def deadline_edit(request, key):
    region = deadlines.city_region_of(request.user)
    if key not in deadlines.PERIODS:
        raise Http404("未找到该期限。")
    current = deadlines.Deadlines(region.code).period(key)
    instance = DeadlineSetting.objects.filter(region=region, key=key).first() or DeadlineSetting(
        region=region, key=key, n=current.n, basis=current.basis
    )
    form = DeadlineSettingForm(request.POST or None, instance=instance, unit=current.unit)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.check_version()
                deadlines.set_period(request.user, key, form.cleaned_data["n"], form.cleaned_data["basis"])
        except StaleEdit as exc:
            form.refuse(exc)
        else:
            messages.success(request, f"已保存“{current.label}”。")
            return redirect("core:deadline_settings")
    return render(request, "core/deadline_edit.html", {"form": form, "period": current, "region": region})
