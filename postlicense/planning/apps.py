from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "postlicense.planning"
    label = "planning"
    verbose_name = "计划与督查"
