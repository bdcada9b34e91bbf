"""The admin's history named each request "reference + patient's name": keep the reference."""

from django.db import migrations


def name_requests_by_their_references(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("admin", "LogEntry")
    content_type = ContentType.objects.filter(
        app_label="appointments", model="appointmentrequest"
    ).first()
    if content_type is None:  # a new database: no history yet
        return
    entries = LogEntry.objects.filter(content_type=content_type).only("object_repr")
    changed = []
    for entry in entries.iterator():
        # A reference has no space in it; a deleted request's entry is all that is left
        # of it, so the reference is read from the entry itself.
        reference = entry.object_repr.split(" ", 1)[0]
        if entry.object_repr != reference:
            entry.object_repr = reference
            changed.append(entry)
    LogEntry.objects.bulk_update(changed, ["object_repr"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("appointments", "0006_anonymised_surgery_answer"),
    ]

    operations = [
        migrations.RunPython(name_requests_by_their_references, migrations.RunPython.noop),
    ]
