"""Arguments bound as Python binds them, in every layout."""
import fixlib
from fixlib import measure, paint, save

print(measure(5, "cm"), measure(length=4), fixlib.measure(3, unit="km"))
print(paint("square", colour="blue"))
print(
    paint(
        "circle",
        # the colour of the circle
        colour="green",  # a trailing comment
    )
)
print(fixlib.convert(1, "m", precise=True, rounding=3), fixlib.convert(2, "cm", precise=True))
print(fixlib.convert(3, unit="mm", precise=False))
print(fixlib.run("job", "quick"), fixlib.run("job", mode='quick'), fixlib.run("job", "slow"))
print(save(b"data", compress=False), save(b"data", True), save(data=b"x", compress=False))
print(
    save(
        b"multi",
        compress=False,
        ),
)
print(fixlib.paint(fixlib.paint("inner", colour="red")[1], colour="outer"))
