"""Names reached through every kind of import and alias."""
import fixlib
import fixlib as fl
from fixlib import old_name
from fixlib import old_name as legacy_name, paint  # two names on one line
from fixlib import (
    convert,
    old_name as again,  # a comment inside the import list
)


def helper():
    from fixlib import old_name  # an import inside a function
    return old_name(10)


print(fixlib.old_name(1), fl.old_name(2, b=3))
print(old_name(4), legacy_name(5), again(6), helper())
callback = old_name  # a plain rename: references change too
print(callback(7), paint("s"), convert(1))
print(f"{old_name(8)!r} and {fl.old_name(9)}")
