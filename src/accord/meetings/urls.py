from accord.core.pages.records import record_urls
from accord.meetings.pages import MEETINGS, REVIEWS

app_name = "meetings"
urlpatterns = record_urls(MEETINGS, REVIEWS)
