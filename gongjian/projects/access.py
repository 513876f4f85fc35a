"""Who may see and change which projects, on the shared scope of gongjian/accounts/access.py.

- office (项目办): sees and changes every project in scope, configures lists, imports,
  re-baselines and deletes;
- leader (领导): sees every project in scope, changes none;
- unit (责任单位): sees and changes the projects it is responsible for;
- department (职能部门): sees the projects of the government it belongs to, changes none;
- enterprise (企业): sees only the projects it owns (matched by 统一社会信用代码);
- judge (评委): no registry access (judges work on review events, not the registry).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

from gongjian.accounts import access
from gongjian.projects.models import Project


def visible_projects(user):
    """The projects `user` may see, as a QuerySet to filter further."""
    scope = access.scope_for(user)
    if not scope.can_see_registry:
        return Project.objects.none()
    if access.sees_all_projects(user):
        # No filter to slow the list down.
        return Project.objects.all()
    q = access.paths_q(scope.read_paths, "responsible_unit__path")
    if scope.owner_usccs:
        q |= Q(owner_uscc__in=scope.owner_usccs)
    return Project.objects.filter(q)


def can_view_project(user, project) -> bool:
    scope = access.scope_for(user)
    path = project.responsible_unit.path
    return any(path.startswith(p) for p in scope.read_paths) or (
        bool(project.owner_uscc) and project.owner_uscc in scope.owner_usccs
    )


def can_change_project(user, project) -> bool:
    return access.can_assign_unit(user, project.responsible_unit)


def can_create_projects(user) -> bool:
    return bool(access.scope_for(user).write_paths)


def can_import_projects(user) -> bool:
    return can_create_projects(user)


def can_rebaseline(user) -> bool:
    # A new cost or schedule baseline is an office decision, recorded with its approver.
    return access.scope_for(user).is_office


def can_configure_lists(user) -> bool:
    return access.scope_for(user).is_office


def get_project_for_user(request: HttpRequest, pk: int, *, write: bool = False):
    """The project, or 404 if the user may not see it, or 403 if they may see but not change it."""
    project = (
        Project.objects.select_related(
            "responsible_unit",
            "stage",
            "industry",
            "region",
            "park",
            "leader",
            "category",
            "construction_type",
        )
        .filter(pk=pk)
        .first()
    )
    if project is None or not can_view_project(request.user, project):
        raise Http404("No such project")
    if write and not can_change_project(request.user, project):
        raise PermissionDenied("You may view this project but not change it")
    return project


def require_registry(request: HttpRequest) -> None:
    if not access.scope_for(request.user).can_see_registry:
        raise PermissionDenied("Your role has no access to the project registry")
