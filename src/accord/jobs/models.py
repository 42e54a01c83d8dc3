"""A piece of long work done in the background, with its progress and its result.

Not a domain record: it is not audited itself. The domain writes a job makes go through the services and
are audited under the job's actor (the requesting user, with request id "job:<id>").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Queue(models.TextChoices):
        # Imports get a worker of their own (`accord worker --queue imports`): a large file never holds up a
        # document or an export someone waits for.
        DEFAULT = "default", _("Default")
        IMPORTS = "imports", _("Imports")

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=300, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    # The interface language of the request that asked for it: the job's messages (an import's refusals and notes)
    # are written in it, as the page that asked would have written them. Blank: the installation's default.
    language = models.CharField(_("language"), max_length=16, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    queue = models.CharField(_("queue"), max_length=16, choices=Queue.choices, default=Queue.DEFAULT)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # percent, 0-100
    message = models.CharField(_("message"), max_length=300, blank=True)
    # A file result: its name in the default storage, the name to download it as, and its content type.
    result_file = models.CharField(_("result file"), max_length=500, blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(_("content type"), max_length=100, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Which runner process holds a running job ("host:pid"), so a runner that died can be noticed.
    claimed_by = models.CharField(_("runner"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["status", "id"], name="job_status_idx"),
            models.Index(fields=["queue", "status", "id"], name="job_queue_status_idx"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="job_progress_max_100")]

    def __str__(self) -> str:
        from accord.jobs.registry import KINDS  # the kinds are registered by the apps, after the models load

        kind = KINDS.get(self.kind)
        if kind is not None and kind.title is not None:
            try:
                return kind.title(self.parameters or {})
            except (KeyError, TypeError, ValueError):  # parameters of an older shape: the stored title
                pass
        return self.title or self.kind

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)
