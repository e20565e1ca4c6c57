"""The three checklists the seeds prescribe, word for word, as version 1 of each template.

Loaded by migration 0002 (`load_checklists`); migration 0005 adds what each version serves and how its answers
bind its conclusions (`annotate_checklists`); migration 0006 which answers agree with the register
(`bind_register_answers`) and the sources by the regulations' short names; migration 0007 adds the two patrol
checklists (`load_patrol_checklists`); migration 0008 gives the 000 sheet its 现场检查结论 and drops the rows the
seed does not have (`correct_cross_audit_sheet`); migration 0009 its key-equipment table (`drop_equipment_table_from_000`). All are idempotent; `install_checklists` runs them in order (tests that
flush the database call it).

Options with nested choices in the seed (003 items 10 and 11: "有（□已处理 □未处理） □无") are stored flattened, one
option per path ("有（已处理）"), and `groups` names the parent and child of each for printing and the form.
`allowed` gives, for each 检查记录 answer, the 单项检查结论 it permits (003 附件 注2: an answer that states a
nonconformity cannot be concluded 符合). `register_checks` names the items the register can answer.
"""

CONFORM = ["符合", "不符合"]
CONFORM_NA = ["符合", "不符合", "不适用"]

RANDOM_CHECK_003 = {
    "code": "random_check_003",
    "name": "“双随机一公开”监督检查表",
    "source": "许昌双随机实施方案 附件",
    "version": {
        "title": "“双随机一公开”监督检查表",
        "header_label": "企业名称（盖章）",
        "inspectors_label": "检查组组员（签名）",
        "enterprise_label": "企业负责人/代表（签名）",
        "enterprise_opinion": True,
        "notes": (
            "注：1. 其他需要检查的项目为企业需持续保持获证条件，满足相关产品生产许可证实施细则要求的内容等。"
            "（可在现场检查发现的问题汇总栏填写。）\n"
            "2. 检查结论判定原则：未发现不符合项，检查结论为合格；否则检查结论为不合格。"
        ),
    },
    "items": [
        ("1", "营业执照是否有效，生产许可证是否在有效期内", ["在有效期", "不在有效期"], CONFORM),
        (
            "2",
            "企业的生产条件与取证时相比是否发生重大变化（包括生产地址、产能、重要生产工艺和技术、关键生产设备和检验设备等"
            "与获证时相比是否发生变化），是否有在变化事项发生后1个月内向生产许可管理部门申请重新审查",
            ["未发生变化", "发生变化已重新审查", "发生变化未申请重新审查"],
            CONFORM,
        ),
        ("3", "是否存在超许可证范围生产产品的行为", ["存在", "不存在"], CONFORM),
        ("4", "是否按照规定要求在产品包装上标注生产许可证编号和标志", ["已标注", "未标注"], CONFORM_NA),
        (
            "5",
            "执行的产品标准是否现行有效，并按要求在企业产品标准信息公共服务平台向社会公开",
            ["有效", "无效"],
            CONFORM_NA,
        ),
        ("6", "是否对出厂产品进行检验并记录存档", ["进行检验并存档", "未进行检验", "检验记录不全"], CONFORM),
        (
            "7",
            "是否建立原材料进货台帐、对原材料进行检验并记录；如原材料属于许可证管理的，是否能提供相关许可证证明材料",
            ["已建立并执行", "已建立未执行", "未建立"],
            CONFORM,
        ),
        ("8", "使用的计量器具是否按规定检定并在检定有效期内", ["是", "否"], CONFORM),
        ("9", "是否符合国家产业政策规定（如有），不存在国家明令淘汰的落后工艺和设备", ["符合", "不符合"], CONFORM_NA),
        (
            "10",
            "对上次日常巡查中发现有问题的，是否整改完成并记录整改情况",
            ["有（已处理）", "有（未处理）", "无"],
            CONFORM_NA,
        ),
        (
            "11",
            "是否存在其它违反生产许可相关法律法规规章及规定的情形",
            ["有（涂改转让）", "有（生产假冒伪劣）", "有（其他违法行为）", "无"],
            CONFORM,
        ),
        ("12", "其他需要检查的项目。", [], []),
    ],
    "kinds": ["random_check"],
    "allowed": {
        "1": {"在有效期": ["符合"], "不在有效期": ["不符合"]},
        "2": {"未发生变化": ["符合"], "发生变化已重新审查": ["符合"], "发生变化未申请重新审查": ["不符合"]},
        "3": {"存在": ["不符合"], "不存在": ["符合"]},
        "4": {"已标注": ["符合"], "未标注": ["不符合"]},
        "5": {"有效": ["符合"], "无效": ["不符合"]},
        "6": {"进行检验并存档": ["符合"], "未进行检验": ["不符合"], "检验记录不全": ["不符合"]},
        "7": {"已建立并执行": ["符合"], "已建立未执行": ["不符合"], "未建立": ["不符合"]},
        "8": {"是": ["符合"], "否": ["不符合"]},
        "9": {"符合": ["符合"], "不符合": ["不符合"]},
        "10": {"有（已处理）": ["符合"], "有（未处理）": ["不符合"], "无": ["符合", "不适用"]},
        "11": {
            "有（涂改转让）": ["不符合"],
            "有（生产假冒伪劣）": ["不符合"],
            "有（其他违法行为）": ["不符合"],
            "无": ["符合"],
        },
    },
    "groups": {
        "10": {"有（已处理）": ["有", "已处理"], "有（未处理）": ["有", "未处理"]},
        "11": {
            "有（涂改转让）": ["有", "涂改转让"],
            "有（生产假冒伪劣）": ["有", "生产假冒伪劣"],
            "有（其他违法行为）": ["有", "其他违法行为"],
        },
    },
    "register_checks": {"1": "license_valid", "2": "key_equipment", "8": "calibration", "10": "open_problems"},
    # The answers that agree with the register when it shows a problem (license not valid on the inspection date,
    # equipment differing from the register, an instrument past its calibration date, open problems) or none.
    "register_agreement": {
        "1": {"problem": ["不在有效期"], "clear": ["在有效期"]},
        "2": {"problem": ["发生变化已重新审查", "发生变化未申请重新审查"]},
        "8": {"problem": ["否"], "clear": ["是"]},
        "10": {"problem": ["有（未处理）"], "clear": ["有（已处理）", "无"]},
    },
}

# 000 附件2: the free-text box after the items.
SITE_CONCLUSION = {"key": "site_conclusion", "label": "现场检查结论", "group": "", "type": "text"}

PATROL_000 = {
    "code": "patrol_000",
    "name": "工业产品生产许可证后监管督查互查工作检查表",
    "source": "滨海督查互查通知 附件2",
    "version": {
        "title": "工业产品生产许可证后监管督查互查工作检查表",
        "header_label": "企业名称",
        "unit_label": "所属分局",
        "inspectors_label": "检查人员",
        "enterprise_label": "",  # the seed sheet is signed by the 检查人员 only
        "enterprise_opinion": False,
        "item_section": "现场检查情况",
        "extra_fields": [
            {"key": "due", "label": "应完成巡查、年审企业数", "group": "证后巡查及年审情况", "type": "number"},
            {"key": "done", "label": "已完成巡查、年审企业数", "group": "证后巡查及年审情况", "type": "number"},
            {"key": "sampled", "label": "抽查巡查、年审材料数", "group": "证后巡查及年审情况", "type": "number"},
            {"key": "overall", "label": "巡查、年审材料抽查整体情况", "group": "证后巡查及年审情况", "type": "text"},
            {"key": "product", "label": "产品名称", "group": "现场检查情况", "type": "text"},
            SITE_CONCLUSION,
        ],
        "notes": "",
    },
    "items": [
        ("1", "是否按时提交了年度自查报告", ["是", "否"], []),
        ("2", "是否按照规定要求在产品包装上标注生产许可证编号和标识", ["是", "否"], []),
        ("3", "企业的生产条件否符合发证要求", ["是", "否"], []),
        ("4", "企业是否具备符合发证要求的检验条件", ["是", "否"], []),
        ("5", "原辅材料的进货验收是否索证索票", ["是", "否"], []),
        ("6", "是否能够提供符合要求的出厂检验记录和报告", ["是", "否"], []),
    ],
    "nonconforming": ["否"],
    "kinds": ["cross_audit"],
}

PRODUCTION_004 = {
    "code": "production_conditions_004",
    "name": "生产企业现场生产条件检查表",
    "source": "塔城监督检查计划 四、五",
    "version": {
        "title": "生产企业现场生产条件检查表",
        "header_label": "企业名称",
        "inspectors_label": "监督检查人员（签名）",
        "enterprise_label": "企业负责人（签名）",
        "enterprise_opinion": True,
        "notes": "一式两份，企业和当地监管部门各存档一份。",
    },
    "items": [
        ("1", "生产环境条件", [], CONFORM_NA),
        ("2", "进货查验结果", [], CONFORM_NA),
        ("3", "生产过程控制", [], CONFORM_NA),
        ("4", "产品出厂检验", [], CONFORM_NA),
        ("5", "贮存及交付控制", [], CONFORM_NA),
        ("6", "标识标注", [], CONFORM_NA),
        ("7", "不合格品管理", [], CONFORM_NA),
        ("8", "从业人员管理", [], CONFORM_NA),
        ("9", "产品质量安全事项处置", [], CONFORM_NA),
        ("10", "全过程记录执行", [], CONFORM_NA),
        ("11", "工业产品生产许可证企业持续满足生产资质要求", [], CONFORM_NA),
    ],
    "kinds": ["periodic", "unscheduled", "patrol", "special", "flight", "revisit"],
}

# The patrol items differ by source (DESIGN "Rules from the seeds"): each is its own template, items word for word.
# The seeds give no answer choices for them, so each item takes a 单项检查结论 and a free-text record, as 004's.
PATROL_001 = {
    "code": "patrol_001",
    "name": "获证企业巡查记录（总局后续监管意见）",
    "source": "总局后续监管意见 二(三)",
    "version": {
        "title": "获证企业巡查记录",
        "header_label": "企业名称",
        "inspectors_label": "检查人员（签名）",
        "enterprise_label": "企业负责人（签名）",
        "enterprise_opinion": True,
        "notes": "巡查中发现问题的，应视具体情况对企业采取帮扶、限期改正、抽样检验、停产整顿、行政处罚、移送相关部门处理等不同措施。",
    },
    "items": [
        ("1", "获证企业是否按照规定要求在产品包装上标注生产许可证编号和标识", [], CONFORM),
        (
            "2",
            "获证企业生产条件、检验手段、生产技术或工艺是否发生变化，若发生变化是否按照规定办理重新审查手续",
            [],
            CONFORM,
        ),
        (
            "3",
            "获证企业的原辅材料进货验收制度是否有效运行，有针对性地对企业原辅材料的采购进货、入库验收、保管和使用情况进行抽查",
            [],
            CONFORM,
        ),
        ("4", "获证企业产品出厂检验的实施情况，重点检查出厂检验记录和报告", [], CONFORM),
        ("5", "企业产品包装是否符合标识标注规定，是否存在误导、欺骗消费者的情况", [], CONFORM),
    ],
    "kinds": ["patrol"],
}

PATROL_002 = {
    "code": "patrol_002",
    "name": "获证企业巡查、回访记录（白城事中事后监管办法）",
    "source": "白城事中事后监管办法 第六条、第九条",
    "version": {
        "title": "获证企业巡查、回访记录",
        "header_label": "企业名称",
        "inspectors_label": "检查人员（签名）",
        "enterprise_label": "企业负责人员（签名）",
        "enterprise_opinion": True,
        "notes": "经检查人员和企业负责人员分别签字后，由监管部门归档。",
    },
    "items": [
        ("1", "是否按照规定要求在产品包装上标注生产许可证编号和标志", [], CONFORM),
        ("2", "生产条件、检验手段、生产技术或工艺是否已经发生变化，是否按照法定要求办理重新审查手续", [], CONFORM),
        (
            "3",
            "原辅材料进货验收制度是否有效运行，有针对性地对企业原辅材料的采购进货、入库验收、保管和使用情况进行抽查",
            [],
            CONFORM,
        ),
        ("4", "产品出厂检验的实施情况，重点检查出厂检验记录和报告", [], CONFORM),
        ("5", "企业产品包装是否符合标识标注规定，是否存在误导、欺骗消费者的情况", [], CONFORM),
        ("6", "获证企业执行产业政策情况", [], CONFORM),
    ],
    "kinds": ["patrol"],
}

CHECKLISTS = [RANDOM_CHECK_003, PATROL_000, PRODUCTION_004]
PATROL_CHECKLISTS = [PATROL_001, PATROL_002]


def load_checklists(apps, specs=CHECKLISTS):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Version = apps.get_model("inspections", "ChecklistVersion")
    Item = apps.get_model("inspections", "ChecklistItem")
    for spec in specs:
        template, _ = Template.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "source": spec["source"]}
        )
        if Version.objects.filter(template=template).exists():
            continue
        version = Version.objects.create(template=template, number=1, published=True, **spec["version"])
        Item.objects.bulk_create(
            Item(
                version=version,
                position=i,
                number=number,
                text=text,
                options=options,
                conclusions=conclusions,
                nonconforming_options=spec.get("nonconforming", []) if not conclusions else [],
            )
            for i, (number, text, options, conclusions) in enumerate(spec["items"], start=1)
        )


def annotate_checklists(apps, specs=CHECKLISTS):
    """Version 1 of each shipped checklist: the kinds it serves, and its items' allowed conclusions, option groups
    and register checks, from the specs above."""
    Version = apps.get_model("inspections", "ChecklistVersion")
    Item = apps.get_model("inspections", "ChecklistItem")
    for spec in specs:
        version = Version.objects.filter(template__code=spec["code"], number=1).first()
        if version is None:
            continue
        version.kinds = spec["kinds"]
        version.save(update_fields=["kinds"])
        for item in Item.objects.filter(version=version):
            item.option_conclusions = spec.get("allowed", {}).get(item.number, {})
            item.option_groups = spec.get("groups", {}).get(item.number, {})
            item.register_check = spec.get("register_checks", {}).get(item.number, "")
            item.save(update_fields=["option_conclusions", "option_groups", "register_check"])


def bind_register_answers(apps):
    """Version 1 of the 003 table: which answers agree with the register; the shipped sources by short name."""
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Item = apps.get_model("inspections", "ChecklistItem")
    for spec in CHECKLISTS:  # cited by the regulations' short names (DESIGN "Documents named in the UI")
        Template.objects.filter(code=spec["code"]).update(source=spec["source"])
    agreement = RANDOM_CHECK_003["register_agreement"]
    for item in Item.objects.filter(
        version__template__code=RANDOM_CHECK_003["code"], version__number=1, number__in=agreement
    ):
        item.register_agreement = agreement[item.number]
        item.save(update_fields=["register_agreement"])


def load_patrol_checklists(apps):
    load_checklists(apps, PATROL_CHECKLISTS)
    annotate_checklists(apps, PATROL_CHECKLISTS)


def correct_cross_audit_sheet(apps):
    """Version 1 of the 000 sheet as the seed has it: the free-text 现场检查结论 after the items (databases loaded
    before it was in the spec lack it), no 问题汇总 row and no enterprise signature. Idempotent."""
    Version = apps.get_model("inspections", "ChecklistVersion")
    for version in Version.objects.filter(template__code=PATROL_000["code"], number=1):
        if not any(field.get("key") == SITE_CONCLUSION["key"] for field in version.extra_fields):
            version.extra_fields = [*version.extra_fields, SITE_CONCLUSION]
        version.enterprise_label, version.has_problems_summary = "", False
        version.save(update_fields=["extra_fields", "enterprise_label", "has_problems_summary"])


def drop_equipment_table_from_000(apps):
    """The 000 sheet has no key-equipment table (the 003 table's 一企两表 has): version 1 of patrol_000 does not ask
    for one (migration 0009). Idempotent."""
    Version = apps.get_model("inspections", "ChecklistVersion")
    Version.objects.filter(template__code=PATROL_000["code"], number=1).update(has_equipment_table=False)


def install_checklists(apps):
    """Every shipped checklist as the migrations leave it."""
    load_checklists(apps)
    annotate_checklists(apps)
    bind_register_answers(apps)
    load_patrol_checklists(apps)
    correct_cross_audit_sheet(apps)
    drop_equipment_table_from_000(apps)
