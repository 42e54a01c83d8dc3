from accord.core.pages.records import record_urls
from accord.programmes.pages import EXCHANGES, PLAN_ITEMS, PLANS, PROJECTS

app_name = "programmes"
urlpatterns = record_urls(PLANS, PROJECTS, PLAN_ITEMS, EXCHANGES)
