from django.apps import AppConfig


class InspectorsConfig(AppConfig):
    name = "postlicense.inspectors"
    label = "inspectors"
    verbose_name = "执法检查人员"
