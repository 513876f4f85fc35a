"""The scope every access rule is decided on, and the rules about units and roles alone.

Each app's own rules are in its `access.py` (projects, problems, assessment), built on
`scope_for`: views ask those modules; nothing else decides access.

Scopes come from RoleGrants. A grant on a unit covers that unit and everything under it:
- office (项目办): sees and changes every project in scope, configures lists, imports;
- leader (领导): sees every project in scope, changes none;
- unit (责任单位): sees and changes the projects it is responsible for;
- department (职能部门): sees the projects of the government it belongs to, changes none;
- enterprise (企业): sees only the projects it owns (matched by 统一社会信用代码);
- judge (评委): no registry access (judges work on review events, not the registry).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from gongjian.accounts.lists import organisation_units
from gongjian.accounts.models import Role, RoleGrant, Unit


@dataclass(frozen=True)
class Scope:
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    owner_usccs: tuple[str, ...] = ()
    roles: frozenset[str] = field(default_factory=frozenset)
    # The units of the office grants themselves (not their subtrees): the governments whose
    # schemes and review events the user's office runs.
    office_units: frozenset[int] = field(default_factory=frozenset)

    @property
    def can_see_registry(self) -> bool:
        return bool(self.read_paths or self.owner_usccs)

    @property
    def is_office(self) -> bool:
        return Role.OFFICE in self.roles


def _prefix_free(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay small."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def scope_for(user) -> Scope:
    if not user.is_authenticated:
        return Scope()
    cached = getattr(user, "_gongjian_scope", None)
    if cached is not None:
        return cached
    read: set[str] = set()
    write: set[str] = set()
    usccs: set[str] = set()
    roles: set[str] = set()
    offices: set[int] = set()
    grants = RoleGrant.objects.filter(user=user).select_related("unit", "unit__parent")
    for grant in grants:
        roles.add(grant.role)
        unit = grant.unit
        if grant.role == Role.OFFICE:
            offices.add(unit.pk)
        if grant.role in (Role.OFFICE, Role.UNIT):
            read.add(unit.path)
            write.add(unit.path)
        elif grant.role == Role.LEADER:
            read.add(unit.path)
        elif grant.role == Role.DEPARTMENT:
            read.add(unit.parent.path if unit.parent_id else unit.path)
        elif grant.role == Role.ENTERPRISE and unit.uscc:
            usccs.add(unit.uscc)
    scope = Scope(
        _prefix_free(read),
        _prefix_free(write),
        tuple(sorted(usccs)),
        frozenset(roles),
        frozenset(offices),
    )
    user._gongjian_scope = scope
    return scope


def has_any_role(user, *roles) -> bool:
    return bool(scope_for(user).roles & set(roles))


def paths_q(paths: tuple[str, ...], lookup: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def _root_paths() -> set[str]:
    # Enterprises are top-level units but never responsible for projects; a scope that covers
    # every other root covers every project.
    return {unit.path for unit in organisation_units() if unit.parent_id is None}


def sees_all_projects(user) -> bool:
    """Whole-deployment scope (the city office, the mayor): no project filter is needed."""
    scope = scope_for(user)
    return bool(scope.read_paths) and set(scope.read_paths) >= _root_paths()


def can_assign_unit(user, unit: Unit) -> bool:
    """May `user` make `unit` responsible for a project (create there, or move a project there)?"""
    return any(unit.path.startswith(p) for p in scope_for(user).write_paths)


def can_see_desk(user) -> bool:
    """The dispatch desk (all units' lights and late filers) is for the office and leaders."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})


def visible_units(user):
    """The units whose projects `user` may see: the choices of the list's unit filter."""
    scope = scope_for(user)
    return Unit.objects.filter(paths_q(scope.read_paths, "path")).exclude(kind=Unit.Kind.ENTERPRISE)


def visible_units_list(user) -> list[Unit]:
    """visible_units as a list, from the cached organisation (the list pages' unit filter)."""
    paths = scope_for(user).read_paths
    return [unit for unit in organisation_units() if unit.path.startswith(paths)]


def assignable_units(user):
    """The responsible units `user` may pick on a project form."""
    scope = scope_for(user)
    return Unit.objects.filter(paths_q(scope.write_paths, "path")).exclude(
        kind=Unit.Kind.ENTERPRISE
    )


def grants(user, *roles):
    return [g for g in RoleGrant.objects.filter(user=user, role__in=roles).select_related("unit")]


def own_units(user, *roles) -> list[int]:
    """The units `user` holds any of `roles` in (the units it raises problems for)."""
    return [g.unit_id for g in grants(user, *roles)]


def can_see_cockpit(user) -> bool:
    """The leader cockpit is for the office and leaders, over their own scope."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})


def can_issue_bulletin(user) -> bool:
    """The dispatch bulletin (调度通报) is issued by the office and read by leaders."""
    return bool(scope_for(user).roles & {Role.OFFICE, Role.LEADER})
