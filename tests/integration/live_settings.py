"""Settings for a web server process the tests start (gunicorn): the test settings, with
tasks sent to the broker that the environment names instead of run in the process."""

from tests.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
