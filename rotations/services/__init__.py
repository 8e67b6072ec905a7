"""Writes of the rotations app, one module per concern:

* ``schedule``: generating schedules (preview, apply) and the sprint-started event;
* ``editing``: changing a slot, swaps, backup firefighters, manual create/update/delete;
* ``feeds``: secret iCalendar feeds;
* ``webhooks``: outgoing signed webhooks and their delivery log.
"""
