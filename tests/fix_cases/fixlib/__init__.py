"""A library with one declaration of every kind `phaseout fix` rewrites (tests/test_fix.py)."""

import phaseout

__version__ = "2.5"

from fixlib import parsing  # noqa: E402
from fixlib.shapes import Store, area  # noqa: E402  (public paths: fixlib.Store, fixlib.area)


def new_name(a, b=1):
    return ("new_name", a, b)


@phaseout.deprecated(since="2.0", removed_in="3.0", replacement=new_name)
def old_name(a, b=1):
    return ("new_name", a, b)


def measure(length, unit="m", *, precise=False):
    return ("measure", length, unit, precise)


@phaseout.deprecated(
    since="2.0", compat_in="2.1", removed_in="3.0", replacement=measure,
    args_map={"size": "length"},
)
def get_size(size, unit="m"):
    return ("measure", size, unit, False)


@phaseout.deprecated(since="2.0", removed_in="3.0", replacement=measure, compat_in="2.1",
                     result=lambda r: r[1])
def size_only(length, unit="m"):
    return length


@phaseout.renamed_parameter("color", "colour", since="2.0", removed_in="3.0")
def paint(shape, colour="red"):
    return ("paint", shape, colour)


@phaseout.keyword_only("precise", "rounding", since="2.0", removed_in="3.0")
def convert(value, unit="m", precise=False, rounding=2):
    return ("convert", value, unit, precise, rounding)


@phaseout.deprecated_value("mode", "fast", new="quick", since="2.0", removed_in="3.0")
def run(task, mode="quick"):
    return ("run", task, mode)


@phaseout.changed_default("compress", True, since="2.0", changes_in="3.0")
def save(data, compress=False):
    return ("save", data, compress)


@phaseout.removed_parameter("legacy", since="2.0", removed_in="3.0",
                            reason="Legacy output is gone")
def render(text, legacy=False):
    return ("render", text)


@phaseout.deprecated(since="3.0", removed_in="4.0", replacement=new_name)
def later(a, b=1):  # deprecated from 3.0 only: rewritten with --to 3.0
    return ("new_name", a, b)


phaseout.moved(__name__, "parse_date", "fixlib.parsing.parse_date", since="2.0", removed_in="3.0")
phaseout.moved_module("fixlib.oldparsing", "fixlib.parsing", since="2.0", removed_in="3.0")


class Client:
    def __init__(self, url="https://example.org"):
        self.url = url


@phaseout.deprecated(since="2.0", removed_in="3.0", replacement=Client)
class OldClient(Client):
    pass


def tagged(func):
    func.tagged = True
    return func


@phaseout.deprecated(since="2.0", removed_in="3.0", replacement=tagged)
def old_tagged(func):
    func.tagged = True
    return func
