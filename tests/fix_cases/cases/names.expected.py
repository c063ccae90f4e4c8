"""Names reached through every kind of import and alias."""
import fixlib
import fixlib as fl
from fixlib import new_name
from fixlib import new_name as legacy_name, paint  # two names on one line
from fixlib import (
    convert,
    new_name as again,  # a comment inside the import list
)


def helper():
    from fixlib import new_name  # an import inside a function
    return new_name(10)


print(fixlib.new_name(1), fl.new_name(2, b=3))
print(new_name(4), legacy_name(5), again(6), helper())
callback = new_name  # a plain rename: references change too
print(callback(7), paint("s"), convert(1))
print(f"{new_name(8)!r} and {fl.new_name(9)}")
