"""The reports' public names in one place (the code lives in the modules beside this one).

* figures — the one definition of each headline figure (received, resolved, on time, median
  first response and resolution in working hours, satisfaction, FAQ deflection, incidents);
* build — a period :class:`Report` from plain rows; staffing — the per-staff figures;
* text — the /baocao and /thongke texts; workbook, sheets — the Excel file; digest — the
  morning digest; chart — the picture; desk, loading, quick — storage and the staff commands.

All texts are plain (no HTML/Markdown): send them without a parse mode.
"""

from __future__ import annotations

from handlers.reports.build import build_report, fold_units
from handlers.reports.digest import AssigneeLoad, Digest, DigestItem, build_digest, format_digest_vi
from handlers.reports.figures import (
    HEADLINE_FIGURES,
    DurationStats,
    FaqDeflection,
    FaqTopicRow,
    Headline,
    Satisfaction,
    headline,
    percentile,
    previous_period,
)
from handlers.reports.labels import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    RATING_LABELS_VI,
    STATUS_LABELS_VI,
    STATUSES,
    SYSTEM_LABELS_VI,
    UNKNOWN_LABEL,
)
from handlers.reports.model import (
    CaseRow,
    CountRow,
    DailyStatusCount,
    EscalatedCase,
    Report,
    Summary,
    UnitRow,
)
from handlers.reports.records import ActionRecord, CaseRecord, FaqOutcome, UnitInfo
from handlers.reports.text import format_report_text_vi
from handlers.reports.workbook import DATETIME as _DATETIME
from handlers.reports.workbook import table as _table
from handlers.reports.workbook import write_xlsx, xlsx_bytes

__all__ = [
    "FINAL_STATUSES",
    "HEADLINE_FIGURES",
    "OPEN_STATUSES",
    "RATING_LABELS_VI",
    "STATUSES",
    "STATUS_LABELS_VI",
    "SYSTEM_LABELS_VI",
    "UNKNOWN_LABEL",
    "_DATETIME",
    "ActionRecord",
    "AssigneeLoad",
    "CaseRecord",
    "CaseRow",
    "CountRow",
    "DailyStatusCount",
    "Digest",
    "DigestItem",
    "DurationStats",
    "EscalatedCase",
    "FaqDeflection",
    "FaqOutcome",
    "FaqTopicRow",
    "Headline",
    "Report",
    "Satisfaction",
    "Summary",
    "UnitInfo",
    "UnitRow",
    "_table",
    "build_digest",
    "build_report",
    "fold_units",
    "format_digest_vi",
    "format_report_text_vi",
    "headline",
    "percentile",
    "previous_period",
    "write_xlsx",
    "xlsx_bytes",
]
