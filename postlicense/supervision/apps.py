from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "postlicense.supervision"
    label = "supervision"
    verbose_name = "监督检验与通报"
