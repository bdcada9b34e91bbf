from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ConditionFactory, PracticeFactory


@pytest.fixture
def practice():
    return PracticeFactory()


@pytest.fixture
def condition():
    return ConditionFactory(title="Revision spine surgery", slug="revision-spine-surgery")


@pytest.fixture
def valid_form_data(condition):
    return {
        "full_name": "Ana María Núñez",
        "email": "ana@patient.test",
        "phone": "+1 555 0199",
        "condition": condition.slug,
        "preferred_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
        "preferred_time": "morning",
        "had_spine_surgery": "yes",
        "message": "The pain came back a year after my fusion.",
        "consent": "on",
    }
