import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from accord.programmes.choices import CarryOver
pytestmark = pytest.mark.django_db
def test_x(seed):
    with CaptureQueriesContext(connection) as ctx:
        seed.plan_1960.items.filter(carry_over=CarryOver.PROPOSED).exists()
        seed.plan_1960.items.filter(carry_over=CarryOver.PROPOSED).count()
    with connection.cursor() as c:
        for q in ctx.captured_queries:
            c.execute("EXPLAIN QUERY PLAN " + q["sql"])
            print(q["sql"], c.fetchall())
