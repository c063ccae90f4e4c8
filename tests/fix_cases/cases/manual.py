"""Uses a person must change: each is reported, none is guessed."""
import fixlib
from fixlib import *  # noqa: F403
from fixlib import get_size, render

options = {"color": "red"}
print(render("t", legacy=True), render("t", True))
print(fixlib.paint("s", **options))
print(getattr(fixlib, "old_name")(1))
callback = get_size
print(fixlib.size_only(3))


def with_unknown(store):
    return store.get("k")


print(paint("x", color="y"))  # noqa: F405
