"""The portal's one date and date-time format, for its pages and the admin site.

``settings.FORMAT_MODULE_PATH`` points here, so these win over Django's ``en-gb``
locale (which would otherwise override ``settings.DATE_FORMAT``). Templates use the
names only (``{{ day|date }}``, ``{{ day|date:"SHORT_DATE_FORMAT" }}``,
``{{ at|date:"DATETIME_FORMAT" }}``); ``opencraft_ops/tests/test_date_formats.py``
refuses any other literal format in a template except machine formats inside an
HTML attribute (``value="{{ day|date:'Y-m-d' }}"``). Input formats (what a form
accepts) stay Django's ``en-gb`` ones plus ISO dates.
"""

from typing import Final

# Mon 7 Dec 2026
DATE_FORMAT: Final = "D j M Y"
# Mon 7 Dec 2026, 14:05
DATETIME_FORMAT: Final = "D j M Y, H:i"
# 14:05
TIME_FORMAT: Final = "H:i"
# The same without the year, where the year is plain (a sprint's days): Mon 7 Dec
SHORT_DATE_FORMAT: Final = "D j M"
# Mon 7 Dec, 14:05
SHORT_DATETIME_FORMAT: Final = "D j M, H:i"
# Dec 2026 (month columns and month headings)
YEAR_MONTH_FORMAT: Final = "M Y"
# 7 Dec (the admin's date drill-down)
MONTH_DAY_FORMAT: Final = "j M"

# The names a template may pass to the ``date`` filter.
NAMED: Final = frozenset(
    {
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "TIME_FORMAT",
        "SHORT_DATE_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "YEAR_MONTH_FORMAT",
    }
)
