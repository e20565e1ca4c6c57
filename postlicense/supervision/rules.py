"""The rules of supervision testing as plain functions (each returns {field: Chinese message}; empty when sound).

002 第十五条: four triggers; 其他 needs its reason.
002 第九条、第十六条: ≥2 inspectors holding a valid certificate take the samples, at random, from finished goods that
    passed factory inspection, in the finished-goods store or on the production line, and seal them.
002 第十七条: the samples reach a qualified lab within 7 日 (a later sending is recorded with its reason and flagged);
    the lab must be qualified on the sending day and its scope must cover the product.
产品质量法 第十五条: a re-test (复检) may be asked within 15 日 of receiving the result.
"""

import re

from postlicense.core.regulations import cite

MIN_SAMPLERS = 2
TRIGGER_RULE = cite("002", "第十五条")
SAMPLERS_RULE = cite("002", "第九条、第十六条")
PLACE_RULE = cite("002", "第十六条")
SENDING_RULE = cite("002", "第十七条")
RETEST_RULE = "产品质量法 第十五条"


def trigger_errors(trigger, note, other_value="other"):
    if trigger == other_value and not (note or "").strip():
        return {"trigger_note": f"选择“其他需要抽样检验的情形”时须说明原因（{TRIGGER_RULE}）。"}
    return {}


def sampler_errors(inspectors, day):
    """≥2 samplers, each with an enforcement certificate valid on `day`."""
    inspectors = list(dict.fromkeys(inspectors))
    if len(inspectors) < MIN_SAMPLERS:
        return {"samplers": f"抽样须由{MIN_SAMPLERS}名以上持有效执法证的检查人员进行（{SAMPLERS_RULE}）。"}
    invalid = [i for i in inspectors if not i.certificate_valid_on(day)]
    if invalid:
        names = "、".join(f"{i.name}（执法证有效期至 {i.certificate_valid_until:%Y-%m-%d}）" for i in invalid)
        return {"samplers": f"{names}的执法证在 {day:%Y-%m-%d} 不在有效期内，不能担任抽样人员（{SAMPLERS_RULE}）。"}
    return {}


def place_errors(place, allowed, passed_factory_inspection):
    errors = {}
    if place not in allowed:
        errors["place"] = f"样品只能在企业成品仓库内或生产现场抽取（{PLACE_RULE}）。"
    if not passed_factory_inspection:
        errors["passed_factory_inspection"] = f"须确认样品为出厂检验合格的产品（{PLACE_RULE}）。"
    return errors


def lab_errors(lab, category, day, scope_category_ids):
    """The lab is qualified on `day` and its scope (the category ids it may test) covers the product."""
    if lab is None:
        return {"lab": "请选择检验机构。"}
    if not lab.qualified_on(day):
        return {
            "lab": f"{lab.name}的资质（{lab.qualification_no}，有效期至 {lab.qualification_valid_until:%Y-%m-%d}）"
            f"在 {day:%Y-%m-%d} 不在有效期内，样品须送有资质的检验机构（{SENDING_RULE}）。"
        }
    if category.pk not in scope_category_ids:
        return {"lab": f"{lab.name}的检验范围不包括“{category.name}”，请选择检验范围内的检验机构（{SENDING_RULE}）。"}
    return {}


def sending_errors(sampling_date, sent_date, sending_due, late_reason):
    if sent_date < sampling_date:
        return {"sent_date": f"送样日期不能早于抽样日期（{sampling_date:%Y-%m-%d}）。"}
    if sent_date > sending_due and not (late_reason or "").strip():
        return {
            "late_reason": f"送样日期晚于送检期限 {sending_due:%Y-%m-%d}（抽样后7日，{SENDING_RULE}），须填写逾期原因。"
        }
    return {}


def date_order_error(field, day, earlier, earlier_label):
    """A step's date may not precede the step before it."""
    if earlier and day < earlier:
        return {field: f"不能早于{earlier_label}（{earlier:%Y-%m-%d}）。"}
    return {}


def retest_errors(requested, notified_date, retest_due):
    if requested < notified_date:
        return {"retest_requested_date": f"复检申请日期不能早于告知企业日期（{notified_date:%Y-%m-%d}）。"}
    if requested > retest_due:
        return {
            "retest_requested_date": f"复检申请已超过期限 {retest_due:%Y-%m-%d}（收到检验结果后15日，{RETEST_RULE}），"
            "不予受理。"
        }
    return {}


FAILURE_RULE = cite("002", "第十八条")
RECHECK_FAILED_RULE = "条例 第五十四条"
ITEM_SPLIT = re.compile(r"[\n；;]+")


def rectification_errors(result, status, retest_due, today):
    """When a failed test may produce its rectification order (002 第十八条 → 产品质量法; 抽查办法 第四十五至四十七条):
    the result is 不合格, the enterprise has been told it (第四十五条), and the 复检 window has passed without a request
    or the 复检 has been concluded with the failure upheld (the test is 已处理). `status` is the test's status value."""
    if result != "unqualified":
        return {"__all__": "检验结论为合格的监督检验无需责令改正。"}
    if status == "reported":
        return {"__all__": "请先登记告知企业（含责令停止销售），再下达责令改正通知书（抽查办法 第四十五条）。"}
    if status == "retest":
        return {"__all__": f"企业已申请复检，待复检结论确认不合格并办结后再下达责令改正通知书（{RETEST_RULE}）。"}
    if status == "notified" and today <= retest_due:
        return {
            "__all__": f"复检申请期限（{retest_due:%Y-%m-%d}）尚未届满，届满后再下达责令改正通知书（{RETEST_RULE}）。"
        }
    if status not in ("notified", "handled"):
        return {"__all__": "该监督检验尚未完成告知，不能下达责令改正通知书。"}
    return {}


def failed_item_list(text):
    """The failed items of a report or notice, one order item each (split at new lines and ；)."""
    return [part.strip() for part in ITEM_SPLIT.split(text or "") if part.strip()]
