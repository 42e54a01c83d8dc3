from django.urls import path

from accord.core.pages.records import record_urls
from accord.meetings import views
from accord.meetings.pages import MEETINGS, REVIEWS

app_name = "meetings"
urlpatterns = [
    *record_urls(MEETINGS, REVIEWS),
    # A meeting's parts, added and removed on its page.
    path("meetings/<int:pk>/delegations/", views.add_delegation, name="meeting-add-delegation"),
    path("meetings/<int:pk>/delegations/<int:delegation_pk>/members/", views.add_member, name="meeting-add-member"),
    path("meetings/<int:pk>/attendees/", views.add_attendee, name="meeting-add-attendee"),
    path("meetings/<int:pk>/agenda/", views.add_agenda_item, name="meeting-add-agenda-item"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/edit/", views.edit_agenda_item, name="meeting-edit-agenda-item"),
    path("meetings/<int:pk>/agenda/<int:item_pk>/move/", views.move_agenda_item, name="meeting-move-agenda-item"),
    path("meetings/<int:pk>/<slug:part>/<int:part_pk>/remove/", views.remove_part, name="meeting-remove-part"),
]
