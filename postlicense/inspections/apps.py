from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "postlicense.inspections"
    label = "inspections"
    verbose_name = "监督检查"
