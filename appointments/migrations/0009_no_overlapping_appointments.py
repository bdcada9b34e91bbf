"""Two booked appointments of one surgeon cannot overlap, whatever writes them.

A PostgreSQL exclusion constraint: it holds for a raw INSERT as for the booking service,
and two patients booking the same time at once cannot both succeed. SQLite (`make run`)
has no such constraint; there the booking service's own check stands alone.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_appointment
    ADD CONSTRAINT no_overlapping_appointments_per_surgeon
    EXCLUDE USING gist (surgeon_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status = 'booked' AND surgeon_id IS NOT NULL);
"""
DROP = """
ALTER TABLE appointments_appointment
    DROP CONSTRAINT IF EXISTS no_overlapping_appointments_per_surgeon;
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0008_clinic_sessions_and_visit_types")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
