from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from gongjian.inbox.models import Notification


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(user=request.user)[:200]
    return render(request, "inbox/inbox.html", {"notices": notices})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("inbox:inbox")
