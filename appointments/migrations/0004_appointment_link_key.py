"""A random key for each appointment's manage link, given to the rows already there."""

import uuid

from django.db import migrations, models


def give_each_appointment_a_key(apps, schema_editor):
    Appointment = apps.get_model("appointments", "Appointment")
    for appointment in Appointment.objects.only("pk").iterator():
        appointment.link_key = uuid.uuid4()
        appointment.save(update_fields=["link_key"])


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_retention")]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="link_key",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_appointment_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="appointment",
            name="link_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
