"""Gunicorn settings for production: `.venv/bin/gunicorn -c gunicorn.conf.py gongjian.wsgi`.

Every value can be set from the environment (docs/operations.md). Why these defaults:
- gthread workers, cores + 1 of them, one thread each by default: a page is CPU work in Python
  or PostgreSQL, so more threads in a worker only queue on its interpreter lock, while one more
  process than cores keeps the cores busy when a worker waits on the database. Single-threaded
  workers also serve many connections most evenly (the load run in docs/operations.md: 5 × 1
  on two cores had the best rate and a p99 under 1.5 s, where 3 × 4 and 2 × 8 went over 2 s).
  Raise GUNICORN_THREADS for deployments whose requests wait on slow services.
- Requests are short except exports and the bulletin PDF (seconds), hence the long timeout.
- Workers are replaced now and then (max_requests, with jitter so not all at once), which caps
  slow memory growth without a restart. The application is loaded once in the master and the
  workers are forked from it (preload_app): a replaced worker starts in milliseconds instead of
  importing Django again, and the workers share the loaded code's memory. No database
  connection is opened while loading, so none is shared between the forked workers.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
preload_app = True
# Behind nginx on the same host: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request line and header limits well below what a browser ever sends.
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
