"""Checklists as versioned data, inspection records of every kind, findings, signatures, attachments,
amendments and the problems handed to follow-up (DESIGN.md: inspections)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from postlicense.core.models import AuditedModel, OrgUnit, enterprise_region_copy
from postlicense.core.scoping import ScopedQuerySet, ScopePaths
from postlicense.inspectors.models import Inspector
from postlicense.registry.models import Enterprise, KeyEquipment, License

RECORD_SCOPE = dict(
    region="region",
    unit="enterprise__supervising_unit",
    inspector_user="inspectors__user",
    enterprise_user="enterprise__accounts__user",
)


def _scope_via(prefix):
    return ScopePaths(**{k: f"{prefix}__{v}" for k, v in RECORD_SCOPE.items()})


class ChecklistTemplate(AuditedModel):
    """检查表: a form whose content lives in its versions."""

    code = models.SlugField("代号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    source = models.CharField("依据", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "检查表"

    def __str__(self):
        return self.name


class ChecklistVersion(AuditedModel):
    """One immutable edition of a checklist. A record keeps the version it was filled on;
    a published version is never edited: changing a checklist makes the next version."""

    class Rule(models.TextChoices):
        NO_NONCONFORMITY = "no_nonconformity", "未发现不符合项为合格，否则为不合格"

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="versions", verbose_name="检查表"
    )
    number = models.PositiveIntegerField("版本号")
    title = models.CharField("表头标题", max_length=200)
    header_label = models.CharField("企业栏标题", max_length=50, default="企业名称")
    unit_label = models.CharField("单位栏标题", max_length=50, blank=True, help_text="如“所属分局”；留空则不打印")
    extra_fields = models.JSONField(
        "附加栏目",
        default=list,
        blank=True,
        help_text='[{"key": "due", "label": "应完成巡查、年审企业数", "group": "证后巡查及年审情况"}]',
    )
    item_section = models.CharField("检查项分组标题", max_length=50, blank=True)
    inspectors_label = models.CharField("检查人员栏标题", max_length=50, default="检查组组员（签名）")
    enterprise_label = models.CharField(
        "企业栏签名标题",
        max_length=50,
        blank=True,
        default="企业负责人/代表（签名）",
        help_text="留空：本表没有企业签字栏（如督查互查工作检查表只有检查人员签字），完成检查不需要企业签字",
    )
    enterprise_opinion = models.BooleanField("有“企业意见”栏", default=True)
    has_problems_summary = models.BooleanField(
        "有“现场检查发现的问题汇总”栏", default=True, help_text="有此栏时，存在不符合项须填写问题汇总才能完成检查"
    )
    has_equipment_table = models.BooleanField(
        "有关键生产设备表",
        default=True,
        help_text="一企两表的第二张表：派发时列出企业登记的关键设备，现场逐台核对后才能完成检查；督查互查工作检查表没有",
    )
    notes = models.TextField("注", blank=True)
    copies = models.PositiveSmallIntegerField("份数", default=2)
    conclusion_rule = models.CharField(
        "结论判定原则", max_length=30, choices=Rule.choices, default=Rule.NO_NONCONFORMITY
    )
    kinds = models.JSONField(
        "适用检查类型",
        default=list,
        blank=True,
        help_text="InspectionRecord.Kind 的取值；派发时只提供适用于该检查类型的检查表",
    )
    published = models.BooleanField("已发布", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_checklist_version")]
        verbose_name = verbose_name_plural = "检查表版本"

    def __str__(self):
        return f"{self.template.name} 第{self.number}版"


class ChecklistItem(AuditedModel):
    """检查项. `options` are the 检查记录 choices; `conclusions` the 单项检查结论 choices (empty: the item has
    no single conclusion and `nonconforming_options` say which answers are a nonconformity, as in 000's 是/否).
    `option_conclusions` maps an option to the conclusions it allows ({} or a missing option: any);
    `option_groups` maps a flattened nested option to its [parent, child] labels ("有（已处理）" → ["有", "已处理"]);
    `register_check` names the register fact the item's answer is checked against."""

    class RegisterCheck(models.TextChoices):
        LICENSE_VALID = "license_valid", "检查日期有效的生产许可证"
        KEY_EQUIPMENT = "key_equipment", "关键设备核对结果"
        CALIBRATION = "calibration", "计量器具检定有效期"
        OPEN_PROBLEMS = "open_problems", "企业未关闭的问题"

    version = models.ForeignKey(ChecklistVersion, on_delete=models.CASCADE, related_name="items", verbose_name="版本")
    position = models.PositiveSmallIntegerField("顺序")
    number = models.CharField("序号", max_length=10, blank=True)
    text = models.TextField("检查项目")
    options = models.JSONField("检查记录选项", default=list, blank=True)
    conclusions = models.JSONField("单项检查结论选项", default=list, blank=True)
    nonconforming_options = models.JSONField("视为不符合的检查记录", default=list, blank=True)
    option_conclusions = models.JSONField("检查记录允许的单项结论", default=dict, blank=True)
    option_groups = models.JSONField("嵌套选项", default=dict, blank=True)
    register_check = models.CharField("与登记信息核对", max_length=20, choices=RegisterCheck.choices, blank=True)
    register_agreement = models.JSONField(
        "与登记信息一致的检查记录",
        default=dict,
        blank=True,
        help_text='{"problem": [登记信息显示有问题时一致的检查记录], "clear": [登记信息显示无问题时一致的检查记录]}；缺一侧则该侧不核对',
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="unique_item_position")]
        verbose_name = verbose_name_plural = "检查项"

    def __str__(self):
        return f"{self.number} {self.text[:30]}"

    @property
    def option_tree(self):
        """The options as the form shows them: a plain option, or a parent holding its nested choices
        ("有" → 已处理 / 未处理), in the order of `options`."""
        tree, parents = [], {}
        for option in self.options:
            parent, child = self.option_groups.get(option, (None, None))
            if parent is None:
                tree.append({"label": option, "value": option, "children": []})
            elif parent in parents:
                parents[parent]["children"].append({"label": child, "value": option})
            else:
                parents[parent] = {"label": parent, "value": None, "children": [{"label": child, "value": option}]}
                tree.append(parents[parent])
        return tree


class InspectionRecord(AuditedModel):
    """检查记录 (一企两表's first table), of any kind. Once finished it is locked: changes are Amendments."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", "定期监督检查"
        UNSCHEDULED = "unscheduled", "不定期监督检查"
        PATROL = "patrol", "巡查"
        REVISIT = "revisit", "回访/复查"
        SPECIAL = "special", "专项检查"
        RANDOM_CHECK = "random_check", "双随机抽查"
        CROSS_AUDIT = "cross_audit", "督查互查"
        FLIGHT = "flight", "飞行检查"

    class Trigger(models.TextChoices):
        # 002 第七条 (一)–(六)
        COMPLAINT = "complaint", "企业在生产经营过程中被举报"
        MEDIA = "media", "企业在生产经营过程中被媒体曝光"
        COUNTERFEIT = "counterfeit", "企业涉嫌存在制假售假行为和记录"
        ACCIDENT = "accident", "企业在生产经营过程中发生重大质量事故"
        QUALITY_AUDIT = (
            "quality_audit",
            "需要对实地核查组审查质量、获证企业持续保持生产合格产品能力、各级监管部门证后监管质量进行抽查",
        )
        ASSIGNED = "assigned", "上级交办的检查"

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "待检查"
        IN_PROGRESS = "in_progress", "检查中"
        FINISHED = "finished", "已完成"
        NOT_CARRIED_OUT = "not_carried_out", "未实施"

    OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)

    class Conclusion(models.TextChoices):
        QUALIFIED = "qualified", "合格"
        UNQUALIFIED = "unqualified", "不合格"

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="inspections", verbose_name="企业"
    )
    kind = models.CharField("检查类型", max_length=20, choices=Kind.choices)
    special_trigger = models.CharField("专项检查原因", max_length=20, choices=Trigger.choices, blank=True)
    licenses = models.ManyToManyField(License, blank=True, related_name="inspections", verbose_name="生产许可证")
    template_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, related_name="records", verbose_name="检查表版本"
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="inspections", verbose_name="检查单位")
    inspectors = models.ManyToManyField(
        Inspector, through="RecordInspector", related_name="inspections", verbose_name="检查人员"
    )
    due_date = models.DateField("完成期限", null=True, blank=True)
    inspection_date = models.DateField("检查日期", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    not_carried_out_reason = models.TextField("未实施原因", blank=True)
    conclusion = models.CharField("检查结论", max_length=12, choices=Conclusion.choices, blank=True)
    problems_summary = models.TextField("现场检查发现的问题汇总", blank=True)
    enterprise_opinion = models.TextField("企业意见", blank=True)
    extra_values = models.JSONField("附加栏目内容", default=dict, blank=True)
    item_scope = models.JSONField(
        "只检查的检查项",
        default=list,
        blank=True,
        help_text="检查项 id；为空则检查全部检查项。回访/复查只重新检查上次不符合的项目",
    )
    enterprise_signer = models.CharField("企业负责人/代表", max_length=50, blank=True)
    enterprise_signature = models.ImageField("企业签名", upload_to="signatures/%Y/%m/", blank=True)
    enterprise_signed_at = models.DateTimeField("企业签字时间", null=True, blank=True)
    enterprise_refused = models.BooleanField("企业拒绝签字", default=False)
    enterprise_refusal_note = models.TextField("拒绝签字情况说明", blank=True)
    revision = models.PositiveIntegerField(
        "草稿版本", default=0, help_text="每次保存加一；过期的草稿提交被拒绝，不会覆盖新内容"
    )
    submission_token = models.UUIDField(
        "提交标识",
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="新建表单的一次性标识：重复提交同一表单不会重复创建",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="派发人",
    )
    created_at = models.DateTimeField("派发时间", auto_now_add=True)
    crew_assigned_at = models.DateTimeField("指派检查组时间", null=True, blank=True)
    crew_assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="指派检查组人",
    )
    crew_match_seed = models.CharField(
        "随机匹配种子", max_length=100, blank=True, help_text="随机匹配检查组时所用的种子；为空则为人工指派"
    )
    crew_token = models.UUIDField(
        "指派检查组提交标识",
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="指派检查组表单的一次性标识：重复提交同一表单不会重复指派",
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="完成人",
    )

    # the enterprise's region, copied (kept true by the register's enterprises_moved hook, InspectionsConfig): a
    # county's record list and its count read this table alone, where the join made PostgreSQL look up the
    # enterprise of every record in the country
    region = enterprise_region_copy()

    audit_exclude = frozenset({"region_id"})  # a copy of the register's
    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(**RECORD_SCOPE)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["enterprise", "-inspection_date"]),
            # the scope's LIKE 'prefix%' on the region, newest first
            models.Index(fields=["region", "-id"], name="record_by_region", opclasses=["varchar_pattern_ops", ""]),
        ]
        verbose_name = verbose_name_plural = "检查记录"

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:  # a new row, also one copied from another (pk set to None)
            self.region_id = self.enterprise.region_id
        super().save(*args, **kwargs)

    def __str__(self):
        # a dict, not get_kind_display(), which hashes the choices on every call: a dispatch names 100,000
        # records in its audit entries
        return f"{_KIND_LABELS.get(self.kind, self.kind)} · {self.enterprise.name}"

    @property
    def is_locked(self):
        return self.status == self.Status.FINISHED

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def get_absolute_url(self):
        return reverse("inspections:record_detail", args=[self.pk])

    @property
    def has_equipment_table(self):
        """The 关键生产设备表 is filled on a full inspection; a revisit limited to its failed items skips it."""
        return self.template_version.has_equipment_table and not self.item_scope

    def checked_items(self):
        """The checklist items this record answers: all of its version's, or only those of `item_scope` (a revisit
        re-answers the items that failed). The queryset is kept on the instance, so the form, the register facts
        and the finish checks of one request read the items once (a version a record uses never changes)."""
        key = (self.template_version_id, tuple(self.item_scope or ()))
        kept = self.__dict__.get("_checked_items")
        if kept is None or kept[0] != key:
            items = self.template_version.items.all()
            kept = self.__dict__["_checked_items"] = (
                key,
                items.filter(pk__in=self.item_scope) if self.item_scope else items,
            )
        return kept[1]

    def locked(self):
        """This record's row again, locked until the transaction ends (select_for_update), with its enterprise (the
        audit entry names it) and the checklist items already read for this instance."""
        record = InspectionRecord.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=self.pk)
        if "_checked_items" in self.__dict__:
            record.__dict__["_checked_items"] = self.__dict__["_checked_items"]
        return record

    def get_fill_url(self):
        return reverse("inspections:record_fill", args=[self.pk])


_KIND_LABELS = dict(InspectionRecord.Kind.choices)


class RecordInspector(AuditedModel):
    """An inspector on a record, with their drawn signature."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="crew", verbose_name="检查记录")
    inspector = models.ForeignKey(
        Inspector, on_delete=models.PROTECT, related_name="record_links", verbose_name="检查人员"
    )
    signature = models.ImageField("签名", upload_to="signatures/%Y/%m/", blank=True)
    signed_at = models.DateTimeField("签字时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = _scope_via("record")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["record", "inspector"], name="unique_inspector_per_record")]
        verbose_name = verbose_name_plural = "检查人员签名"

    def __str__(self):
        return self.inspector.name


class Finding(AuditedModel):
    """One item as filled in: 检查记录 option, 单项检查结论, note."""

    record = models.ForeignKey(
        InspectionRecord, on_delete=models.CASCADE, related_name="findings", verbose_name="检查记录"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="findings", verbose_name="检查项")
    option = models.CharField("检查记录", max_length=100, blank=True)
    conclusion = models.CharField("单项检查结论", max_length=10, blank=True)
    note = models.TextField("备注", blank=True)
    register_confirmed = models.BooleanField(
        "我已核实", default=False, help_text="检查记录与登记信息不一致时，检查人员核实后确认"
    )
    register_note = models.TextField("核实说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = _scope_via("record")

    class Meta:
        ordering = ["item__position"]
        constraints = [models.UniqueConstraint(fields=["record", "item"], name="unique_finding_per_item")]
        verbose_name = verbose_name_plural = "检查项记录"

    def __str__(self):
        return f"{self.item.number} {self.option} {self.conclusion}".strip()


class Attachment(AuditedModel):
    """A photo or PDF on a finding, stored through Django's storage API (local or S3-compatible)."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="attachments", verbose_name="检查项记录"
    )
    file = models.FileField("文件", upload_to="inspections/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=50)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = _scope_via("finding__record")

    class Meta:
        ordering = ["id"]
        # The same file posted twice to the same finding (a double submit) is stored once.
        constraints = [models.UniqueConstraint(fields=["finding", "sha256"], name="unique_attachment_content")]
        verbose_name = verbose_name_plural = "附件"

    def __str__(self):
        return self.original_name

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class EquipmentCheck(AuditedModel):
    """关键生产设备表 as found on site, against the registered KeyEquipment (the second of the 一企两表)."""

    record = models.ForeignKey(
        InspectionRecord, on_delete=models.CASCADE, related_name="equipment_checks", verbose_name="检查记录"
    )
    registered = models.ForeignKey(
        KeyEquipment, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks", verbose_name="登记设备"
    )
    kind = models.CharField("类型", max_length=12, choices=KeyEquipment.Kind.choices)
    name = models.CharField("设备名称", max_length=100)
    model = models.CharField("规格型号", max_length=100, blank=True)
    registered_quantity = models.PositiveIntegerField("登记数量", default=0)
    found_quantity = models.PositiveIntegerField("现场数量", null=True, blank=True, help_text="空：尚未现场核对")
    found_model = models.CharField("现场规格型号", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = _scope_via("record")

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = verbose_name_plural = "关键设备核对"

    def __str__(self):
        return self.name


class Amendment(AuditedModel):
    """更正: the only way to change a finished record. Keeps who, when, why, and both versions."""

    record = models.ForeignKey(
        InspectionRecord, on_delete=models.CASCADE, related_name="amendments", verbose_name="检查记录"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="更正人")
    at = models.DateTimeField("更正时间", auto_now_add=True)
    reason = models.TextField("更正原因")
    changes = models.JSONField("更正内容", default=list)
    before = models.JSONField("更正前", default=dict)
    after = models.JSONField("更正后", default=dict)

    objects = ScopedQuerySet.as_manager()
    scope = _scope_via("record")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = verbose_name_plural = "检查记录更正"

    def __str__(self):
        return f"{self.record_id} 更正 {self.at:%Y-%m-%d %H:%M}"


class Problem(AuditedModel):
    """不符合项 handed to follow-up: opened when a record finishes, closed by the follow-up capability."""

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        PERSISTING = "persisting", "仍存在问题"  # found uncorrected at a revisit: still open, and escalates
        CLOSED = "closed", "已关闭"
        SUPERSEDED = "superseded", "更正撤销"  # an amendment removed the nonconformity: not a follow-up closure

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="problems", verbose_name="企业")
    record = models.ForeignKey(
        InspectionRecord, on_delete=models.PROTECT, related_name="problems", verbose_name="检查记录"
    )
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems", verbose_name="检查项记录"
    )
    description = models.TextField("问题")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField("发现时间", auto_now_add=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="关闭人",
    )
    outcome = models.TextField("处理结果", blank=True)
    closed_via = models.ForeignKey(
        InspectionRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closed_problems",
        verbose_name="复查记录",
        help_text="确认已整改的回访/复查记录；为空且已关闭的，是经决定（附理由）关闭的",
    )
    # set by follow-up (followup.services.issue_order) when an order lists the problem, never unset (orders are not
    # deleted): its to-do counts the open problems still to put on an order from a small partial index
    on_order = models.BooleanField("已列入通知书", default=False, editable=False)
    # the enterprise's region, copied (kept true by the register's enterprises_moved hook, InspectionsConfig), so
    # follow-up's to-do counts a county's problems without joining the register
    region = enterprise_region_copy()

    audit_exclude = frozenset({"region_id"})  # a copy of the register's
    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(
        region="region",
        unit="enterprise__supervising_unit",
        inspector_user="record__inspectors__user",
        enterprise_user="enterprise__accounts__user",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["record", "finding"], name="unique_problem_per_finding")]
        indexes = [
            # follow-up's to-do reads the open problems only (problems still to put on an order), oldest first
            models.Index(
                fields=["opened_at"], name="problem_open_by_age", condition=models.Q(status__in=["open", "persisting"])
            ),
            # ... and the open problems no order lists yet, by region (the scope's LIKE 'prefix%'), oldest first
            models.Index(
                fields=["region", "opened_at", "id"],
                opclasses=["varchar_pattern_ops", "", ""],
                name="problem_unlisted_by_region",
                condition=models.Q(status="open", on_order=False),
            ),
        ]
        verbose_name = verbose_name_plural = "问题"

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:  # a new row, also one copied from another (pk set to None)
            self.region_id = self.enterprise.region_id
        super().save(*args, **kwargs)

    def __str__(self):
        return self.description[:40]


class PrintTemplate(AuditedModel):
    """The Word (.docx) template an admin may replace; without an upload the shipped one is used."""

    template = models.OneToOneField(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="print_template", verbose_name="检查表"
    )
    docx = models.FileField("Word 模板（.docx）", upload_to="print_templates/")
    uploaded_at = models.DateTimeField("上传时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePaths(shared=True)

    class Meta:
        verbose_name = verbose_name_plural = "Word 打印模板"

    def __str__(self):
        return f"{self.template.name} Word 模板"
