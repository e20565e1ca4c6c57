from django import forms

from .periods import PARTS


class PeriodForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    part = forms.ChoiceField(label="期间", choices=list(PARTS.items()))
    unit = forms.TypedChoiceField(label="单位", coerce=int, required=False)

    def __init__(self, *args, units, parts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.name) for u in units]
        self.fields["part"].choices = [(p, PARTS[p]) for p in parts]


class SubmitForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    part = forms.CharField(widget=forms.HiddenInput)
    filled_by = forms.CharField(label="填报人", max_length=50)
    checked_by = forms.CharField(label="审核人", max_length=50)


class ReviewForm(forms.Form):
    note = forms.CharField(label="审核意见（退回时必填）", widget=forms.Textarea(attrs={"rows": 3}), required=False)
