from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background work with progress. The apps register their kinds of job (documents, imports, exports) in
    their ready(): jobs sits low, beside core, so the domain apps may queue work."""

    name = "accord.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")
    default_auto_field = "django.db.models.BigAutoField"
