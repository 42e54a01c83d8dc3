import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored renderings go to a temporary MEDIA_ROOT, never to the working tree's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
