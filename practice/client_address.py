"""Where a request came from, for the form's hourly limit and the admin's login lockout."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address a request came from, or None when it cannot be told.

    REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the site: then the
    address the outermost of them saw, which each appends to X-Forwarded-For. Entries to
    the left of that are whatever the client wrote, so they are never believed; a shorter
    or garbled header means the request did not come through the proxies, and REMOTE_ADDR
    is its sender. IPv6 addresses count by their /64, which one household or phone
    usually holds whole.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [
        part.strip()
        for part in request.headers.get("x-forwarded-for", "").split(",")
        if part.strip()
    ]
    if proxies and len(forwarded) >= proxies and _ip(forwarded[-proxies]):
        address = forwarded[-proxies]
    ip = _ip(address)
    if ip is None:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Address(int(ip) >> 64 << 64))
    return str(ip)


def _ip(address):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None
