from datetime import datetime, time

import pytest
from django.utils import timezone


@pytest.fixture
def midday_at_the_practice(time_machine):
    """The clock set to noon today, practice time, and running from there: "tomorrow"
    stays tomorrow through the test, whenever the suite runs, even just before midnight."""
    noon = datetime.combine(timezone.localdate(), time(12), tzinfo=timezone.get_current_timezone())
    time_machine.move_to(noon)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action as if its transaction committed, so the emails it queues go out."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run
