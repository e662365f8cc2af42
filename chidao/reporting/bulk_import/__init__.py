"""Bulk import of many units' values from one Excel file: the round trip of the bulk export.

A file exported by `reporting:export` (one row per unit, period and indicator, headed by
`excel.EXPORT_HEADERS`) can be edited and loaded back through the import page or
`POST /api/reporting/values/xlsx`. Columns are found by their header, so the informational ones
(names, status, who and when) may be dropped or moved. Every error names its sheet, row and column;
nothing is saved unless the whole file is valid. `sheet` reads the workbook, `importer` checks the
rows and writes them through `services.save_values_batch`.
"""

from chidao.reporting.bulk_import.importer import (
    COMMENT,
    HEADERS,
    INDICATOR,
    MAX_ROWS,
    PERIOD,
    UNIT,
    VALUE,
    Result,
    import_values,
)
from chidao.reporting.bulk_import.sheet import (
    MAX_BYTES,
    ImportFailed,
    OpenpyxlSheet,
    ScannedSheet,
    open_sheet,
    read_upload,
)

__all__ = [
    "COMMENT",
    "HEADERS",
    "INDICATOR",
    "MAX_BYTES",
    "MAX_ROWS",
    "PERIOD",
    "UNIT",
    "VALUE",
    "ImportFailed",
    "OpenpyxlSheet",
    "Result",
    "ScannedSheet",
    "import_values",
    "open_sheet",
    "read_upload",
]
