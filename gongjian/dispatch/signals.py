"""What dispatch tells the apps above it (which it may not import): the figures built on its
reports and lights changed. Sent inside the writer's transaction; a receiver that keeps derived
figures (dashboards' period snapshots) updates them with transaction.on_commit, so a rolled back
write changes nothing and a page never has to write while someone reads it."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with campaign (a Campaign), project_ids (the projects whose reports or lights changed;
# None: all of the campaign's) and periods (the periods concerned; None: all); sent by Light:
# only the lights changed, unit_ids naming the units they were counted for before; completed:
# [(project id, period, amount)], a report accepted (its amount) or withdrawn by a correction
# (minus its amount), when that is all that changed.
figures_changed = Signal()
