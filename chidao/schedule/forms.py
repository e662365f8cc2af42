"""Parsing of the calendar pages' query string: which unit, which day, whether sub-units count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from chidao.schedule import grid


class CalendarQueryForm(forms.Form):
    """`?unit=<id>&date=YYYY-MM-DD&subtree=1`; a missing or malformed date means today."""

    unit = forms.IntegerField(label=_("Đơn vị"), required=False, min_value=1)
    date = forms.CharField(label=_("Ngày"), required=False, max_length=10)
    subtree = forms.BooleanField(label=_("Gồm cả đơn vị cấp dưới"), required=False)

    def values(self, today: dt.date) -> tuple[int | None, dt.date, bool]:
        """The unit id, the day and the subtree flag; an unreadable unit id answers 404 like an
        unknown one."""
        self.is_valid()
        if "unit" in self.errors:
            raise Http404(_("Không tìm thấy."))
        data: dict[str, Any] = self.cleaned_data
        day = grid.parse_day(self.data.get("date")) or today
        return data.get("unit"), day, bool(data.get("subtree"))
