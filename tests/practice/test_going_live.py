"""What README's "Going live" hands the practice's IT person: the systemd units, the example
environment, and a README that names every variable the code reads."""

import re
import secrets
import shutil
import subprocess
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

from practice.backups.archive import new_key
from tests.practice.test_deployment import manage, production_environment
from tests.support.environment import require

DEPLOY = settings.BASE_DIR / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
EXAMPLE = DEPLOY / "practice.env.example"
INSTALL_DIR = "/srv/practice"
ENVIRONMENT_FILE = "/etc/practice/practice.env"


def example_environment():
    """The example's values as systemd reads them (EnvironmentFile=)."""
    values = {}
    for line in EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().removeprefix('"').removesuffix('"')
    return values


def test_a_shell_reads_the_example_as_systemd_does():
    """README's first login loads it with `set -a; . practice.env`."""
    script = f"set -a; . {EXAMPLE}; env -0"
    result = subprocess.run(
        ["sh", "-c", script], capture_output=True, text=True, env={}, timeout=30, check=True
    )
    read = dict(line.split("=", 1) for line in result.stdout.split("\0") if "=" in line)

    assert result.stderr == ""
    assert {name: read.get(name) for name in example_environment()} == example_environment()


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    """As installed in this checkout: systemd also checks that every command exists."""
    require(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    environment_file = tmp_path / "practice.env"
    environment_file.write_text(EXAMPLE.read_text())
    for unit in UNITS:
        text = unit.read_text().replace(INSTALL_DIR, str(settings.BASE_DIR))
        (tmp_path / unit.name).write_text(text.replace(ENVIRONMENT_FILE, str(environment_file)))

    result = subprocess.run(
        ["systemd-analyze", "verify", *(tmp_path / unit.name for unit in UNITS)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert {unit.name for unit in UNITS} == {
        "practice-web.service",
        "practice-worker.service",
        "practice-beat.service",
        "practice-front.service",
    }
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""


def test_every_variable_the_units_use_is_in_the_example_environment():
    used = {name for unit in UNITS for name in re.findall(r"\$\{([A-Z_]+)\}", unit.read_text())}

    assert used
    assert used <= set(example_environment())


def test_the_web_unit_starts_gunicorn_as_the_procfile_does():
    """So that what the tests see of `make up` (tests/front/test_logs.py) holds in production."""
    unit = (DEPLOY / "systemd" / "practice-web.service").read_text()
    [unit_command] = re.findall(r"^ExecStart=\S+/gunicorn (.+)$", unit, re.MULTILINE)
    procfile = (settings.BASE_DIR / "Procfile").read_text()
    [procfile_command] = re.findall(r"^web: gunicorn (.+)$", procfile, re.MULTILINE)

    # The Procfile gives defaults (${WEB_BIND:-...}); the unit's environment file, values.
    assert re.sub(r"\$\{(\w+):-[^}]*\}", r"${\1}", procfile_command) == unit_command


def test_the_example_environment_is_refused_until_it_is_filled_in():
    environment = production_environment(**example_environment())

    result = manage("check", "--deploy", environment=environment)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is still the example's placeholder" in result.stderr
    assert "FIELD_ENCRYPTION_KEYS is still the example's placeholder" in result.stderr


def test_the_example_environment_filled_in_passes_check_deploy_without_a_warning():
    values = {
        name: value.replace("CHANGE", secrets.token_urlsafe(8))
        for name, value in example_environment().items()
    } | {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BACKUP_KEY": new_key(),
    }

    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        environment=production_environment(**values),
    )

    assert result.returncode == 0, result.stdout + result.stderr


def variables_the_code_reads():
    settings_text = (settings.BASE_DIR / "practice" / "settings.py").read_text()
    names = set(re.findall(r'(?:env(?:\.\w+)?|required)\(\s*"([A-Z][A-Z0-9_]+)"', settings_text))
    for module in (settings.BASE_DIR / "practice").rglob("*.py"):
        text = module.read_text()
        names |= set(re.findall(r'(?:environ(?:\.get)?[(\[]|addresses\()"([A-Z][A-Z0-9_]+)"', text))
    for name in ["Procfile", "Makefile"]:
        text = (settings.BASE_DIR / name).read_text()
        names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", text))
    return names


def test_the_readme_table_names_every_variable_the_code_reads():
    readme = Path(settings.BASE_DIR / "README.md").read_text()
    table = readme[readme.index("## Environment") : readme.index("## Going live")]
    listed = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))

    names = variables_the_code_reads()

    assert {"DATABASE_URL", "TRUSTED_PROXIES", "FRONT_BIND", "TLS_CERT", "WEB_BIND"} <= names
    assert names - listed == set()
