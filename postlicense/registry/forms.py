from django import forms
from django.core.exceptions import ValidationError

from postlicense.core.models import OrgUnit, Region
from postlicense.core.scoping import jurisdiction_of

from .credit_code import validate_credit_code
from .license_number import validate_license_number
from .models import Enterprise, KeyEquipment, License, ProductCategory, ProductUnit
from .selectors import EnterpriseFilter
from .xlsx import MAX_UPLOAD_MB

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def counties_for(user):
    j = jurisdiction_of(user)
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    return counties if j.everything else counties.filter(code__startswith=j.region_prefix or "-")


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "legal_representative", "contact", "phone", "address", "production_address",
                  "region", "supervising_unit", "product_category", "products", "production_scale", "status",
                  "risk_level", "supervision_class", "is_focus", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = counties_for(user)
        self.fields["supervising_unit"].queryset = OrgUnit.objects.for_user(user)
        self.fields["product_category"].queryset = ProductCategory.objects.filter(active=True)

    def clean_credit_code(self):
        return validate_credit_code(self.cleaned_data["credit_code"])

    def clean(self):
        data = super().clean()
        region, unit = data.get("region"), data.get("supervising_unit")
        if region and unit and not region.code.startswith(unit.region.scope_prefix):
            self.add_error("supervising_unit", f"{unit.name}不负责{region.name}。")
        return data


class LicenseForm(forms.ModelForm):
    class Meta:
        model = License
        fields = ["number", "product_category", "product_units", "issue_date", "expiry_date", "issuing_authority", "status"]
        widgets = {"issue_date": DATE, "expiry_date": DATE, "product_units": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_category"].queryset = ProductCategory.objects.filter(active=True)
        self.fields["product_units"].queryset = ProductUnit.objects.select_related("category")

    def clean_number(self):
        return validate_license_number(self.cleaned_data["number"])

    def clean(self):
        data = super().clean()
        issue, expiry = data.get("issue_date"), data.get("expiry_date")
        if issue and expiry and expiry <= issue:
            self.add_error("expiry_date", "有效期至须晚于发证日期。")
        category = data.get("product_category")
        wrong = [u.name for u in data.get("product_units") or [] if category and u.category_id != category.pk]
        if wrong:
            self.add_error("product_units", f"以下产品单元不属于“{category}”：{'、'.join(wrong)}。")
        return data


class KeyEquipmentForm(forms.ModelForm):
    class Meta:
        model = KeyEquipment
        fields = ["kind", "name", "model", "quantity", "is_measuring_instrument", "calibration_due"]
        widgets = {"calibration_due": DATE}

    def clean(self):
        data = super().clean()
        if data.get("is_measuring_instrument") and not data.get("calibration_due"):
            self.add_error("calibration_due", "计量器具须填写检定有效期。")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise ValidationError(
                f"文件大小为 {upload.size / 1024 / 1024:.0f} MB，超过 {MAX_UPLOAD_MB} MB 的上限；请拆分为多个文件分批导入。")
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("请上传 Excel .xlsx 格式的文件（旧版 .xls 请先另存为 .xlsx）。")
        return upload


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label="名称/拼音首字母/信用代码", required=False)
    license_number = forms.CharField(label="许可证编号", required=False)
    region = forms.ChoiceField(label="区县", required=False)
    category = forms.ModelChoiceField(label="产品类别", queryset=ProductCategory.objects.none(), required=False, empty_label="全部")
    risk_level = forms.ChoiceField(label="风险等级", required=False, choices=[("", "全部"), *Enterprise.RiskLevel.choices])
    supervision_class = forms.ChoiceField(label="监管分类", required=False, choices=[("", "全部"), *Enterprise.SupervisionClass.choices])
    status = forms.ChoiceField(label="生产状态", required=False, choices=[("", "全部"), *Enterprise.Status.choices])
    expiry = forms.ChoiceField(label="许可证", required=False,
                               choices=[("", "全部"), ("expiring", "90天内到期"), ("expired", "已过期")])
    focus = forms.BooleanField(label="仅重点企业", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "全部"), *((r.code, r.name) for r in counties_for(user))]
        self.fields["category"].queryset = ProductCategory.objects.filter(active=True)

    def to_filter(self):
        if not self.is_valid():
            return EnterpriseFilter()
        data = self.cleaned_data
        return EnterpriseFilter(
            q=data["q"], license_number=data["license_number"], region=data["region"],
            category=data["category"].pk if data["category"] else None, risk_level=data["risk_level"],
            supervision_class=data["supervision_class"], status=data["status"], expiry=data["expiry"], focus=data["focus"],
        )
