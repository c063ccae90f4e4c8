"""A moved module and a moved name, imported every way."""
import fixlib
import fixlib.parsing
import fixlib.parsing as op
from fixlib.parsing import parse_time as pt, parse_date
from fixlib.parsing import parse_date as pd

print(fixlib.parsing.parse_time("t1"), op.parse_date("d1"), pt("t2"), parse_date("d2"))
print(fixlib.parsing.parse_date("d3"), pd("d4"))
