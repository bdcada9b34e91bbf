"""nginx serving one saved page from a file: the yardstick the front is measured against.

The same nginx binary as the front, with the front's settings where they bear on the
speed of one small page (worker processes, connections, sendfile, tcp_nopush, keep-alive,
one access-log line a request) and nothing else: no proxy, no cache, no added headers,
and no compression, which the front does not apply either to a client (wrk) that asks
for none.
"""

import os
import pwd
from pathlib import Path

from tests.support.front import NGINX
from tests.support.processes import ChildProcess

PAGE = "page.html"
CONFIG = """\
{user}worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    default_type text/html;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    log_format file '$remote_addr [$time_local] "$request_method $uri" $status '
                    '$body_bytes_sent $request_time';
    access_log {directory}/access.log file;
    client_body_temp_path {directory}/temp/body;
    proxy_temp_path {directory}/temp/proxy;
    fastcgi_temp_path {directory}/temp/fastcgi;
    uwsgi_temp_path {directory}/temp/uwsgi;
    scgi_temp_path {directory}/temp/scgi;

    server {{
        listen 127.0.0.1:{port};
        location = /{page} {{
            root {directory}/files;
        }}
    }}
}}
"""


def file_server(*, content, directory, port):
    """nginx on `port` serving `content` (bytes) at /page.html; its files in `directory`."""
    directory = Path(directory).resolve()
    (directory / "files").mkdir(parents=True, exist_ok=True)
    (directory / "temp").mkdir(exist_ok=True)
    (directory / "files" / PAGE).write_bytes(content)
    # As root, nginx's workers would run as `nobody`, who may not read the file.
    user = f"user {pwd.getpwuid(0).pw_name};\n" if os.geteuid() == 0 else ""
    config = directory / "nginx.conf"
    config.write_text(CONFIG.format(user=user, directory=directory, port=port, page=PAGE))
    command = [NGINX, "-c", config, "-e", "stderr", "-g", "daemon off;"]
    return ChildProcess(command, log_path=directory / "nginx.log")
