from collections.abc import Iterable, Mapping

from django.apps import AppConfig


def meeting_places() -> Iterable[Mapping[str, str]]:
    """The places meetings were held at: names the fidelity checker knows."""
    from accord.meetings.models import Meeting

    return Meeting.objects.exclude(place={}).values_list("place", flat=True)


class MeetingsConfig(AppConfig):
    name = "accord.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from accord.core.verify import register_check
        from accord.fidelity.places import register_places
        from accord.meetings import pages, reminders, steps  # noqa: F401  (register pages, due things, steps)
        from accord.meetings.checks import check_minutes

        register_check(check_minutes)  # accord verify: final minutes unchanged
        register_places(meeting_places)
