from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "postlicense.registry"
    label = "registry"
    verbose_name = "获证企业"
