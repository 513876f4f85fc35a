"""Excel pages: download the (filtered) list, upload a file, preview it, confirm the import."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongjian.audit.services import audit_export
from gongjian.projects import access as project_access
from gongjian.projects.filters import ProjectFilterForm
from gongjian.projects.models import Project
from gongjian.transfer.exporter import export_projects
from gongjian.transfer.importer import import_projects

SESSION_KEY = "pending_import"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(mb).1f MB; the limit is %(limit).0f MB.")
                % {"mb": upload.size / 2**20, "limit": settings.IMPORT_MAX_BYTES / 2**20}
            )
        return upload


@login_required
def export(request: HttpRequest) -> FileResponse:
    """The project list as filtered on screen, as .xlsx."""
    project_access.require_registry(request)
    filters = ProjectFilterForm(request.GET, user=request.user)
    projects = filters.apply(project_access.visible_projects(request.user))
    spool = tempfile.TemporaryFile()
    count = export_projects(projects, spool, year=filters.year_or_current())
    spool.seek(0)
    name = f"项目库-{timezone.localdate():%Y-%m-%d}.xlsx"
    audit_export(actor=request.user, what=name, rows=count, note=request.GET.urlencode()[:200])
    return FileResponse(spool, as_attachment=True, filename=name)


@login_required
def template(request: HttpRequest) -> FileResponse:
    """An empty sheet with the headers, to fill in by hand."""
    _require_import(request)
    spool = tempfile.TemporaryFile()
    export_projects(Project.objects.none(), spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename="项目导入模板.xlsx")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and check. Nothing is written; the file waits for confirmation."""
    _require_import(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _discard_pending(request)
        token = secrets.token_hex(16)
        path = _pending_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        name = Path(form.cleaned_data["file"].name).name
        report = import_projects(path, user=request.user, filename=name, dry_run=True)
        if report.ok:
            request.session[SESSION_KEY] = {"token": token, "name": name}
        else:
            path.unlink(missing_ok=True)
        return render(request, "transfer/import.html", {"form": UploadForm(), "report": report})
    return render(request, "transfer/import.html", {"form": form, "report": None})


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: import the previewed file. Rows are checked again: data may have moved on."""
    _require_import(request)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, _("That upload has expired. Upload the file again."))
        return redirect("transfer:import")
    path = _pending_path(pending["token"])
    if not path.exists():
        del request.session[SESSION_KEY]
        messages.error(request, _("That upload has expired. Upload the file again."))
        return redirect("transfer:import")
    report = import_projects(path, user=request.user, filename=pending["name"])
    _discard_pending(request)
    if not report.written:
        return render(request, "transfer/import.html", {"form": UploadForm(), "report": report})
    messages.success(
        request,
        _("Imported %(name)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "name": report.filename,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )
    return redirect("projects:list")


def _require_import(request: HttpRequest) -> None:
    if not project_access.can_import_projects(request.user):
        raise PermissionDenied("Your role cannot import projects")


def _pending_path(token: str) -> Path:
    if not token.isalnum():
        raise PermissionDenied("Bad import token")
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"


def _discard_pending(request: HttpRequest) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending:
        _pending_path(pending["token"]).unlink(missing_ok=True)
