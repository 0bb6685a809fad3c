"""The kit's own files in: a data file (YAML or workbook) or a params file -> ``Department``."""
