"""Phase III indicators and the National Productivity view, computed from the log alone.

- :mod:`.projection` folds logged events, in ``seq`` order, into a state (pure);
- :mod:`.checkpoints` stores that state every few thousand entries and answers
  "as of seq N" from the nearest checkpoint (why: its docstring);
- :mod:`.figures` turns a state into indicators for a slice, against :mod:`.targets`;
- :mod:`.productivity` turns it into KPI changes by sector and province, small
  cells suppressed;
- :mod:`.periods` names the slices (Jakarta year and quarter, province, provider).
"""
