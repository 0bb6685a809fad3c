"""Names of the kit that vulture cannot see used (tests/test_house.py::test_no_dead_names).

Each is called by a framework or found by reflection, never by the kit's own code. A name that
is simply unused does not belong here: delete it.
"""
# ruff: noqa
_.handle_starttag, _.handle_endtag, _.handle_data  # html.parser.HTMLParser hooks (kit/importer/sources.py)
_.narr_head  # a table kind, dispatched with getattr(self, kind) (kit/importer/shenzhen_pdf.py)
cleanup_resources  # jupyter_client KernelManager hook (kit/run/kernels.py)
_.preprocess_cell  # nbconvert Preprocessor hook (kit/report/export.py)
_.alignment, _.freeze_panes, _.quotePrefix  # openpyxl cell and sheet properties, set to be saved
_._value_  # enum.Enum's value slot (kit/core/vocab.py)
kernel_warm_up, kernel_reset  # run inside the kernel, sent by name (kit/run/warm.py)
_.execution_count, _.__module__, _.__qualname__  # set for nbclient / pickling (kit/run/warm.py)
_.StartDoctypeDeclHandler, _.StartElementHandler  # xml.parsers.expat hooks (kit/core/xlsxguard.py)
_.ignore_aliases  # yaml.SafeDumper hook (kit/core/yamlio.py)
_._repr_html_  # IPython display hook
core, deviation, authority, implementer  # fields of the form's blocks, written and read by dataclasses.fields
self_grade, recomputed_grade, _.self_grade, _.recomputed_grade  # manifest fields, written with dataclasses.asdict
review_status, _.review_status  # manifest field, read by the index from the row (kit/run/portfolio.py)
# kit/core/vocab.py members not yet named by the code (kit.core.vocab everywhere is the house's last step this round)
_.FAIL, _.UNVERIFIABLE, _.PASS, _.WARNING, _.INFO, _.EXACT, _.JUDGEMENT, _.OVERRIDE, _.RULE, _.PROBLEM, _.OK
FAIL, UNVERIFIABLE, PASS, WARNING, INFO, EXACT, JUDGEMENT, OVERRIDE, RULE, PROBLEM, OK
# kit/run/portfolio.py is the batch owner's this round; it goes with the index page's move beside render
SEVERITY_KEYS
_.handle_startendtag  # html.parser.HTMLParser hook (kit/importer/sources.py)
_.table_funds, _.table_goals, _.table_indicators  # dispatched with getattr(self, "table_" + block) (kit/importer/tables.py)
# python-docx, fontTools and HarfBuzz properties, set to be written (kit/report/docx.py, kit/report/pagefont.py)
_.bottom_margin, _.top_margin, _.orientation, _.base_style, _.space_after, _.rgb, _.left_indent
_.keep_with_next, _.autofit, _.height_rule, _.flavor, _.flags
_.CONFIRMED  # kit.core.vocab.Decision member, read from review files by value
_.receive_layout, _.render_char, _.do_TJ  # pdfminer device and interpreter hooks (kit/importer/pdfread.py)
# IPython hooks and stream methods of the in-process shell (kit/run/inline.py)
_.writable, _.isatty, _.publish, _.clear_output, _.start_displayhook, _.write_output_prompt
_.write_format_data, _.finish_displayhook, _.displayhook_class, _.display_pub_class, _.init_sys_modules
_._showtraceback, _.hist_file
