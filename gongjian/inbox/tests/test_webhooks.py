"""Group-robot webhooks reach a real HTTP receiver once, in the robots' formats, and survive
failures without bothering the workflow that sent them."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.audit.models import AuditEntry
from gongjian.inbox import webhooks
from gongjian.inbox.models import WebhookDelivery, WebhookEndpoint

OK = (200, {"errcode": 0, "errmsg": "ok"})
SERVER_ERROR = (500, {"error": "internal"})
REFUSED = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})


class Receiver:
    """A robot on 127.0.0.1 that records what it is sent and answers with `failures` first."""

    def __init__(self, delay: float = 0.0):
        self.requests: list[dict] = []
        self.failures: list[tuple[int, dict]] = []
        self.delay = delay
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "content_type": self.headers["Content-Type"],
                            "json": json.loads(body.decode("utf-8")),
                        }
                    )
                    status, answer = receiver.failures.pop(0) if receiver.failures else OK
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # shutdown() waits for serve_forever's next poll: the default half second, per test.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/cgi-bin/webhook/send?key=abc") -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/send"


class WebhookTestCase(TestCase):
    def setUp(self):
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.wecom = WebhookEndpoint.objects.create(
            name="项目办群", url=self.receiver.url(), kind=WebhookEndpoint.Kind.WECOM
        )

    def broadcast(self, key="problem:12:escalated:2", **kwargs):
        values = {"title": "问题升级", "text": "西山锂电池隔膜项目：用地未落实", "url": ""}
        values.update(kwargs)
        return webhooks.broadcast(key=key, **values)

    def test_it_sends_wecom_markdown_after_the_commit(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.broadcast(url="https://gj.example.cn/problems/12/"), 1)
            self.assertEqual(self.receiver.requests, [])  # nothing leaves before the commit
        [request] = self.receiver.requests
        self.assertEqual(request["path"], "/cgi-bin/webhook/send?key=abc")
        self.assertEqual(request["content_type"], "application/json; charset=utf-8")
        self.assertEqual(
            request["json"],
            {
                "msgtype": "markdown",
                "markdown": {
                    "content": "### 问题升级\n西山锂电池隔膜项目：用地未落实"
                    "\n[View](https://gj.example.cn/problems/12/)"
                },
            },
        )
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.status, WebhookDelivery.Status.SENT)
        self.assertEqual(delivery.attempts, 1)
        self.assertIsNotNone(delivery.sent_at)

    def test_a_rolled_back_workflow_sends_nothing(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    self.broadcast()
                    raise RuntimeError("the escalation failed")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertFalse(WebhookDelivery.objects.exists())
        self.assertEqual(self.receiver.requests, [])

    def test_it_sends_dingtalk_markdown_signed_with_the_secret(self):
        self.wecom.delete()
        WebhookEndpoint.objects.create(
            name="钉钉群",
            url=self.receiver.url("/robot/send?access_token=tok"),
            kind=WebhookEndpoint.Kind.DINGTALK,
            secret="SEC123",
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.broadcast(url="https://gj.example.cn/problems/12/")
        [request] = self.receiver.requests
        self.assertEqual(
            request["json"],
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": "问题升级",
                    "text": "### 问题升级\n\n西山锂电池隔膜项目：用地未落实"
                    "\n\n[View](https://gj.example.cn/problems/12/)",
                },
            },
        )
        path, _, query = request["path"].partition("?")
        self.assertEqual(path, "/robot/send")
        params = urllib.parse.parse_qs(query)
        self.assertEqual(params["access_token"], ["tok"])
        timestamp = params["timestamp"][0]
        self.assertLess(abs(int(timestamp) - time.time() * 1000), 60_000)
        expected = hmac.new(b"SEC123", f"{timestamp}\nSEC123".encode(), hashlib.sha256).digest()
        self.assertEqual(base64.b64decode(params["sign"][0]), expected)

    def test_dingtalk_without_a_secret_is_not_signed(self):
        self.wecom.kind = WebhookEndpoint.Kind.DINGTALK
        self.wecom.save()
        with self.captureOnCommitCallbacks(execute=True):
            self.broadcast()
        self.assertEqual(self.receiver.requests[0]["path"], "/cgi-bin/webhook/send?key=abc")

    def test_the_signature_matches_dingtalks_example(self):
        # The sign must be URL-encoded: base64 has "+", "/" and "=".
        url = webhooks.dingtalk_signed_url("https://oapi.dingtalk.com/robot/send", "s", 1)
        digest = hmac.new(b"s", b"1\ns", hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        self.assertEqual(url, f"https://oapi.dingtalk.com/robot/send?timestamp=1&sign={sign}")

    def test_a_failing_robot_leaves_the_delivery_pending_with_a_backoff(self):
        self.receiver.failures = [SERVER_ERROR]
        before = timezone.now()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.broadcast(), 1)  # no exception
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.status, WebhookDelivery.Status.PENDING)
        self.assertEqual(delivery.attempts, 1)
        self.assertEqual(delivery.last_error, "WebhookError: HTTP 500")
        self.assertGreaterEqual(delivery.next_attempt_at, before + datetime.timedelta(minutes=1))

        self.assertEqual(webhooks.deliver_due(), (0, 0, 0))  # not due yet
        later = timezone.now() + datetime.timedelta(minutes=1, seconds=5)
        self.assertEqual(webhooks.deliver_due(later), (1, 0, 0))
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, WebhookDelivery.Status.SENT)
        self.assertEqual(delivery.attempts, 2)
        self.assertEqual(delivery.last_error, "")
        self.assertEqual(len(self.receiver.requests), 2)

    def test_an_errcode_in_a_200_answer_is_a_failure(self):
        self.receiver.failures = [REFUSED]
        with self.captureOnCommitCallbacks(execute=True):
            self.broadcast()
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.status, WebhookDelivery.Status.PENDING)
        self.assertEqual(delivery.last_error, "WebhookError: errcode 93000: invalid webhook url")

    def test_it_backs_off_exponentially_and_gives_up_after_max_attempts(self):
        self.receiver.failures = [SERVER_ERROR] * webhooks.MAX_ATTEMPTS
        self.broadcast()
        now = timezone.now()
        waits = []
        for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
            counts = webhooks.deliver_due(now)
            delivery = WebhookDelivery.objects.get()
            self.assertEqual(delivery.attempts, attempt)
            if attempt < webhooks.MAX_ATTEMPTS:
                self.assertEqual(counts, (0, 0, 1))
                waits.append((delivery.next_attempt_at - now).total_seconds() / 60)
                now = delivery.next_attempt_at
        self.assertEqual(waits, [1, 2, 4, 8, 16, 32, 60])
        self.assertEqual(counts, (0, 1, 0))
        self.assertEqual(delivery.status, WebhookDelivery.Status.FAILED)
        self.assertEqual(webhooks.deliver_due(now + datetime.timedelta(days=1)), (0, 0, 0))
        self.assertEqual(len(self.receiver.requests), webhooks.MAX_ATTEMPTS)

    def test_an_unreachable_robot_does_not_raise(self):
        self.wecom.url = closed_port_url()
        self.wecom.save()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.broadcast(), 1)
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.status, WebhookDelivery.Status.PENDING)
        self.assertIn("URLError", delivery.last_error)

    @override_settings(WEBHOOK_TIMEOUT_SECONDS=0.2)
    def test_a_slow_robot_times_out(self):
        self.receiver.delay = 1
        started = time.monotonic()
        with self.captureOnCommitCallbacks(execute=True):
            self.broadcast()
        self.assertLess(time.monotonic() - started, 1)
        self.assertIn("timed out", WebhookDelivery.objects.get().last_error)

    def test_the_same_key_is_queued_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.broadcast(), 1)
            self.assertEqual(self.broadcast(), 0)
        self.assertEqual(WebhookDelivery.objects.count(), 1)
        self.assertEqual(len(self.receiver.requests), 1)

    def test_endpoints_get_only_their_topics(self):
        self.wecom.topics = "problems, dispatch.overdue"
        self.wecom.save()
        everything = WebhookEndpoint.objects.create(
            name="all", url=self.receiver.url(), kind=WebhookEndpoint.Kind.WECOM
        )
        WebhookEndpoint.objects.create(
            name="off", url=self.receiver.url(), kind=WebhookEndpoint.Kind.WECOM, is_active=False
        )
        self.broadcast(key="a", topic="problems")
        self.broadcast(key="b", topic="problems.escalated")
        self.broadcast(key="c", topic="problemsolving")
        self.broadcast(key="d", topic="dispatch")
        self.broadcast(key="e", topic="dispatch.overdue")
        self.broadcast(key="f")
        self.assertEqual(
            sorted(self.wecom.deliveries.values_list("key", flat=True)), ["a", "b", "e"]
        )
        self.assertEqual(everything.deliveries.count(), 6)
        self.assertEqual(WebhookDelivery.objects.count(), 9)

    def test_two_runs_claiming_the_same_row_send_it_once(self):
        self.broadcast()
        now = timezone.now()
        first = WebhookDelivery.objects.get()
        second = WebhookDelivery.objects.get()  # read by another run before the first claimed
        self.assertTrue(webhooks.claim(first, now))
        self.assertFalse(webhooks.claim(second, now))
        self.assertIsNone(webhooks._attempt(second, now))
        self.assertEqual(self.receiver.requests, [])
        self.assertEqual(WebhookDelivery.objects.get().attempts, 1)

    def test_a_robot_that_fails_is_left_alone_for_the_rest_of_the_run(self):
        for key in ["a", "b", "c"]:
            self.broadcast(key=key)
        self.receiver.failures = [SERVER_ERROR]
        self.assertEqual(webhooks.deliver_due(), (0, 0, 1))
        self.assertEqual(len(self.receiver.requests), 1)
        later = timezone.now() + datetime.timedelta(minutes=2)
        self.assertEqual(webhooks.deliver_due(later), (3, 0, 0))

    def test_the_command_sends_what_is_due(self):
        self.broadcast()
        out = io.StringIO()
        call_command("send_webhooks", stdout=out)
        call_command("send_webhooks", stdout=out)
        self.assertEqual(
            out.getvalue(),
            "1 sent, 0 failed for good, 0 to retry\n0 sent, 0 failed for good, 0 to retry\n",
        )
        self.assertEqual(len(self.receiver.requests), 1)

    def test_the_test_message_reports_errors(self):
        broken = WebhookEndpoint.objects.create(
            name="broken", url=closed_port_url(), kind=WebhookEndpoint.Kind.DINGTALK
        )
        errors = webhooks.send_test_message([self.wecom, broken])
        self.assertEqual(list(errors), [broken])
        self.assertEqual(len(self.receiver.requests), 1)
        self.assertFalse(WebhookDelivery.objects.exists())


class WebhookAdminTestCase(TestCase):
    def setUp(self):
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.admin = User.objects.create_superuser("root", password="password")
        self.client.force_login(self.admin)

    def test_it_adds_an_endpoint_with_an_audit_entry_and_sends_a_test_message(self):
        response = self.client.post(
            "/admin/inbox/webhookendpoint/add/",
            {"name": "项目办群", "url": self.receiver.url(), "kind": "wecom", "is_active": "on"},
        )
        self.assertEqual(response.status_code, 302)
        endpoint = WebhookEndpoint.objects.get()
        self.assertTrue(AuditEntry.objects.filter(target_type="inbox.WebhookEndpoint").exists())
        response = self.client.post(
            "/admin/inbox/webhookendpoint/",
            {"action": "send_test", "_selected_action": [endpoint.pk]},
            follow=True,
        )
        self.assertContains(response, "项目办群: sent")
        self.assertEqual(self.receiver.requests[0]["json"]["msgtype"], "markdown")

    def test_deliveries_are_listed_read_only(self):
        endpoint = WebhookEndpoint.objects.create(
            name="群", url=self.receiver.url(), kind=WebhookEndpoint.Kind.WECOM
        )
        WebhookDelivery.objects.create(endpoint=endpoint, key="problem:1:escalated:1", payload={})
        response = self.client.get("/admin/inbox/webhookdelivery/")
        self.assertContains(response, "problem:1:escalated:1")
        self.assertNotContains(response, "/admin/inbox/webhookdelivery/add/")


class MessagePayloadTestCase(TestCase):
    def test_a_long_message_is_cut_to_4096_bytes_on_a_character_boundary(self):
        text = "用地未落实😀" * 1000
        for kind in WebhookEndpoint.Kind.values:
            payload = webhooks.message_payload(
                kind, "问题" * 500, text, "https://gj.example.cn/p/1"
            )
            content = payload["markdown"].get("content") or payload["markdown"]["text"]
            self.assertLessEqual(len(content.encode("utf-8")), 4096)
            self.assertGreater(len(content.encode("utf-8")), 4090)
            self.assertIn("…", content)
            self.assertTrue(content.endswith("(https://gj.example.cn/p/1)"))

    def test_a_short_message_is_unchanged(self):
        payload = webhooks.message_payload("wecom", "标题", "正文")
        self.assertEqual(payload["markdown"]["content"], "### 标题\n正文")


class ConcurrentDeliveryTestCase(TransactionTestCase):
    # No serialized_rollback: restoring the serialized database collides with the content
    # types other TransactionTestCases re-create after their flush. This test needs no data
    # from migrations.

    def test_two_runs_at_once_send_each_message_once(self):
        if connection.vendor == "sqlite":
            self.skipTest(
                "the in-memory SQLite test database takes one writer; CI runs this on PostgreSQL"
            )
        receiver = Receiver(delay=0.02)
        self.addCleanup(receiver.stop)
        endpoint = WebhookEndpoint.objects.create(
            name="群", url=receiver.url(), kind=WebhookEndpoint.Kind.WECOM
        )
        for n in range(10):
            WebhookDelivery.objects.create(endpoint=endpoint, key=f"k{n}", payload={"n": n})
        results = []

        def run():
            try:
                results.append(webhooks.deliver_due())
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(counts.sent for counts in results), 10)
        self.assertEqual(sorted(r["json"]["n"] for r in receiver.requests), list(range(10)))
        self.assertEqual(
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.SENT).count(), 10
        )
