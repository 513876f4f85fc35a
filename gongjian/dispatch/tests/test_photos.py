"""Progress photos: re-encoded without metadata, at most nine, served only to those who may see."""

from __future__ import annotations

import io
import shutil
import tempfile
from decimal import Decimal

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongjian.dispatch import services
from gongjian.dispatch.models import ReportPhoto
from gongjian.test.dispatch import TODAY, DispatchTestCase

MEDIA = tempfile.mkdtemp()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 30.0, 0.0)}  # GPS
    exif[306] = "2026:03:28 09:15:00"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@override_settings(MEDIA_ROOT=MEDIA)
@time_machine.travel(TODAY, tick=False)
class PhotoTestCase(DispatchTestCase):
    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(MEDIA, ignore_errors=True)
        super().tearDownClass()

    def setUp(self):
        self.report = services.report_save_draft(
            actor=self.ursula,
            project=self.project_a,
            period=self.march,
            data={"amount": Decimal("10")},
        )
        self.url = reverse("dispatch:report", args=[self.project_a.pk, self.march.pk])

    def upload(self, *files):
        return self.client.post(self.url, {"add_photos": "1", "photos": list(files)}, follow=True)

    def test_a_photo_is_stored_without_its_metadata_and_keeps_its_capture_time(self):
        self.login(self.ursula)
        self.upload(SimpleUploadedFile("现场.jpg", jpeg_with_gps(), content_type="image/jpeg"))
        stored = ReportPhoto.objects.get()
        taken = timezone.localtime(stored.taken_at)  # camera time is local time
        self.assertEqual(taken.strftime("%Y-%m-%d %H:%M"), "2026-03-28 09:15")
        with stored.image.open("rb") as f:
            self.assertEqual(dict(Image.open(f).getexif()), {})
        served = self.client.get(reverse("dispatch:photo", args=[stored.pk]))
        self.assertEqual(served["Content-Type"], "image/jpeg")
        self.login(self.boris)  # another town may not see project_a's photos
        self.assertEqual(
            self.client.get(reverse("dispatch:photo", args=[stored.pk])).status_code, 404
        )

    def test_other_files_are_refused_with_a_message(self):
        self.login(self.ursula)
        response = self.upload(
            SimpleUploadedFile("plan.pdf", b"%PDF-1.4 ...", content_type="image/jpeg")
        )
        self.assertContains(response, "Only JPEG or PNG photos are accepted.")
        self.assertFalse(ReportPhoto.objects.exists())

    def test_at_most_nine_photos(self):
        self.login(self.ursula)
        files = [SimpleUploadedFile(f"{i}.jpg", jpeg_with_gps()) for i in range(10)]
        response = self.upload(*files)
        self.assertEqual(ReportPhoto.objects.count(), 9)
        self.assertContains(response, "at most 9 photos")
