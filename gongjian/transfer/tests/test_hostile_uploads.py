"""Hostile uploads on the two pages that read .xlsx (the registry import and the dispatch batch
sheet) and oversized request bodies: each is refused with a Chinese message, nothing is written,
and the process that handles it lives on."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import translation

from gongjian.audit.models import AuditEntry
from gongjian.dispatch import services
from gongjian.dispatch.models import Campaign, Report
from gongjian.lib.tests.xlsx_files import A1, far_cell, inflating_workbook, sheet_xml, workbook
from gongjian.middleware import UPLOAD_STOPPED, UploadLimitHandler, UploadTooLarge
from gongjian.projects.models import Project
from gongjian.test import BaseTestCase

MEDIA = tempfile.mkdtemp()
ROOT = Path(settings.BASE_DIR)
R_LESS = '<row r="1048576">' + "<c><v>1</v></c>" * 16384 + "</row>"
# (what, builder, the Chinese message the uploader reads)
HOSTILE = [
    ("the attacker's 1.5 KB file", far_cell, "声明的使用范围为 A1:XFD1048576"),
    (
        "cells without r out to the last column",
        lambda path: workbook(path, sheet_xml(A1 + R_LESS)),
        "用到了单元格 XFD1048576",
    ),
    ("a 1 MB part inflating to 1 GiB", inflating_workbook, "解压后超过压缩大小的 100 倍"),
]


def pending_imports() -> list[str]:
    folder = Path(MEDIA) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@override_settings(MEDIA_ROOT=MEDIA)
class HostileWorkbookTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="重点项目月调度", year=2026)
        services.periods_ensure(cls.campaign)
        cls.period = cls.campaign.periods.first()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.login(self.ursula)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the site's default
        self.addCleanup(translation.deactivate)  # the middleware leaves it active for the thread

    def upload(self, build) -> SimpleUploadedFile:
        return SimpleUploadedFile("项目.xlsx", build(self.tmp / "hostile.xlsx").read_bytes())

    def test_the_registry_import_refuses_them_and_keeps_nothing(self):
        names = set(Project.objects.values_list("name", flat=True))
        entries = AuditEntry.objects.count()
        for what, build, message in HOSTILE:
            with self.subTest(what):
                response = self.client.post(
                    reverse("transfer:import"), {"file": self.upload(build)}
                )
                self.assertContains(response, message, status_code=200)
                self.assertContains(response, "<strong>项目.xlsx</strong>")
                self.assertNotContains(response, "confirm-import")
                self.assertNotIn("pending_import", self.client.session)
                self.assertEqual(pending_imports(), [])
        self.assertEqual(set(Project.objects.values_list("name", flat=True)), names)
        self.assertEqual(AuditEntry.objects.count(), entries)

    def test_the_batch_sheet_upload_refuses_them_and_saves_nothing(self):
        url = reverse("dispatch:batch-sheet")
        for what, build, message in HOSTILE:
            with self.subTest(what):
                response = self.client.post(
                    url, {"period": self.period.pk, "sheet": self.upload(build)}
                )
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'id="upload-errors"', status_code=400)
        self.assertFalse(Report.objects.exists())


class WorkerSurvivesTests(BaseTestCase):
    """The reader the two pages call, in a child process held to 1.5 GB of address space, as a
    server worker might be. Without the guard python-calamine aborts that process outright."""

    SCRIPT = textwrap.dedent(
        """
        import os, resource, sys
        limit = 1536 << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        os.environ["DJANGO_SETTINGS_MODULE"] = "gongjian.settings"
        os.environ["DEBUG"] = "1"
        import django
        django.setup()
        if sys.argv[1] == "unguarded":
            import python_calamine
            python_calamine.CalamineWorkbook.from_path(sys.argv[2]).get_sheet_by_index(0)
        else:
            from gongjian.transfer.reader import FileRejected, read_sheet
            try:
                read_sheet(sys.argv[2])
            except FileRejected as rejection:
                print("refused:", rejection)
        print("alive")
        """
    )

    def run_reader(self, mode: str, path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", self.SCRIPT, mode, str(path)],
            cwd=ROOT,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_the_worker_lives_through_the_attackers_file(self):
        path = far_cell(Path(tempfile.mkdtemp()) / "far.xlsx")
        unguarded = self.run_reader("unguarded", path)  # the hazard is real here
        self.assertNotEqual(unguarded.returncode, 0)
        self.assertIn("memory allocation", unguarded.stderr)
        self.assertNotIn("alive", unguarded.stdout)

        guarded = self.run_reader("guarded", path)
        self.assertEqual(guarded.returncode, 0, guarded.stderr)
        self.assertIn("refused: 工作表", guarded.stdout)
        self.assertIn("alive", guarded.stdout)


class RequestSizeTests(BaseTestCase):
    url = reverse("transfer:import")

    def setUp(self):
        self.login(self.ursula)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        self.addCleanup(translation.deactivate)

    @override_settings(MAX_REQUEST_BYTES=1 << 20)
    def test_a_body_over_the_limit_gets_413_and_the_view_never_runs(self):
        upload = SimpleUploadedFile("big.xlsx", b"x" * (3 << 19))
        with mock.patch("gongjian.transfer.views.import_projects") as imported:
            response = self.client.post(self.url, {"file": upload})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "单次上传不能超过 1 MB", status_code=413)
        imported.assert_not_called()

    def test_a_declared_length_over_the_limit_is_refused_unread(self):
        # The test client's empty payload asserts if anything tries to read 10 GB from it.
        response = self.client.generic(
            "POST",
            self.url,
            b"",
            content_type=MULTIPART_CONTENT,
            CONTENT_LENGTH=str(10 << 30),
        )
        self.assertEqual(response.status_code, 413)

    def test_anonymous_requests_are_limited_too(self):
        self.client.logout()
        response = self.client.generic("POST", self.url, b"", CONTENT_LENGTH=str(1 << 40))
        self.assertEqual(response.status_code, 413)

    @override_settings(MAX_REQUEST_BYTES=1 << 20)
    def test_a_body_longer_than_it_claims_is_stopped_while_parsed(self):
        upload = SimpleUploadedFile("big.xlsx", b"x" * (3 << 20))
        # As if the declared length had passed the check: the handler is what stops it.
        with (
            mock.patch("gongjian.middleware.declared_length", return_value=0),
            mock.patch("gongjian.transfer.views.import_projects") as imported,
        ):
            response = self.client.post(self.url, {"file": upload})
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "单次上传不能超过 1 MB", status_code=413)
        imported.assert_not_called()

    def test_a_body_within_the_limit_is_untouched(self):
        response = self.client.post(self.url, {"file": SimpleUploadedFile("a.xlsx", b"not")})
        self.assertContains(response, "不是Excel .xlsx文件")


class UploadLimitHandlerTests(BaseTestCase):
    @override_settings(MAX_REQUEST_BYTES=1 << 20)
    def test_it_stops_before_the_next_handler_stores_a_byte_past_the_limit(self):
        body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("x.bin", b"x" * (3 << 20))})
        # The declared length is a lie (Django's own stream would stop at it; an ASGI body or a
        # parser reading to the end would not).
        meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": "100"}
        for storing in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
            with self.subTest(storing.__name__):
                request = RequestFactory().get("/")
                store = storing(request)
                request.upload_handlers = [UploadLimitHandler(request), store]
                received = []
                real_receive = store.receive_data_chunk

                def receive(raw_data, start, real_receive=real_receive, received=received):
                    received.append(len(raw_data))
                    return real_receive(raw_data, start)

                with mock.patch.object(store, "receive_data_chunk", receive):
                    parser = MultiPartParser(meta, io.BytesIO(body), request.upload_handlers)
                    with self.assertRaises(UploadTooLarge):
                        parser.parse()
                self.assertTrue(getattr(request, UPLOAD_STOPPED))
                self.assertGreater(sum(received), 0)
                self.assertLessEqual(sum(received), 1 << 20)
                self.assertTrue(store.file.closed)
                if storing is TemporaryFileUploadHandler:
                    self.assertFalse(Path(store.file.temporary_file_path()).exists())
