"""One two-node stack (tests/nodes/stack.py) for every test in this folder, started once:
each test leaves it as it found it, every service up and both nodes serving."""

import json
import shutil

import pytest

from tests.support.environment import require
from tests.support.postgres import postgres_binaries

from .stack import Stack

CONDITION = "revision-spine-surgery"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    require(postgres_binaries(), "PostgreSQL's initdb is not installed")
    require(shutil.which("redis-server"), "redis-server is not installed")
    require(shutil.which("nginx"), "nginx is not installed")
    with Stack(tmp_path_factory.mktemp("nodes")) as stack:
        yield stack


@pytest.fixture(scope="session")
def patient_answers(stack):
    """Every answer on the appointment form (tests.support.forms), with a preferred date on
    which the stack's practice is open."""
    code = (
        "import json; from tests.support.forms import appointment_answers; "
        f"print(json.dumps(appointment_answers({CONDITION!r})))"
    )
    return json.loads(stack.django(code))
