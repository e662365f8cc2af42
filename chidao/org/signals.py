"""Signals of the organisation app, for other apps that keep data derived from the unit tree."""

from django.dispatch import Signal

# Sent after the closure table was rebuilt because units moved under another parent, with
# `unit_ids` (the moved units). Receivers refresh what they derived from the units' ancestors
# (the documents search keeps ancestor tokens per document).
units_moved = Signal()
