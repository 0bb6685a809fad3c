"""The ``kit`` command line: argument checking and terminal output, one module per sub-command."""
