"""Group-robot webhooks (企业微信, 钉钉): queue a message per endpoint, send it after the commit,
retry with backoff from the `send_webhooks` command (docs/notifications.md).

A notice must never break or stall the workflow that reports it: `broadcast` catches and logs
everything, and each HTTP request gives up after WEBHOOK_TIMEOUT_SECONDS.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongjian.inbox.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Retry after 1, 2, 4, 8 … minutes, never more than an hour apart.
BACKOFF_CAP = datetime.timedelta(minutes=60)
# A claimed row waits this long before another run may take it: far longer than a send can take,
# so it only matters when a process died while sending.
LEASE = datetime.timedelta(minutes=5)
# Both robots accept 20 messages a minute and then refuse for a while; the command runs each
# minute, so it sends at most this many per endpoint per run.
PER_ENDPOINT_PER_RUN = 20
# WeCom's limit for markdown content (bytes of UTF-8). DingTalk allows more; one limit keeps
# group messages short everywhere.
MAX_CONTENT_BYTES = 4096
MAX_TITLE_BYTES = 300
MAX_RESPONSE_BYTES = 64 * 1024


class WebhookError(Exception):
    pass


class DeliveryCounts(NamedTuple):
    sent: int
    failed: int
    retrying: int


def message_payload(kind: str, title: str, text: str, url: str = "") -> dict[str, Any]:
    """The robot's markdown message, within MAX_CONTENT_BYTES (the text is cut, not the link)."""
    title = _fit(title, MAX_TITLE_BYTES)
    # Group messages are read by many people: they are in the platform's language, like lights.
    with translation.override(settings.LANGUAGE_CODE):
        label = _("View")
    if kind == WebhookEndpoint.Kind.DINGTALK:
        head, link = f"### {title}\n\n", f"\n\n[{label}]({url})" if url else ""
    else:
        head, link = f"### {title}\n", f"\n[{label}]({url})" if url else ""
    if _size(link) > MAX_CONTENT_BYTES // 4:
        link = ""  # a link that long is broken anyway; keep the text
    content = head + _fit(text, MAX_CONTENT_BYTES - _size(head) - _size(link)) + link
    if kind == WebhookEndpoint.Kind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": content}}
    return {"msgtype": "markdown", "markdown": {"content": content}}


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _fit(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8 on a character boundary, with an ellipsis."""
    if _size(text) <= limit:
        return text
    ellipsis = "…"
    cut = text.encode("utf-8")[: max(limit - _size(ellipsis), 0)]
    # Dropping the bytes of a character cut in half; nothing else can be invalid here.
    return cut.decode("utf-8", errors="ignore") + ellipsis


def broadcast(*, key: str, title: str, text: str, url: str = "", topic: str = "") -> int:
    """Queue a message for every active endpoint that wants `topic` and send it after the
    current transaction commits (at once outside a transaction). Returns how many were queued.

    `key` names the event (e.g. "problem:12:escalated:2"); an endpoint gets a key only once.
    `url` should be absolute: the message is read outside the site. Never raises: a failed
    send stays queued for `send_webhooks`.
    """
    try:
        # A savepoint, so an error here leaves the caller's transaction usable.
        with transaction.atomic():
            queued = _queue(key=key, title=title, text=text, url=url, topic=topic)
    except Exception:
        logger.exception("webhook %s: could not queue", key)
        return 0
    if queued:
        transaction.on_commit(lambda: _send_queued(queued))
    return len(queued)


def _queue(*, key: str, title: str, text: str, url: str, topic: str) -> list[int]:
    ids = []
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        if not endpoint.wants(topic):
            continue
        payload = message_payload(endpoint.kind, title, text, url)
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint, key=key, payload=payload
                )
        except IntegrityError:
            continue  # queued before, maybe by another process right now
        ids.append(delivery.pk)
    return ids


def _send_queued(ids: list[int]) -> None:
    try:
        now = timezone.now()
        pending = WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.PENDING)
        for delivery in pending.select_related("endpoint"):
            _attempt(delivery, now)
    except Exception:
        logger.exception("webhooks: sending after commit failed; send_webhooks will retry")


def deliver_due(now: datetime.datetime | None = None, limit: int = 500) -> DeliveryCounts:
    """Send the pending deliveries that are due, at most PER_ENDPOINT_PER_RUN per endpoint and
    `limit` in all. Safe to run twice at once: each row is claimed before it is sent."""
    now = now or timezone.now()
    sent = failed = retrying = 0
    for endpoint in WebhookEndpoint.objects.filter(is_active=True):
        due = endpoint.deliveries.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        for delivery in due[: min(PER_ENDPOINT_PER_RUN, limit - sent - failed - retrying)]:
            delivery.endpoint = endpoint
            outcome = _attempt(delivery, now)
            if outcome == WebhookDelivery.Status.SENT:
                sent += 1
                continue
            if outcome == WebhookDelivery.Status.FAILED:
                failed += 1
            elif outcome == WebhookDelivery.Status.PENDING:
                retrying += 1
            if outcome is not None:
                # A robot that is down or refusing would refuse the rest too: one timeout per
                # run is enough, the rest keep their place for the next run.
                break
        if sent + failed + retrying >= limit:
            break
    return DeliveryCounts(sent, failed, retrying)


def claim(delivery: WebhookDelivery, now: datetime.datetime) -> bool:
    """Take `delivery` for one attempt. Of two runs holding the same row, only the one whose
    UPDATE still finds the attempts it read wins; the other leaves the row alone."""
    won = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if won:
        delivery.attempts += 1
    return bool(won)


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, capped."""
    return min(datetime.timedelta(minutes=2 ** min(attempts - 1, 10)), BACKOFF_CAP)


def _attempt(delivery: WebhookDelivery, now: datetime.datetime) -> str | None:
    """Claim and send one delivery; returns its status afterwards, or None if another run had
    claimed it."""
    if not claim(delivery, now):
        return None
    rows = WebhookDelivery.objects.filter(pk=delivery.pk)
    try:
        post(delivery.endpoint, delivery.payload)
    except Exception as error:
        message = f"{type(error).__name__}: {error}"[:1000]
        logger.warning(
            "webhook %s to %s, attempt %s: %s",
            delivery.key,
            delivery.endpoint,
            delivery.attempts,
            message,
        )
        if delivery.attempts >= MAX_ATTEMPTS:
            status, next_at = WebhookDelivery.Status.FAILED, now
        else:
            status, next_at = WebhookDelivery.Status.PENDING, now + backoff(delivery.attempts)
        # Only if no other run took the row over in the meantime (its lease ran out).
        rows.filter(attempts=delivery.attempts).update(
            status=status, next_attempt_at=next_at, last_error=message
        )
        return status
    rows.update(status=WebhookDelivery.Status.SENT, sent_at=now, last_error="")
    return WebhookDelivery.Status.SENT


def post(endpoint: WebhookEndpoint, payload: dict[str, Any]) -> None:
    """POST `payload` to the endpoint's robot; raises unless the robot accepted it (HTTP 2xx
    and, when the answer is JSON with an errcode, errcode 0)."""
    url = endpoint.url
    if not url.startswith(("http://", "https://")):
        raise WebhookError("the webhook URL must start with http:// or https://")
    if endpoint.kind == WebhookEndpoint.Kind.DINGTALK and endpoint.secret:
        url = dingtalk_signed_url(url, endpoint.secret)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    timeout = getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5)
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, body = response.status, response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as error:  # 3xx (not followed, see _NoRedirect), 4xx, 5xx
        error.close()
        raise WebhookError(f"HTTP {error.code}") from None
    if not 200 <= status < 300:
        raise WebhookError(f"HTTP {status}")
    try:
        answer = json.loads(body)
    except ValueError:
        return  # not JSON: the status code is all there is to go by
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise WebhookError(f"errcode {answer['errcode']}: {answer.get('errmsg', '')}"[:500])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirected POST turns into a GET without the message; report the redirect instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """DingTalk's 加签: timestamp (ms) and the base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by
    the secret, URL-encoded. DingTalk refuses a timestamp more than an hour off."""
    timestamp = str(timestamp_ms if timestamp_ms is not None else round(time.time() * 1000))
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp}&sign={sign}"


def send_test_message(endpoints: Iterable[WebhookEndpoint]) -> dict[WebhookEndpoint, str]:
    """Send a test message to each endpoint at once (no outbox); returns the errors by endpoint."""
    errors = {}
    for endpoint in endpoints:
        payload = message_payload(
            endpoint.kind,
            _("Test message"),
            _("This group will receive notices from Gongjian."),
        )
        try:
            post(endpoint, payload)
        except Exception as error:
            errors[endpoint] = f"{type(error).__name__}: {error}"
    return errors
