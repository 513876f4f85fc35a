"""What the registry tells the apps above it (which it may not import) when it writes projects
in bulk, bypassing the models' save signals (the Excel import): these projects changed. A
receiver that keeps figures built on them (dashboards' period snapshots) updates them once the
transaction commits."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with project_ids (the projects changed), unit_ids (the units those projects were the
# responsibility of before, if they moved) and new_in_units (the units of new projects, which
# have nothing yet but their registry figures).
projects_changed = Signal()
