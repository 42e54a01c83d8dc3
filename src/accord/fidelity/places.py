"""Where the names of places come from (meetings' places): registered by the apps that hold them at start-up
(MeetingsConfig.ready), read by `names.directory_from_database`. Apart from the checker, so that registering a
source at every process's start loads none of the checker's patterns and tables; fidelity sits below the apps
and imports none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

place_sources: list[Callable[[], Iterable[Mapping[str, str]]]] = []


def register_places(source: Callable[[], Iterable[Mapping[str, str]]]) -> None:
    """Add a source of place names (localized texts) for directory_from_database()."""
    if source not in place_sources:
        place_sources.append(source)
