# Set-up and everyday commands. `make run` and `make test` are all a fresh machine needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
# `make run` uses the embedded defaults whatever the shell exports, and lets staff log in
# with a password alone (STAFF_TWO_FACTOR_REQUIRED, which `check --deploy` refuses).
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u EMAIL_URL DJANGO_DEBUG=true \
	STAFF_TWO_FACTOR_REQUIRED=false

.PHONY: install run test up bench lint format hooks superuser lock clean backup restore

# Every package from the lock, checked against its hashes, pip itself included; wheels only,
# so no build fetches a package that the lock does not name. The setuptools that Python 3.11
# puts in a new virtualenv goes: nothing uses it, and the lock is then all there is.
$(INSTALLED): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip uninstall --quiet --yes setuptools
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r requirements-dev.txt
	touch $@

# After a change to a pin in requirements.in or requirements-dev.in: locks it, and what it
# depends on, with hashes for Python 3.11 on Linux x86_64. What the change does not touch
# keeps its locked version.
LOCK := $(BIN)/uv pip compile --quiet --no-config --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --only-binary :all: --generate-hashes \
	--custom-compile-command "make lock"
lock: $(INSTALLED)
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -o requirements-dev.txt

# The virtualenv, from the locked requirements.
install: $(INSTALLED)

run: $(INSTALLED)
	mkdir -p var
	$(EMBEDDED) $(MANAGE) migrate --noinput
	$(EMBEDDED) $(MANAGE) load_demo_content
	@echo "Emails are written to var/mail/. Create a staff login with: make superuser"
	$(EMBEDDED) $(MANAGE) runserver 127.0.0.1:8000

test: $(INSTALLED) lint
	$(BIN)/pytest

# The real stack on one machine: nginx in front (FRONT_BIND) of gunicorn (WEB_BIND, private),
# a Celery worker and Celery beat, against the PostgreSQL, Redis and mail server that the
# environment names (see README, "Going live").
up: export TRUSTED_PROXIES ?= 127.0.0.1
up: export WEB_BIND ?= 127.0.0.1:8001
up: export FRONT_CONFIG := $(CURDIR)/var/front/nginx.conf
up: $(INSTALLED)
	mkdir -p var
	$(MANAGE) preflight
	$(MANAGE) migrate --noinput
	$(MANAGE) preflight --database
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) front_config --upstream $(WEB_BIND) --output $(FRONT_CONFIG)
	nginx -t -q -e stderr -c $(FRONT_CONFIG)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

# A backup now, into BACKUP_DIR; Celery beat takes one every night (README, "Backups").
backup: $(INSTALLED)
	$(MANAGE) backup

# BACKUP=file restored into the new, empty database that DATABASE_URL names.
restore: $(INSTALLED)
	@test -n "$(BACKUP)" || { echo "Name the file: make restore BACKUP=var/backups/practice-….backup" >&2; exit 2; }
	$(MANAGE) restore "$(BACKUP)"

# The real stack under load (see bench/run.py): prints the figures, saves them under var/bench/.
# Needs wrk (apt-get install wrk), as the README says.
bench: $(INSTALLED)
	$(BIN)/python bench/run.py

# The checks of .pre-commit-config.yaml on every file.
lint: $(INSTALLED)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# The same checks on each commit's files, before the commit is made.
hooks: $(INSTALLED)
	$(BIN)/pre-commit install

# The fixes for what `make lint` finds.
format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	git ls-files '*.py' | xargs $(BIN)/django-upgrade --target-version 5.2
	git ls-files 'templates/*.html' | xargs $(BIN)/djhtml

superuser: $(INSTALLED)
	mkdir -p var
	$(EMBEDDED) $(MANAGE) createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
