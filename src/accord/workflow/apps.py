from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "accord.workflow"
    label = "workflow"
    verbose_name = _("Workflow")

    def ready(self) -> None:
        from accord.web.actions import register
        from accord.workflow.steps import STEPS, actions_of

        # Record pages (accord.web) show the steps the account may take on the record they display.
        for label in sorted({s.model._meta.label_lower for s in STEPS.values()}):
            register(label, actions_of)
