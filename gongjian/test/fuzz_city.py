"""The city the fuzz test attacks: the cockpit's city (gongjian/test/city.py: a county, six
projects, reports in every state, lights and snapshots for February and March 2026) plus one of
everything else a page can show, so that every page renders its real branches:

- dispatch: a draft with a photo (April), a report returned with a reason, a submitted one;
- problems in every state: reported, assigned (with an attachment), overdue with a 督办单 and
  an escalation, in progress with an extension waiting, replied, closed and waiting for a rating;
- assessment: a monthly scheme with a published and a draft run, a yearly scheme published for
  2025 (the awards), and 观摩 events preparing (with a refused nomination), open (judy holds a
  seat) and closed (with a ballot);
- a big-screen link and a revoked one, a notice in every persona's inbox, and leo's second
  factor.

`ids` maps each kind of object a URL names to the ids that exist; the fuzz test fills path
arguments from it.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from gongjian.assessment import review
from gongjian.assessment import services as assessment
from gongjian.assessment.models import (
    Judge,
    ManualScore,
    Nomination,
    ReviewEvent,
    ReviewGroup,
    Scheme,
    SchemeItem,
    ScoreRun,
    UnitGroup,
)
from gongjian.dispatch import services as dispatch
from gongjian.dispatch.models import Period, Report, ReportPhoto
from gongjian.inbox.services import notify
from gongjian.problems import services as problems
from gongjian.problems.models import Attachment, Problem, ProblemCategory, Source
from gongjian.problems.models import SupervisionNotice as Notice
from gongjian.projects.models import AnnualListing, Milestone
from gongjian.screen.models import ScreenToken
from gongjian.test.city import TODAY, CityTestCase

__all__ = ["MEDIA", "TODAY", "FuzzCity"]

# Photos and attachments are written here (the test class points MEDIA_ROOT at it).
MEDIA = tempfile.mkdtemp(prefix="gongjian-fuzz-")
D = datetime.date


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, "PNG")
    return out.getvalue()


class FuzzCity(CityTestCase):
    """Built on TODAY (2026-04-03): January to March have ended, April is being filed."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.april = cls.campaign.periods.get(start=D(2026, 4, 1))
        cls.make_reports()
        cls.make_problems()
        cls.make_assessment()
        cls.make_review_events()
        cls.screen = ScreenToken.objects.create(name="市民中心大屏")
        cls.revoked_screen = ScreenToken.objects.create(name="旧大屏", revoked_at=timezone.now())
        for user in (cls.alice, cls.leo, cls.ursula, cls.dora, cls.erin, cls.judy, cls.oscar):
            notify(user=user, key="fuzz", title="一条通知", body="正文", url="/projects/")
        # Leo signs in with a second factor (the fuzz test marks his session as verified).
        cls.leo_device = TOTPDevice.objects.create(user=cls.leo, name="手机", confirmed=True)
        cls.ids = cls.collect_ids()

    @classmethod
    def make_reports(cls) -> None:
        draft = dispatch.report_save_draft(
            actor=cls.ursula,
            project=cls.project_a,
            period=cls.april,
            data={"amount": Decimal("800"), "progress": "主体施工"},
        )
        dispatch.report_add_photos(
            actor=cls.ursula,
            report=draft,
            uploads=[SimpleUploadedFile("现场.png", png(), content_type="image/png")],
        )
        returned = dispatch.report_save_draft(
            actor=cls.boris,
            project=cls.project_b,
            period=cls.january,
            data={"amount": Decimal("300")},
        )
        dispatch.report_submit(actor=cls.boris, report=returned)
        dispatch.report_return(actor=cls.alice, report=returned, reason="形象进度写得太简略")

    @classmethod
    def make_problems(cls) -> None:
        land = ProblemCategory.objects.get(code="land")

        def raised(actor, title, *, today, source=Source.UNIT, project=None, unit=None):
            return problems.problem_raise(
                actor=actor,
                title=title,
                category=land,
                source=source,
                project=project or cls.project_a,
                raising_unit=unit or cls.town_a,
                today=today,
            )

        raised(cls.ursula, "施工用电未接入", today=D(2026, 4, 1))
        assigned = raised(
            cls.erin,
            "用地指标未落实",
            today=D(2026, 4, 1),
            source=Source.ENTERPRISE,
            unit=cls.enterprise,
        )
        problems.problem_assign(
            actor=cls.alice, problem=assigned, lead_department=cls.dept, today=D(2026, 4, 1)
        )
        problems.attachment_add(
            actor=cls.alice,
            problem=assigned,
            upload=SimpleUploadedFile("说明.txt", "用地说明".encode(), content_type="text/plain"),
        )
        # Assigned in January: overdue (red) by April, with a 督办单 and an escalation.
        overdue = raised(cls.ursula, "环评批复迟迟未下", today=D(2026, 1, 5))
        problems.problem_assign(
            actor=cls.alice, problem=overdue, lead_department=cls.dept, today=D(2026, 1, 5)
        )
        problems.problem_sign(actor=cls.dora, problem=overdue)
        problems.notice_issue(
            actor=cls.alice, problem=overdue, requirement="三日内反馈", reply_due=D(2026, 4, 10)
        )
        problems.problem_escalate(
            actor=cls.alice, problem=overdue, level=1, reason="逾期", max_level=4
        )
        extending = raised(cls.ursula, "道路红线待调整", today=D(2026, 4, 1))
        problems.problem_assign(
            actor=cls.alice, problem=extending, lead_department=cls.dept, today=D(2026, 4, 1)
        )
        problems.problem_sign(actor=cls.dora, problem=extending)
        problems.problem_start(actor=cls.dora, problem=extending, note="已对接")
        extending.refresh_from_db()
        problems.extension_ask(
            actor=cls.dora,
            problem=extending,
            reason="需省厅批复",
            requested_due=extending.resolve_due + datetime.timedelta(days=20),
            today=D(2026, 4, 3),
        )
        replied = raised(cls.ursula, "规划条件需变更", today=D(2026, 4, 1))
        problems.problem_assign(
            actor=cls.alice, problem=replied, lead_department=cls.dept, today=D(2026, 4, 1)
        )
        problems.problem_sign(actor=cls.dora, problem=replied)
        problems.problem_reply(actor=cls.dora, problem=replied, text="已办结", today=D(2026, 4, 2))
        closed = raised(cls.ursula, "水源接入", today=D(2026, 3, 2))
        problems.problem_assign(
            actor=cls.alice, problem=closed, lead_department=cls.dept, today=D(2026, 3, 2)
        )
        problems.problem_sign(actor=cls.dora, problem=closed)
        problems.problem_reply(actor=cls.dora, problem=closed, text="已接入", today=D(2026, 3, 20))
        problems.problem_close(actor=cls.alice, problem=closed, today=D(2026, 3, 25))

    @classmethod
    def make_assessment(cls) -> None:
        group = UnitGroup.objects.create(name="镇街组")
        group.units.set([cls.town_a, cls.town_b, cls.park])
        monthly = Scheme.objects.create(
            name="月度考核", cadence=Scheme.Cadence.MONTHLY, owner=cls.city
        )
        yearly = Scheme.objects.create(
            name="年度考核", cadence=Scheme.Cadence.YEARLY, owner=cls.city
        )
        for scheme, periods in ((monthly, ("2026-02", "2026-03")), (yearly, ("2025",))):
            scheme.groups.set([group])
            item = SchemeItem.objects.create(scheme=scheme, name="工作作风", method="manual")
            for period in periods:
                for points, unit in enumerate((cls.town_a, cls.town_b, cls.park), start=1):
                    ManualScore.objects.create(
                        item=item, unit=unit, period=period, points=points * 10, reason="测试"
                    )
        assessment.score_run_publish(
            run=assessment.score_run_compute(monthly, "2026-02"), actor=cls.alice
        )
        assessment.score_run_compute(monthly, "2026-03")  # a draft
        assessment.score_run_publish(
            run=assessment.score_run_compute(yearly, "2025"), actor=cls.alice
        )

    @classmethod
    def make_review_events(cls) -> None:
        Status = ReviewEvent.Status
        units = [cls.town_a, cls.town_b, cls.park]
        events = {}
        for name, status, method in (
            ("一季度观摩", Status.PREPARING, ReviewEvent.Method.RANK),
            ("二季度观摩", Status.OPEN, ReviewEvent.Method.RANK),
            ("三季度观摩", Status.OPEN, ReviewEvent.Method.CRITERIA),
        ):
            event = ReviewEvent.objects.create(
                name=name,
                period="2026-Q2",
                held_on=D(2026, 6, 10),
                status=status,
                method=method,
                criteria=[{"name": "形象进度", "max": 40}, {"name": "质量", "max": 60}],
                owner=cls.city,
            )
            group = ReviewGroup.objects.create(event=event, name="镇街组")
            group.units.set(units)
            Judge.objects.create(event=event, user=cls.judy, unit=cls.town_b)
            events[name] = (event, group)
        preparing, _group = events["一季度观摩"]
        Nomination.objects.create(
            event=preparing, unit=cls.town_a, project=cls.project_a, eligible=False
        )
        Nomination.objects.create(
            event=preparing, unit=cls.town_b, project=cls.project_b, eligible=True
        )
        # The criteria event gets a ballot and is closed: its results and sealed ballot show.
        closed, group = events["三季度观摩"]
        seat = Judge.objects.get(event=closed, user=cls.judy)
        scores = {str(u.pk): {"形象进度": "30", "质量": "50"} for u in (cls.town_a, cls.park)}
        review.ballot_cast(judge=seat, group=group, scores=scores)
        review.event_close(event=closed, actor=cls.alice)

    @classmethod
    def collect_ids(cls) -> dict[str, list[int]]:
        def pks(model):
            return list(model.objects.order_by("pk").values_list("pk", flat=True))

        return {
            "project": pks(type(cls.project_a)),
            "period": pks(Period),
            "report": pks(Report),
            "photo": pks(ReportPhoto),
            "listing": pks(AnnualListing),
            "milestone": pks(Milestone),
            "unit": pks(type(cls.city)),
            "problem": pks(Problem),
            "attachment": pks(Attachment),
            "notice": pks(Notice),
            "run": pks(ScoreRun),
            "event": pks(ReviewEvent),
            "nomination": pks(Nomination),
        }
