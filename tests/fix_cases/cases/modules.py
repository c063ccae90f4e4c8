"""A moved module and a moved name, imported every way."""
import fixlib
import fixlib.oldparsing
import fixlib.oldparsing as op
from fixlib.oldparsing import parse_time as pt, parse_date
from fixlib import parse_date as pd

print(fixlib.oldparsing.parse_time("t1"), op.parse_date("d1"), pt("t2"), parse_date("d2"))
print(fixlib.parse_date("d3"), pd("d4"))
