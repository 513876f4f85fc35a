"""Dispatch rules as pure functions of plain values: the time schedule (序时进度), the lights
(亮灯) and MoSPI-style schedule status. No models, no database, no clock: callers pass `as_of`."""
