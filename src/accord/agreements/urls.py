from accord.agreements.pages import AGREEMENTS
from accord.core.pages.records import record_urls

app_name = "agreements"
urlpatterns = record_urls(AGREEMENTS)
