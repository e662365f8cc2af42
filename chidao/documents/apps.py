from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "chidao.documents"
    label = "documents"
    verbose_name = _("Văn bản")

    def ready(self) -> None:
        from chidao.documents.signals import reindex_moved_units
        from chidao.org.signals import units_moved

        units_moved.connect(reindex_moved_units, dispatch_uid="documents-reindex-moved-units")
