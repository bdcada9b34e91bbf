"""Where a request came from, and which forwarded headers may be believed.

The front (nginx, deploy/) overwrites X-Forwarded-For with the address it saw and
X-Forwarded-Proto with the scheme the browser used. Those headers are believed only from
a sender named in TRUSTED_PROXIES: an address, a network (`10.0.0.0/8`), or `unix` for
gunicorn on a Unix socket, where the sender has no address and only the processes that
may open the socket (the front) can reach the site. From anyone else they are whatever
the client wrote, and ForwardedHeadersMiddleware drops them before anything reads them.
"""

import ipaddress

from django.conf import settings

UNIX_SOCKET = "unix"
FORWARDED_HEADERS = [
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
]


def is_from_trusted_proxy(request):
    sender = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not sender:
        return UNIX_SOCKET in proxies
    ip = _ip(sender)
    networks = [proxy_network(proxy) for proxy in proxies if proxy != UNIX_SOCKET]
    return ip is not None and any(network and ip in network for network in networks)


def client_address(request):
    """The address a request came from, or None when it cannot be told.

    The front's X-Forwarded-For when a trusted proxy sent the request (the front writes
    one address; were there several, the last is the one it saw), else REMOTE_ADDR. IPv6
    addresses count by their /64, which one household or phone usually holds whole.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if is_from_trusted_proxy(request):
        forwarded = request.headers.get("x-forwarded-for", "").split(",")[-1].strip()
        if _ip(forwarded):
            address = forwarded
    ip = _ip(address)
    if ip is None:
        return None
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Address(int(ip) >> 64 << 64))
    return str(ip)


class ForwardedHeadersMiddleware:
    """Drop the forwarded headers of a request that did not come through a trusted proxy,
    so that neither Django (SECURE_PROXY_SSL_HEADER) nor the site believes them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_from_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def proxy_network(proxy):
    """The network a TRUSTED_PROXIES entry names (`unix` for the Unix socket), or None."""
    if proxy == UNIX_SOCKET:
        return UNIX_SOCKET
    try:
        return ipaddress.ip_network(proxy, strict=False)
    except ValueError:
        return None


def _ip(address):
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None
