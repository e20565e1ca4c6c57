from postlicense.selfservice import rules


def complete_post(report, **overrides):
    """The report form as a user posts it when every section is filled."""
    data = {
        "revision": report.revision,
        "changes_none": "on",
        "records_confirmed": "on",
        "declaration": "on",
        "declarant": "张三",
        "declarant_position": "总经理",
    }
    for row in report.content["products"]:
        data[f"product-{row['license']}-status"] = "正常生产"
        data[f"product-{row['license']}-output"] = "12万吨"
    for key, _ in rules.SELF_CHECK_ITEMS:
        data[f"check-{key}"] = "是"
    data.update(overrides)
    return data
