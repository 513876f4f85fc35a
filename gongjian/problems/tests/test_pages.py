"""The problem pages for each persona: who sees which problems, who may take which step, the
enterprise's whistle portal, attachments, the 督办单 page and PDF, and query counts."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongjian.accounts.models import Role, Unit
from gongjian.problems import services
from gongjian.problems.models import Attachment, Problem, ProblemCategory, Source, Status
from gongjian.test import OTHER_USCC, BaseTestCase

D = datetime.date
TODAY = datetime.datetime(2026, 10, 21, 10)  # the day after the deadline of a 09-30 assignment


@time_machine.travel(TODAY, tick=False)
class ProblemPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other_enterprise = Unit.objects.create(
            name="西山能源有限公司", kind=Unit.Kind.ENTERPRISE, uscc=OTHER_USCC
        )
        cls.olga = cls.make_user("olga", Role.ENTERPRISE, cls.other_enterprise)
        cls.other_dept = Unit.objects.create(
            name="市住建局", kind=Unit.Kind.DEPARTMENT, parent=cls.city
        )
        cls.dan = cls.make_user("dan", Role.DEPARTMENT, cls.other_dept)
        land = ProblemCategory.objects.get(code="land")
        with time_machine.travel(datetime.datetime(2026, 9, 30, 10), tick=False):
            cls.whistle = services.problem_raise(
                actor=cls.erin,
                title="用地指标未落实",
                category=land,
                source=Source.ENTERPRISE,
                project=cls.project_a,
                raising_unit=cls.enterprise,
            )
            services.problem_assign(actor=cls.alice, problem=cls.whistle, lead_department=cls.dept)
            cls.elsewhere = services.problem_raise(
                actor=cls.olga,
                title="西山项目供电不足",
                category=land,
                source=Source.ENTERPRISE,
                project=cls.project_b,
                raising_unit=cls.other_enterprise,
            )
            services.problem_assign(
                actor=cls.alice, problem=cls.elsewhere, lead_department=cls.other_dept
            )

    def get(self, user, name, *args, **params):
        self.client.force_login(user)
        return self.client.get(reverse(name, args=args), params)

    def test_list_access_per_role(self):
        expected = {
            "alice": 200,
            "leo": 200,
            "ursula": 200,
            "boris": 200,
            "dora": 200,
            "judy": 403,
            "oscar": 403,
        }
        for username, status in expected.items():
            with self.subTest(username):
                response = self.get(getattr(self, username), "problems:list")
                self.assertEqual(response.status_code, status)
        self.assertRedirects(self.get(self.erin, "problems:list"), reverse("problems:mine"))
        self.client.logout()
        self.assertEqual(self.client.get(reverse("problems:list")).status_code, 302)

    def test_who_sees_which_problem(self):
        visible = {
            "alice": {self.whistle, self.elsewhere},
            "leo": {self.whistle, self.elsewhere},
            "ursula": {self.whistle},  # project_a is 东湖街道's
            "boris": {self.elsewhere},
            "dora": {self.whistle},  # leads it
            "dan": {self.elsewhere},
            "erin": {self.whistle},
            "olga": {self.elsewhere},
        }
        for username, problems in visible.items():
            user = getattr(self, username)
            for problem in (self.whistle, self.elsewhere):
                with self.subTest(user=username, problem=problem.title):
                    response = self.get(user, "problems:detail", problem.pk)
                    self.assertEqual(response.status_code, 200 if problem in problems else 404)

    def test_list_shows_colour_and_filters(self):
        response = self.get(self.alice, "problems:list", colour="red")
        self.assertContains(response, self.whistle.title)
        self.assertContains(response, "light-red")
        response = self.get(self.alice, "problems:list", colour="blue")
        self.assertNotContains(response, self.whistle.title)
        response = self.get(self.alice, "problems:list", q="ydzb")  # 用地指标 initials
        self.assertContains(response, self.whistle.title)
        self.assertNotContains(response, self.elsewhere.title)
        response = self.get(self.alice, "problems:list", department=self.other_dept.pk)
        self.assertContains(response, self.elsewhere.title)
        self.assertNotContains(response, self.whistle.title)

    def test_list_query_count_does_not_grow(self):
        self.client.force_login(self.alice)
        self.client.get(reverse("problems:list"))
        with self.assertNumQueries(9) as first:
            self.client.get(reverse("problems:list"))
        for index in range(20):
            Problem.objects.create(
                title=f"问题{index}",
                category=self.whistle.category,
                source=Source.UNIT,
                project=self.project_b,
                lead_department=self.dept,
                status=Status.IN_PROGRESS,
                resolve_due=D(2026, 10, 1),
            )
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(reverse("problems:list"))

    def test_steps_offered_and_refused_per_role(self):
        url = reverse("problems:step", args=[self.whistle.pk, "sign"])
        for user in (self.alice, self.ursula, self.erin, self.leo):
            with self.subTest(user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.post(url).status_code, 403)
        self.client.force_login(self.dan)  # another department: cannot even see it
        self.assertEqual(self.client.post(url).status_code, 404)
        response = self.get(self.dora, "problems:detail", self.whistle.pk)
        self.assertContains(response, 'id="sign-button"')
        self.assertNotContains(response, 'id="step-assign"')
        self.client.force_login(self.dora)
        self.client.post(url)
        self.whistle.refresh_from_db()
        self.assertEqual(self.whistle.status, Status.SIGNED)
        response = self.get(self.alice, "problems:detail", self.whistle.pk)
        self.assertContains(response, 'id="step-escalate"')
        self.assertContains(response, 'id="step-notice"')  # red: overdue since 10-20
        self.assertNotContains(response, 'id="step-reply"')

    def test_step_form_errors_name_the_field(self):
        services.problem_sign(actor=self.dora, problem=self.whistle)
        self.client.force_login(self.dora)
        url = reverse("problems:step", args=[self.whistle.pk, "extend"])
        response = self.client.post(
            url, {"requested_due": "not a date", "reason": "x"}, follow=True
        )
        self.assertContains(response, "New deadline")
        response = self.client.post(
            url, {"requested_due": "2026-11-30", "reason": "等待批复"}, follow=True
        )
        self.assertContains(response, "has passed")  # the deadline was 10-20

    def test_whistle_portal(self):
        self.client.force_login(self.erin)
        response = self.client.get(reverse("problems:whistle"))
        self.assertContains(response, self.project_a.name)
        self.assertNotContains(response, self.project_b.name)  # another enterprise's project
        category = ProblemCategory.objects.get(code="utilities")
        response = self.client.post(
            reverse("problems:whistle"),
            {"project": self.project_b.pk, "category": category.pk, "text": "x"},
        )
        self.assertEqual(response.status_code, 200)  # refused: not its project
        self.assertFalse(Problem.objects.filter(project=self.project_b, raised_by=self.erin))
        response = self.client.post(
            reverse("problems:whistle"),
            {"project": self.project_a.pk, "category": category.pk, "text": "电力增容未批\n详情…"},
        )
        self.assertRedirects(response, reverse("problems:mine"))
        raised = Problem.objects.get(title="电力增容未批")
        self.assertEqual((raised.source, raised.raising_unit), (Source.ENTERPRISE, self.enterprise))
        self.assertEqual(raised.status, Status.REPORTED)
        mine = self.client.get(reverse("problems:mine"))
        self.assertContains(mine, "电力增容未批")
        self.assertNotContains(mine, self.elsewhere.title)
        for user in (self.alice, self.dora, self.judy):
            self.client.force_login(user)
            self.assertEqual(self.client.get(reverse("problems:whistle")).status_code, 403)

    def test_attachment_is_cleaned_and_only_for_those_who_see_it(self):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
        upload = SimpleUploadedFile("现场.jpg", buffer.getvalue(), content_type="image/jpeg")
        self.client.force_login(self.erin)
        url = reverse("problems:step", args=[self.whistle.pk, "attach"])
        self.client.post(url, {"file": upload})
        stored = Attachment.objects.get()
        self.assertEqual(stored.name, "现场.jpg")
        response = self.client.get(
            reverse("problems:attachment", args=[self.whistle.pk, stored.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.client.force_login(self.olga)
        response = self.client.get(
            reverse("problems:attachment", args=[self.whistle.pk, stored.pk])
        )
        self.assertEqual(response.status_code, 404)
        bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
        self.client.force_login(self.dora)
        response = self.client.post(url, {"file": bad}, follow=True)
        self.assertContains(response, "run.exe")
        self.assertEqual(Attachment.objects.count(), 1)

    def test_notice_page_and_pdf(self):
        notice = services.notice_issue(
            actor=self.alice,
            problem=self.whistle,
            requirement="请于三个工作日内办结",
            reply_due=D(2026, 10, 26),
        )
        response = self.get(self.dora, "problems:notice", notice.pk)
        self.assertContains(response, "督办〔2026〕1号")
        self.assertContains(response, "请于三个工作日内办结")
        response = self.get(self.alice, "problems:notice-pdf", notice.pk)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertEqual(self.get(self.erin, "problems:notice", notice.pk).status_code, 403)
        self.assertEqual(self.get(self.olga, "problems:notice", notice.pk).status_code, 404)


MATRIX_DAY = datetime.datetime(2026, 10, 12, 10, tzinfo=datetime.UTC)


@time_machine.travel(MATRIX_DAY, tick=False)
class StepMatrixTests(BaseTestCase):
    """Every step, posted by every persona, on a problem in the state that allows the step:
    only the persona whose capacity the step needs gets through."""

    # step: (status the problem is put in, form data, who may take it)
    MATRIX = {
        "assign": ("reported", {"lead_department": "dept"}, {"alice"}),
        "sign": ("assigned", {}, {"dora"}),
        "start": ("signed", {"text": ""}, {"dora"}),
        "reply": ("in_progress", {"text": "已办结"}, {"dora"}),
        "extend": ("in_progress", {"requested_due": "2026-10-30", "reason": "r"}, {"dora"}),
        "return": ("replied", {"text": "不具体"}, {"alice"}),
        "close": ("replied", {"text": ""}, {"alice"}),
        "rate": ("closed", {"rating": "satisfied", "note": ""}, {"erin"}),
        "escalate": ("in_progress", {"level": "2", "reason": "批示"}, {"alice"}),
        "comment": ("in_progress", {"text": "请加快"}, {"alice", "leo", "ursula", "dora", "erin"}),
    }
    PERSONAS = ["alice", "leo", "ursula", "boris", "dora", "erin", "judy", "oscar"]

    def make_problem(self, status: str) -> Problem:
        values = {
            "title": "矩阵测试问题",
            "category": ProblemCategory.objects.get(code="other"),
            "source": Source.ENTERPRISE,
            "project": self.project_a,
            "raised_by": self.erin,
            "raising_unit": self.enterprise,
            "status": status,
        }
        if status != "reported":
            values.update(
                lead_department=self.dept,
                assigned_at=MATRIX_DAY,
                sign_due=D(2026, 10, 13),
                resolve_due=D(2026, 10, 26),
                original_resolve_due=D(2026, 10, 26),
            )
        if status == "closed":
            values["closed_at"] = MATRIX_DAY
        return Problem.objects.create(**values)

    def test_matrix(self):
        for step, (status, data, allowed) in self.MATRIX.items():
            for username in self.PERSONAS:
                problem = self.make_problem(status)
                posted = {k: (self.dept.pk if v == "dept" else v) for k, v in data.items()}
                self.client.force_login(getattr(self, username))
                response = self.client.post(
                    reverse("problems:step", args=[problem.pk, step]), posted
                )
                with self.subTest(step=step, user=username):
                    if username in allowed:
                        self.assertEqual(response.status_code, 302)
                        self.assertTrue(problem.events.exists(), "the step left no event")
                    else:
                        self.assertIn(response.status_code, (403, 404))
                        self.assertFalse(problem.events.exists())


class WebhookFromProblemTests(BaseTestCase):
    def test_assignment_goes_to_the_group_robot_and_a_dead_robot_blocks_nothing(self):
        from gongjian.inbox.models import WebhookDelivery, WebhookEndpoint

        WebhookEndpoint.objects.create(
            name="项目办群",
            url="http://127.0.0.1:9/cgi-bin/webhook/send?key=x",  # nothing listens on port 9
            kind=WebhookEndpoint.Kind.WECOM,
            topics="problems",
        )
        with self.captureOnCommitCallbacks(execute=True):
            problem = services.problem_raise(
                actor=self.alice,
                title="供电线路迁改",
                category=ProblemCategory.objects.get(code="utilities"),
                source=Source.MEETING,
                project=self.project_a,
                raising_unit=self.city,
                lead_department=self.dept,
            )
        self.assertEqual(problem.status, Status.ASSIGNED)
        delivery = WebhookDelivery.objects.get()
        self.assertEqual(delivery.status, WebhookDelivery.Status.PENDING)  # to be retried
        self.assertEqual(delivery.attempts, 1)
        self.assertIn(problem.number, delivery.payload["markdown"]["content"])
        self.assertIn("http", delivery.payload["markdown"]["content"])  # an absolute link
