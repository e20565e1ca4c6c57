from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "postlicense.api"
    label = "api"
    verbose_name = "接口"
