"""Helpers for the tests and for `make bench` (bench/ imports them too): plain functions
and classes, no fixtures. The fixtures that use them live beside the tests that need them
(tests/conftest.py, tests/live_stack.py, tests/browser/, tests/integration/ and
tests/nodes/).

- environment: whether this machine has a service, and skipping or failing without it;
- processes: free ports, waiting for a condition, child processes with a log;
- smtp: a real SMTP server on loopback and the mailbox behind it;
- postgres: a PostgreSQL cluster of a test's own (initdb), stopped and started again;
- redis: a redis-server of a test's own, stopped and started again on its port;
- tasks: Celery publishing to a real broker, its worker and beat processes, and the
  outbox's timings short enough for tests;
- web: gunicorn serving the site, and a client that posts forms (files too) as a browser
  does;
- forms: what a patient's and a member of staff's forms post.
"""
