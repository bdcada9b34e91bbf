"""Write the front's nginx configuration, from deploy/nginx.conf and the settings."""

import os
import pwd
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import Context, Engine

MODULES = Path("/usr/lib/nginx/modules")
BROTLI_MODULES = ["ngx_http_brotli_filter_module.so", "ngx_http_brotli_static_module.so"]


def addresses(variable, default):
    """The addresses a comma-separated variable names (`443,[::]:443` for IPv4 and IPv6)."""
    return [
        address.strip()
        for address in os.environ.get(variable, default).split(",")
        if address.strip()
    ]


def https_port(bind):
    """`:8443` when FRONT_BIND is not the usual HTTPS port, for the plain-HTTP redirect."""
    port = bind.rpartition(":")[2] if ":" in bind else bind
    return "" if port in ("", "443") or not port.isdigit() else f":{port}"


class Command(BaseCommand):
    help = "Write the nginx configuration of the front (deploy/nginx.conf) for these upstreams."

    def add_arguments(self, parser):
        parser.add_argument(
            "--upstream",
            action="append",
            required=True,
            help=(
                "The web processes to balance: host:port or unix:/path/to/socket, "
                "comma-separated or repeated."
            ),
        )
        parser.add_argument(
            "--directory",
            default=str(settings.BASE_DIR / "var" / "front"),
            help="Where nginx keeps its pid, logs, temporary files and cache.",
        )
        parser.add_argument(
            "--user",
            default=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else "",
            help="The user nginx's workers run as when it starts as root (else root's own).",
        )
        parser.add_argument("--output", help="The file to write (else standard output).")

    def handle(self, *args, **options):
        tls_cert, tls_key = os.environ.get("TLS_CERT", ""), os.environ.get("TLS_KEY", "")
        if bool(tls_cert) != bool(tls_key):
            raise CommandError("Set both TLS_CERT and TLS_KEY, or neither.")
        directory = Path(options["directory"]).resolve()
        for folder in ["temp", "cache"]:
            (directory / folder).mkdir(parents=True, exist_ok=True)
        # The logs hold visitors' addresses: the front's user alone may read them.
        if options["user"] and os.geteuid() == 0:
            shutil.chown(directory, user=options["user"])
        directory.chmod(0o750)
        binds = addresses("FRONT_BIND", "127.0.0.1:8000")
        # Where certbot's webroot plugin writes its challenges (`certbot -w ACME_ROOT`).
        acme_root = os.environ.get("ACME_ROOT") or settings.BASE_DIR / "var" / "acme"
        brotli = all((MODULES / module).exists() for module in BROTLI_MODULES)
        context = {
            "upstreams": [
                upstream.strip()
                for upstreams in options["upstream"]
                for upstream in upstreams.split(",")
                if upstream.strip()
            ],
            "directory": directory,
            "user": options["user"],
            "modules": [MODULES / module for module in BROTLI_MODULES] if brotli else [],
            "brotli": brotli,
            "mime_types": "/etc/nginx/mime.types",
            "binds": binds,
            "tls": bool(tls_cert),
            "tls_cert": Path(tls_cert).resolve() if tls_cert else "",
            "tls_key": Path(tls_key).resolve() if tls_key else "",
            "http_binds": addresses("FRONT_HTTP_BIND", "80"),
            "https_port": https_port(binds[0]),
            "acme_root": Path(acme_root).resolve(),
            "static_root": Path(settings.STATIC_ROOT).resolve(),
            "media_root": Path(settings.MEDIA_ROOT).resolve(),
            "max_body_size": "10m",
            "session_cookies": [settings.SESSION_COOKIE_NAME, "messages"],
        }
        engine = Engine(autoescape=False)
        config = engine.from_string(
            (settings.BASE_DIR / "deploy" / "nginx.conf").read_text()
        ).render(Context(context))
        if options["output"]:
            Path(options["output"]).write_text(config)
        else:
            self.stdout.write(config, ending="")
