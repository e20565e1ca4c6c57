from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "postlicense.portal"
    label = "portal"
    verbose_name = "公示"
