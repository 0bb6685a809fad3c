"""The audit report: CJK fonts, charts, HTML tables and sections, and the nbconvert export."""
