"""gunicorn settings for postlicense (README "Production"): `postlicense serve`, `make serve` and
deploy/systemd/postlicense-web.service use this file. Every value can be overridden from the environment."""

import os

wsgi_app = "postlicense.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")

# Workers: two per CPU and one more, each serving one request at a time. A request waits on the database about
# half its time, so two processes per CPU keep the CPUs busy; threads in one process would share its GIL, and a
# thread whose query has returned waits for the GIL while another thread computes (up to the 5 ms switch interval,
# once per query): with 4 threads a worker, p95 at 100 users was 1.5 s against 0.8 s with single-threaded workers,
# same machine, same mix (README "Load"). Progress-bar polls are short requests that any free worker serves.
cpus = len(os.sched_getaffinity(0))
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * cpus + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 1))

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
