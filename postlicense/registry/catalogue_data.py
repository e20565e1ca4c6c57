"""The national catalogue of products under the industrial product production license (2023 edition).

(category code — the two digits after XK in a license number —, name, focus industry, product units.)
Codes 05, 06, 08, 13 and 16 are those printed on real licenses; the others are our best reading of the
implementation rules and are data an admin verifies and edits in Django admin (数据维护 › 产品类别).
Focus industries: 001 三, 003 三 (电线电缆, 水泥, 危险化学品, 危险化学品包装物及容器, 复肥, 食品相关产品).
"""

CATALOGUE = [
    ("05", "建筑用钢筋", False, ["钢筋混凝土用热轧带肋钢筋", "钢筋混凝土用热轧光圆钢筋", "钢筋混凝土用余热处理钢筋"]),
    ("06", "电线电缆", True, ["电力电缆", "电气装备用电线电缆", "架空绞线", "塑料绝缘控制电缆"]),
    ("08", "水泥", True, ["通用硅酸盐水泥", "砌筑水泥", "道路硅酸盐水泥", "硫铝酸盐水泥", "铝酸盐水泥"]),
    (
        "09",
        "广播电视传输设备",
        False,
        ["调频广播发射机", "中短波广播发射机", "电视发射机", "有线电视光发射机及光接收机"],
    ),
    ("10", "卫星电视广播地面接收设备", False, ["卫星电视广播地面接收天线", "卫星电视高频头", "卫星电视接收机"]),
    (
        "13",
        "危险化学品",
        True,
        ["氯碱产品", "危险化学品无机产品", "危险化学品有机产品", "危险化学品涂料", "危险化学品溶剂及稀释剂"],
    ),
    ("14", "化肥", True, ["复合肥料", "复混肥料", "掺混肥料", "有机-无机复混肥料"]),
    (
        "16",
        "直接接触食品的材料等相关产品",
        True,
        ["食品用塑料包装容器工具等制品", "食品用纸包装容器等制品", "餐具洗涤剂", "压力锅"],
    ),
    (
        "17",
        "危险化学品包装物及容器",
        True,
        ["钢制危险化学品包装桶", "塑料危险化学品包装容器", "危险化学品包装用编织袋"],
    ),
    ("21", "人民币鉴别仪", False, ["点验钞机", "人民币鉴别仪（台式、便携式）", "纸币清分机"]),
]


def load_catalogue(apps):
    """Idempotent; `apps` is a migration's app registry or django.apps.apps."""
    ProductCategory = apps.get_model("registry", "ProductCategory")
    ProductUnit = apps.get_model("registry", "ProductUnit")
    for code, name, is_focus, units in CATALOGUE:
        category, _ = ProductCategory.objects.get_or_create(name=name, defaults={"code": code, "is_focus": is_focus})
        for unit in units:
            ProductUnit.objects.get_or_create(category=category, name=unit)
