"""Reminders go to the right filers, once, however often the job runs."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

from django.core import mail
from django.test import TransactionTestCase

from gongjian.dispatch import services
from gongjian.dispatch.reminders import send_reminders
from gongjian.inbox.models import Notification
from gongjian.test import Personas
from gongjian.test.dispatch import DispatchTestCase

# The March period is due 2026-04-05 23:59 (+08:00).
DUE_SOON = datetime.datetime(2026, 4, 4, 9, 0, tzinfo=datetime.UTC)
OVERDUE = datetime.datetime(2026, 4, 7, 9, 0, tzinfo=datetime.UTC)


class ReminderTestCase(DispatchTestCase):
    def setUp(self):
        self.ursula.email = "ursula@example.gov.cn"
        self.ursula.save()
        # February is filed, so only March can be missing.
        february = services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.february,
            data={"amount": Decimal("10")},
        )
        services.report_submit(actor=self.ursula, report=february)

    def test_it_reminds_the_filer_whose_project_is_missing(self):
        self.assertEqual(send_reminders(DUE_SOON), 1)
        notice = Notification.objects.get()
        self.assertEqual(notice.user, self.ursula)  # project_a is listed; project_b is not
        self.assertIn("Due soon", notice.title)
        self.assertEqual(len(mail.outbox), 1)

    def test_running_twice_sends_nothing_twice(self):
        send_reminders(DUE_SOON)
        self.assertEqual(send_reminders(DUE_SOON), 0)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_submitted_report_stops_the_reminder_and_overdue_is_a_new_notice(self):
        report = services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal("10")},
        )
        self.assertEqual(send_reminders(DUE_SOON), 1)  # a draft is not a filing
        services.report_submit(actor=self.ursula, report=report)
        self.assertEqual(send_reminders(OVERDUE), 0)

    def test_an_overdue_period_gets_an_overdue_notice(self):
        self.assertEqual(send_reminders(OVERDUE), 1)
        self.assertIn("Overdue", Notification.objects.get().title)


class ConcurrentReminderTestCase(Personas, TransactionTestCase):
    # The lists come from load_defaults, not serialized_rollback: restoring the serialized
    # database collides with the content types another TransactionTestCase re-created.

    def setUp(self):
        from django.apps import apps

        from gongjian.projects.defaults import load_defaults

        load_defaults(apps)

    def test_two_runs_at_once_send_each_notice_once(self):
        from django.db import connection

        from gongjian.dispatch.models import Campaign

        if connection.vendor == "sqlite":
            self.skipTest(
                "the in-memory SQLite test database takes one writer; CI runs this on PostgreSQL"
            )
        from gongjian.projects.models import AnnualListing

        self.create_personas()
        campaign = Campaign.objects.create(name="月调度", year=2026)
        services.periods_ensure(campaign)
        AnnualListing.objects.create(
            project=self.project_a, year=2026, level="city", planned_investment=1
        )
        results = []

        def run():
            results.append(send_reminders(DUE_SOON))
            from django.db import connection

            connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sum(results), 2)  # February overdue, March due soon: each sent once
        self.assertEqual(Notification.objects.count(), 2)
