"""The clinical answers and the office's notes, encrypted (practice/field_encryption.py).

The columns become text first, holding the plain values as the database writes them as
text; then each value is read as such and saved again through its field, which encrypts
it. Backwards, each is decrypted and written as text the old column type reads.
"""

import json

from django.db import migrations, models
from django.db.models.functions import Cast

import practice.field_encryption
import practice.validators

ENCRYPTED = {
    "appointmentrequest": [
        "had_spine_surgery",
        "surgery_year",
        "surgery_level",
        "surgery_place",
        "imaging",
        "imaging_age",
        "referring_doctor",
        "red_flags",
        "message",
    ],
    "officenote": ["text"],
}


def stored_text(model, names):
    """Each row's pk and what its columns hold, as text, past the fields' decryption."""
    columns = {f"stored_{name}": Cast(name, models.TextField()) for name in names}
    return model.objects.annotate(**columns).values_list("pk", *columns).order_by("pk")


def from_plain_text(field, text):
    """A value as PostgreSQL (`true`, `2019`, `["mri"]`) or SQLite (`1`) wrote it as text."""
    if isinstance(field, models.CharField | models.TextField):
        return text
    return field.to_python(json.loads(text))


def to_plain_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        # Both databases read 1 and 0 as a boolean; SQLite would keep "true" as text.
        return "1" if value else "0"
    return json.dumps(value)


def encrypt_values(apps, schema_editor):
    for model_name, names in ENCRYPTED.items():
        model = apps.get_model("appointments", model_name)
        fields = [model._meta.get_field(name) for name in names]
        for pk, *texts in stored_text(model, names).iterator(chunk_size=500):
            values = {
                field.name: from_plain_text(field, text)
                for field, text in zip(fields, texts)
                if text is not None
            }
            model.objects.filter(pk=pk).update(**values)


def decrypt_values(apps, schema_editor):
    for model_name, names in ENCRYPTED.items():
        model = apps.get_model("appointments", model_name)
        for pk, *tokens in stored_text(model, names).iterator(chunk_size=500):
            values = {
                name: models.Value(
                    to_plain_text(practice.field_encryption.decrypt(token)),
                    output_field=models.TextField(),
                )
                for name, token in zip(names, tokens)
                if token is not None
            }
            model.objects.filter(pk=pk).update(**values)


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0004_appointment_link_key'),
    ]

    operations = [
        migrations.AlterField(
            model_name='appointmentrequest',
            name='had_spine_surgery',
            field=practice.field_encryption.EncryptedBooleanField(verbose_name='has had spine surgery before'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='imaging',
            field=practice.field_encryption.EncryptedJSONField(blank=True, default=list, verbose_name='scans the patient has'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='imaging_age',
            field=practice.field_encryption.EncryptedCharField(blank=True, choices=[('under_6_months', 'In the last 6 months'), ('6_to_12_months', '6 to 12 months ago'), ('over_a_year', 'More than a year ago'), ('not_sure', 'Not sure')], max_length=20, verbose_name='when the latest scan was taken'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='message',
            field=practice.field_encryption.EncryptedTextField(blank=True, max_length=2000),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='red_flags',
            field=practice.field_encryption.EncryptedJSONField(blank=True, default=list, verbose_name='emergency symptoms ticked'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='referring_doctor',
            field=practice.field_encryption.EncryptedCharField(blank=True, max_length=200, validators=[practice.validators.validate_single_line]),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='surgery_level',
            field=practice.field_encryption.EncryptedCharField(blank=True, choices=[('cervical', 'Neck (cervical)'), ('thoracic', 'Middle of the back (thoracic)'), ('lumbar', 'Lower back (lumbar)'), ('several', 'More than one part'), ('not_sure', 'Not sure')], max_length=10, verbose_name='part of the spine operated on'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='surgery_place',
            field=practice.field_encryption.EncryptedCharField(blank=True, max_length=200, validators=[practice.validators.validate_single_line], verbose_name='where it was done'),
        ),
        migrations.AlterField(
            model_name='appointmentrequest',
            name='surgery_year',
            field=practice.field_encryption.EncryptedPositiveSmallIntegerField(blank=True, null=True, verbose_name='year of the last operation'),
        ),
        migrations.AlterField(
            model_name='officenote',
            name='text',
            field=practice.field_encryption.EncryptedTextField(max_length=2000, verbose_name='note'),
        ),
        migrations.RunPython(encrypt_values, decrypt_values),
    ]
