"""gunicorn settings for postlicense (README "Production"): `postlicense serve`, `make serve` and
deploy/systemd/postlicense-web.service use this file. Every value can be overridden from the environment."""

import os

wsgi_app = "postlicense.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Workers: two per CPU this process may run on (a request waits on the database about half its time);
# threads let one worker serve the polling of progress bars while another request renders a PDF.
cpus = len(os.sched_getaffinity(0))
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cpus))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))

# A request longer than this is killed and logged (imports and large exports run as background jobs);
# on SIGHUP or SIGTERM a worker finishes its requests within graceful_timeout before it is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Restart a worker after this many requests (a slow leak cannot grow without bound); jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The reverse proxy that ends TLS (X-Forwarded-Proto, X-Forwarded-For are trusted from it only).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Reloads and stops go through signals (systemd's ExecReload sends SIGHUP); no control socket in $HOME.
control_socket_disable = True
