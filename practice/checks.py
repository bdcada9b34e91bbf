"""System checks for going live: what `manage.py check --deploy` adds to Django's own."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .client_address import UNIX_SOCKET, proxy_network


@register(Tags.security)
def check_trusted_proxies(app_configs, **kwargs):
    return [
        Error(
            f"TRUSTED_PROXIES names {proxy!r}, which is neither an address, a network "
            f"nor {UNIX_SOCKET!r}.",
            hint="e.g. TRUSTED_PROXIES=127.0.0.1 for a front on the same machine.",
            id="practice.E001",
        )
        for proxy in settings.TRUSTED_PROXIES
        if proxy_network(proxy) is None
    ]


@register(Tags.security, deploy=True)
def check_front(app_configs, **kwargs):
    if settings.TRUSTED_PROXIES or not settings.SECURE_SSL_REDIRECT:
        return []
    return [
        Warning(
            "TRUSTED_PROXIES is empty, so the site believes no front's X-Forwarded-Proto "
            "and redirects every request to HTTPS.",
            hint="Name the front that ends TLS (deploy/), e.g. TRUSTED_PROXIES=127.0.0.1.",
            id="practice.W001",
        )
    ]
