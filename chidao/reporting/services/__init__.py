"""Writes of periodic reporting.

Rules enforced here, for pages, Excel and the API alike:
- catalogue (indicators, forms, versions, assignments) is edited by the secretariat of its owner
  unit; a published form version is frozen, changes go into a new version;
- a report is filled by the secretariat of its unit, against the form version current when it was
  opened; values are parsed by type, checked against ranges, required fields and cross-field rules;
- the workflow follows `TRANSITIONS`; the parent unit's secretariat returns or approves; approved
  reports are locked, a correction is a new revision with a reason and replaces the old one only
  when approved;
- approval (and a correction's approval) updates the aggregates of every ancestor unit in the same
  transaction, locking aggregate rows in one global order so concurrent approvers never deadlock;
- every change writes an audit entry.
"""

from chidao.reporting.services.catalogue import (
    add_field,
    add_rule,
    add_section,
    assign_form,
    create_custom_period,
    create_form,
    create_indicator,
    draft_version,
    due_date,
    ensure_period,
    new_version,
    publish_form,
)
from chidao.reporting.services.common import EDITOR
from chidao.reporting.services.entry import (
    Entry,
    check_range,
    form_fields,
    is_assigned,
    open_report,
    parse_value,
    save_values,
    save_values_batch,
    validate_report,
)
from chidao.reporting.services.rollup import (
    numeric_values,
    roll_up,
)
from chidao.reporting.services.workflow import (
    approve_report,
    return_report,
    send_reminders,
    start_correction,
    submit_report,
)

__all__ = [
    "EDITOR",
    "Entry",
    "add_field",
    "add_rule",
    "add_section",
    "approve_report",
    "assign_form",
    "check_range",
    "create_custom_period",
    "create_form",
    "create_indicator",
    "draft_version",
    "due_date",
    "ensure_period",
    "form_fields",
    "is_assigned",
    "new_version",
    "numeric_values",
    "open_report",
    "parse_value",
    "publish_form",
    "return_report",
    "roll_up",
    "save_values",
    "save_values_batch",
    "send_reminders",
    "start_correction",
    "submit_report",
    "validate_report",
]
