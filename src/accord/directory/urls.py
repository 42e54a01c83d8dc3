from accord.core.pages.records import record_urls
from accord.directory.pages import ORGANISATIONS, PARTIES, PEOPLE

app_name = "directory"
urlpatterns = record_urls(ORGANISATIONS, PEOPLE, PARTIES)
