from django.apps import AppConfig


class SearchIndexConfig(AppConfig):
    """The full-text search index (derived data, see accord.core.search); not audited, rebuildable."""

    name = "accord.searchindex"
    label = "searchindex"
    verbose_name = "Search index"
