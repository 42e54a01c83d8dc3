"""The admin of meetings, minutes and reviews: a window onto them; every write goes through the services."""

from accord.meetings.admin import meetings, minutes, reviews  # noqa: F401  (each registers its model admins)
