from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from postlicense.core.concurrency import VersionedForm
from postlicense.core.forms import PlainSelect
from postlicense.core.models import OrgUnit, Region
from postlicense.core.scoping import jurisdiction_of
from postlicense.core.uploads import check_xlsx

from .models import Enterprise, KeyEquipment, License, ProductCategory, ProductUnit
from .selectors import EnterpriseFilter, credit_code_holder
from .services import new_license_bar
from .xlsx import MAX_UPLOAD_MB

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def counties_for(user):
    j = jurisdiction_of(user)
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    return counties if j.everything else counties.filter(code__startswith=j.region_prefix or "-")


def credit_code_taken(user, code, exclude_pk=None, link=True):
    """The message for a credit code another enterprise holds, or None.

    Inside the user's jurisdiction it names the enterprise (with a link on a page); outside it, it only says the
    code is registered in another jurisdiction: neither the name nor the address of that enterprise is revealed.
    """
    holder, visible = credit_code_holder(user, code, exclude_pk)
    if holder is None:
        return None
    if not visible:
        return "该统一社会信用代码已登记在其他辖区的企业名下，不能重复登记；如需转入本辖区，请联系原监管单位或市局。"
    if link:
        return format_html(
            '该统一社会信用代码已登记为<a href="{}">{}</a>，请勿重复建档；需要修改请打开该企业编辑。',
            holder.get_absolute_url(),
            holder.name,
        )
    return f"该统一社会信用代码已登记为{holder.name}（编号 {holder.pk}），请勿重复建档。"


class EnterpriseForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "legal_representative",
            "contact",
            "phone",
            "address",
            "production_address",
            "region",
            "supervising_unit",
            "product_category",
            "products",
            "production_scale",
            "status",
            "risk_level",
            "supervision_class",
            "is_focus",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = counties_for(user)
        self.fields["supervising_unit"].queryset = OrgUnit.objects.for_user(user)
        self.fields["product_category"].queryset = ProductCategory.objects.filter(active=True)

    def validate_unique(self):
        """A taken credit code is told with the user's scope in mind (credit_code_taken); other checks as usual."""
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"credit_code"})
        except ValidationError as exc:
            self._update_errors(exc)
        if "credit_code" not in self.errors:
            message = credit_code_taken(self.user, self.instance.credit_code, self.instance.pk)
            if message:
                self.add_error("credit_code", message)


class LicenseForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = License
        fields = [
            "number",
            "product_category",
            "product_units",
            "issue_date",
            "expiry_date",
            "issuing_authority",
        ]
        widgets = {"issue_date": DATE, "expiry_date": DATE, "product_units": forms.CheckboxSelectMultiple}
        # No status here: 撤销/撤回/吊销/注销 are set only by a recorded decision (followup), and 有效/过期 is read
        # from the dates (selectors.expired_q).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_category"].queryset = ProductCategory.objects.filter(active=True)
        self.fields["product_units"].queryset = ProductUnit.objects.select_related("category")

    def clean(self):
        data = super().clean()
        category = data.get("product_category")
        wrong = [u.name for u in data.get("product_units") or [] if category and u.category_id != category.pk]
        if wrong:
            self.add_error("product_units", f"以下产品单元不属于“{category}”：{'、'.join(wrong)}。")
        if category and (self.instance.pk is None or "product_category" in self.changed_data):
            bar = new_license_bar(self.instance.enterprise.credit_code, category.pk)
            if bar:
                self.add_error("product_category", bar)
        return data


class KeyEquipmentForm(VersionedForm, forms.ModelForm):
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
                f"文件大小为 {upload.size / 1024 / 1024:.0f} MB，超过 {MAX_UPLOAD_MB} MB 的上限；请拆分为多个文件分批导入。"
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("请上传 Excel .xlsx 格式的文件（旧版 .xls 请先另存为 .xlsx）。")
        check_xlsx(upload)  # a file that could exhaust the reader is refused here, before it is stored
        return upload


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(label="名称/拼音首字母/信用代码", required=False)
    license_number = forms.CharField(label="许可证编号", required=False)
    region = forms.ChoiceField(label="区县", required=False, widget=PlainSelect)
    category = forms.ModelChoiceField(
        label="产品类别",
        queryset=ProductCategory.objects.none(),
        required=False,
        empty_label="全部",
        widget=PlainSelect,
    )
    risk_level = forms.ChoiceField(
        label="风险等级", required=False, choices=[("", "全部"), *Enterprise.RiskLevel.choices], widget=PlainSelect
    )
    supervision_class = forms.ChoiceField(
        label="监管分类",
        required=False,
        choices=[("", "全部"), *Enterprise.SupervisionClass.choices],
        widget=PlainSelect,
    )
    status = forms.ChoiceField(
        label="生产状态", required=False, choices=[("", "全部"), *Enterprise.Status.choices], widget=PlainSelect
    )
    expiry = forms.ChoiceField(
        label="许可证",
        required=False,
        choices=[("", "全部"), ("expiring", "90天内到期"), ("expired", "已过期")],
        widget=PlainSelect,
    )
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
            q=data["q"],
            license_number=data["license_number"],
            region=data["region"],
            category=data["category"].pk if data["category"] else None,
            risk_level=data["risk_level"],
            supervision_class=data["supervision_class"],
            status=data["status"],
            expiry=data["expiry"],
            focus=data["focus"],
        )
