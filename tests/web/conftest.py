import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def users(db):
    """The demo accounts by role (loaded with the seed)."""
    by_name = {u.username: u for u in get_user_model().objects.all()}

    class Users:
        admin = by_name["admin"]
        cn_coordinator = by_name["cn-coordinator"]
        su_coordinator = by_name["su-coordinator"]
        cas_reporter = by_name["cas-reporter"]
        msu_reporter = by_name["msu-reporter"]
        cn_observer = by_name["cn-observer"]

    return Users
