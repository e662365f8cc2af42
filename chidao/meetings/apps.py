from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "chidao.meetings"
    label = "meetings"
    verbose_name = _("Hội nghị, cuộc họp và đoàn công tác")
