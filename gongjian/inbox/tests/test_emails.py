"""Notice emails: a failed send leaves the notice in the inbox and is retried, a few times,
while the notice is fresh; a sent one is never sent again."""

from __future__ import annotations

import datetime
import smtplib
from unittest import mock

from django.core import mail
from django.utils import timezone

from gongjian.inbox.models import Notification
from gongjian.inbox.services import MAX_EMAIL_ATTEMPTS, notify, retry_emails
from gongjian.test import BaseTestCase

FAILING = mock.patch(
    "gongjian.inbox.services.send_mail", side_effect=smtplib.SMTPException("server down")
)


class EmailRetryTests(BaseTestCase):
    def setUp(self):
        self.dora.email = "dora@example.gov.cn"
        self.dora.save()

    def test_failed_email_keeps_the_notice_and_is_retried_once_sent(self):
        with FAILING:
            self.assertTrue(notify(user=self.dora, key="k1", title="问题已交办"))
        notice = Notification.objects.get(key="k1")
        self.assertEqual((notice.email_attempts, notice.emailed_at), (1, None))
        self.assertEqual(mail.outbox, [])
        self.assertEqual(retry_emails(), 1)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["dora@example.gov.cn"])
        notice.refresh_from_db()
        self.assertIsNotNone(notice.emailed_at)
        self.assertEqual(retry_emails(), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_gives_up_after_the_limit_and_when_stale(self):
        with FAILING:
            notify(user=self.dora, key="k2", title="t")
            for _ in range(MAX_EMAIL_ATTEMPTS + 2):
                retry_emails()
        notice = Notification.objects.get(key="k2")
        self.assertEqual(notice.email_attempts, MAX_EMAIL_ATTEMPTS)
        self.assertEqual(retry_emails(), 0)
        with FAILING:
            notify(user=self.dora, key="k3", title="t")
        later = timezone.now() + datetime.timedelta(days=2)
        self.assertEqual(retry_emails(now=later), 0)

    def test_sent_at_once_when_the_server_works(self):
        notify(user=self.dora, key="k4", title="t")
        notice = Notification.objects.get(key="k4")
        self.assertEqual(notice.email_attempts, 1)
        self.assertIsNotNone(notice.emailed_at)
        self.assertEqual(len(mail.outbox), 1)
