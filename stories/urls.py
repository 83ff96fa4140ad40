"""Reading URLs. The root URLconf includes these last, so community slugs shadow nothing."""

from django.urls import path

from stories import editor_views as editor
from stories import import_views, views

app_name = "stories"

urlpatterns = [
    path("", views.home, name="home"),
    path("explore/", views.explore, name="explore"),
    path("authors/<str:username>/", views.profile, name="profile"),
    # The creator's side.
    path("write/", editor.dashboard, name="dashboard"),
    path("write/new/", editor.story_new, name="new"),
    path("write/new/autosave/", editor.story_autosave, name="autosave_new"),
    path("write/images/", editor.image_upload, name="image_upload"),
    path("write/<int:pk>/", editor.story_edit, name="edit"),
    path("write/<int:pk>/autosave/", editor.story_autosave, name="autosave"),
    path("write/<int:pk>/preview/", editor.story_preview, name="preview"),
    path("write/<int:pk>/submit/", editor.story_submit, name="submit"),
    path("write/<int:pk>/withdraw/", editor.story_withdraw, name="withdraw"),
    path("write/<int:pk>/discard/", editor.story_discard_edit, name="discard"),
    path("write/<int:pk>/delete/", editor.story_delete, name="delete"),
    # Under Settings, where a creator looks for it, though the stories are what it exports.
    path("settings/export/", editor.export, name="export"),
    # Issue 18: stories from another platform, as drafts.
    path("settings/import/", import_views.import_page, name="import"),
    path("settings/import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("settings/import/<int:pk>/status/", import_views.import_status, name="import_status"),
    path("settings/import/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    # Catch-alls: keep them last; stories.models.RESERVED_SLUGS keeps communities off fixed paths.
    path("<slug:community_slug>/", views.community_detail, name="community"),
    # <str:>, not <slug:>: taggit keeps letters such as "é" in a tag's slug ("café").
    path("<slug:community_slug>/tag/<str:tag_slug>/", views.tag_detail, name="tag"),
    path("<slug:community_slug>/<slug:story_slug>/", views.story_detail, name="detail"),
    # The share block's Mastodon link (issue 16, part 2): asks for the reader's server.
    path(
        "<slug:community_slug>/<slug:story_slug>/share/mastodon/",
        views.share_mastodon,
        name="share_mastodon",
    ),
]
