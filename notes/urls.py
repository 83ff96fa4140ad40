"""Note URLs: the reader's form and sent notes, the creator's notes and their actions."""

from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("notes/", views.inbox, name="inbox"),
    path("notes/new/<int:story_id>/", views.note_new, name="new"),
    path("notes/sent/", views.sent, name="sent"),
    path("notes/settings/", views.note_settings, name="settings"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/done/", views.note_done, name="done"),
    path("notes/<int:pk>/reopen/", views.note_reopen, name="reopen"),
    path("notes/<int:pk>/reply/", views.note_reply, name="reply"),
    path("notes/<int:pk>/report/", views.note_report, name="report"),
]
