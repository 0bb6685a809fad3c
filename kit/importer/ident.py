"""Department code and year when the form does not print them: taken from the file name (inferred);
the name written when none is printed (``UNNAMED``: the data file says so, the record flags it)."""
from __future__ import annotations

import re

from .record import Record
from .sources import Form

UNNAMED = "（表上未印单位名称）"
YEAR_FILE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def file_year(form: Form, rec: Record, why: str = "表上未印年度") -> bool:
    """Place the year found in the file name (inferred); False when there is none."""
    m = YEAR_FILE.search(form.path.stem)
    if not m:
        return False
    rec.place(("department", "year"), int(m.group(1)), {"file": form.name}, "inferred", f"{why}；取自文件名")
    return True


def file_code(form: Form, rec: Record, k: int = 1, n: int = 1) -> None:
    """A department code from the file name (``-k`` added when the file holds ``n`` > 1 forms)."""
    suffix = f"-{k}" if n > 1 else ""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", form.path.stem).strip("-_")[: 32 - len(suffix)].strip("-_")
    if slug:
        reason = "表上没有部门编码；取自文件名" + (f"（文件中的第{k}份表）" if n > 1 else "")
        rec.place(("department", "code"), slug + suffix, {"file": form.name}, "inferred", reason)
    else:
        rec.absent(("department", "code"), "", None, "表上没有部门编码，文件名也不能用作编码", blank="")
