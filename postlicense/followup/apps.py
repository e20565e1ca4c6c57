from django.apps import AppConfig


class FollowupConfig(AppConfig):
    name = "postlicense.followup"
    label = "followup"
    verbose_name = "跟踪处置"
