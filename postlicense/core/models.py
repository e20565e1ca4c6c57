from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from .scoping import ScopedQuerySet, ScopePaths


class AuditedModel(models.Model):
    """Base of every domain record: each create, update and delete lands in the audit chain."""

    audit_exclude = frozenset()  # fields kept out of the trail (secrets, noise)

    class Meta:
        abstract = True


def enterprise_region_copy():
    """A row's copy of its enterprise's region (follow-up's orders and escalations, inspections' problems): lists and
    counts are scoped without joining the register; the owning app answers the register's `enterprises_moved` hook
    to keep it true. Not indexed alone: each owner indexes it with the columns its lists read."""
    return models.ForeignKey(
        "core.Region",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name="企业所在区县",
    )


class Region(models.Model):
    """行政区划 by its GB/T 2260 six-digit code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        COUNTY = "county", "县级"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self):
        return f"{self.name}（{self.code}）"

    @property
    def scope_prefix(self):
        """The code prefix shared by this region and everything under it (GB/T 2260: 2/4/6 digits)."""
        return {self.Level.PROVINCE: self.code[:2], self.Level.CITY: self.code[:4]}.get(self.level, self.code)

    @property
    def full_name(self):
        names, region = [], self
        while region is not None:
            names.append(region.name)
            region = region.parent
        return "".join(reversed(names))


class OrgUnit(models.Model):
    """监管部门: 市局, 县局 or 分局. A 分局 shares its parent's region; its jurisdiction is its own enterprises."""

    class Kind(models.TextChoices):
        CITY = "city", "市局"
        COUNTY = "county", "县局"
        BRANCH = "branch", "分局"

    code = models.SlugField("代号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="org_units", verbose_name="行政区划")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级单位"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="region", unit="pk")

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = verbose_name_plural = "监管部门"

    def __str__(self):
        return self.name


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser, AuditedModel):
    audit_exclude = frozenset({"password", "last_login"})

    class Role(models.TextChoices):
        CITY_ADMIN = "city_admin", "市局管理员"
        COUNTY_STAFF = "county_staff", "县局/分局人员"
        INSPECTOR = "inspector", "检查人员"
        ENTERPRISE = "enterprise", "企业用户"

    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.COUNTY_STAFF)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name="所属单位"
    )
    display_name = models.CharField("姓名", max_length=50, blank=True)

    objects = ScopedUserManager()
    scope = ScopePaths(region="org_unit__region", unit="org_unit")

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    def get_full_name(self):  # Django admin's greeting and user lists
        return str(self)

    get_short_name = get_full_name

    @property
    def is_bureau_staff(self):
        return self.is_superuser or self.role in {self.Role.CITY_ADMIN, self.Role.COUNTY_STAFF}

    @property
    def sees_record_history(self):
        """The audit history of a record (who changed what, internal notes) is for bureau staff and inspectors."""
        return self.is_superuser or self.role != self.Role.ENTERPRISE

    @property
    def jurisdiction(self):
        from .scoping import jurisdiction_of

        return jurisdiction_of(self)


class AuditEntry(models.Model):
    """One link of the hash chain: hash = SHA-256(canonical content + previous entry's hash)."""

    class Action(models.TextChoices):
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_fail", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        LOGOUT = "logout", "退出登录"
        PASSWORD = "password", "修改密码"
        ACCESS = "access", "角色/权限变更"
        EXPORT = "export", "导出/下载"
        OTP_ENROL = "otp_enrol", "启用双因素认证"
        OTP_FAILED = "otp_fail", "动态口令错误"
        OTP_RECOVERY = "otp_recov", "使用恢复码"

    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="操作人"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    model = models.CharField("对象类型", max_length=100)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    changes = models.JSONField("变更内容")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["model", "object_id"])]
        # A constraint, not unique=True: PostgreSQL would add a second (LIKE) index that no query uses and
        # every appended entry pays for.
        constraints = [models.UniqueConstraint(fields=["hash"], name="unique_audit_hash")]
        verbose_name = verbose_name_plural = "审计日志"

    def __str__(self):
        return f"第 {self.pk} 条 {self.get_action_display()} {self.object_repr}"


class AuditHead(models.Model):
    """The chain's tip, so that deleting the newest entries is detected too."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"审计日志链尾：第 {self.last_id} 条，共 {self.count} 条"


class CalendarYear(AuditedModel):
    """A year whose holidays and adjusted working days are known (State Council notice)."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    source = models.CharField("来源", max_length=200)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["year"]
        verbose_name = verbose_name_plural = "工作日历年份"

    def __str__(self):
        return str(self.year)


class CalendarDay(AuditedModel):
    """An exception to Monday–Friday: a weekday holiday or a weekend adjusted to a working day (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", primary_key=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("节日", max_length=50, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["date"]
        verbose_name = verbose_name_plural = "节假日与调休"

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"


class DeadlineSetting(AuditedModel):
    """A city's own value for one of the named periods of core.deadlines (DESIGN "Deadlines": defaults marked
    (choice) are ours; a city admin may change them for the city, with the basis the notices will cite)."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="deadline_settings", verbose_name="适用区划"
    )
    key = models.CharField("期限", max_length=40)
    n = models.PositiveIntegerField("天数/日期")
    basis = models.CharField("依据", max_length=200)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(region="region")

    class Meta:
        verbose_name = verbose_name_plural = "期限设置"
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="core_deadline_setting_once")]

    def __str__(self):
        return f"{self.region.name} {self.key} {self.n}"


class Notification(models.Model):
    """An in-app message to one user (the daily reminder digest of their to-do list, core.reminders)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name="用户")
    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, default="reminder")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "站内提醒"
        constraints = [models.UniqueConstraint(fields=["user", "day", "kind"], name="core_notification_once_a_day")]

    def __str__(self):
        return self.title


from .jobs.models import DailyRun, Job, WorkerHeartbeat  # noqa: E402, F401 - the job framework's models (core.jobs)
