"""Arguments bound as Python binds them, in every layout."""
import fixlib
from fixlib import get_size, paint, save

print(get_size(5, "cm"), get_size(size=4), fixlib.get_size(3, unit="km"))
print(paint("square", color="blue"))
print(
    paint(
        "circle",
        # the colour of the circle
        color="green",  # a trailing comment
    )
)
print(fixlib.convert(1, "m", True, 3), fixlib.convert(2, "cm", True))
print(fixlib.convert(3, unit="mm", precise=False))
print(fixlib.run("job", "fast"), fixlib.run("job", mode='fast'), fixlib.run("job", "slow"))
print(save(b"data"), save(b"data", True), save(data=b"x"))
print(
    save(
        b"multi",
        ),
)
print(fixlib.paint(fixlib.paint("inner", color="red")[1], color="outer"))
