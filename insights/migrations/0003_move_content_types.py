# The content types of the moved models follow them from "comments" to "insights", so staff
# permissions on ratings, qualities and insights and the admin's history of them keep pointing
# at the right models (otherwise new content types would be made and the old ones go stale).

from django.db import migrations

MODELS = ["rating", "quality", "insight"]


def move(apps, schema_editor, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already made for the new app: leave both as they are
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    move(apps, schema_editor, "comments", "insights")


def backwards(apps, schema_editor):
    move(apps, schema_editor, "insights", "comments")


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0002_default_ratings_and_qualities"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
