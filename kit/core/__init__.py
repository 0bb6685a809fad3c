"""The ground floor every layer uses: words (vocab), version, exceptions, printed values, text made safe, bounded reads and the one atomic write, YAML, the workbook guard."""
