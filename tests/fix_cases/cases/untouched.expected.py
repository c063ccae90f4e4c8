"""Code that must not change: other things with the same names."""
import fixlib


def old_name(a, b=1):  # a local function shadows nothing imported
    return ("local", a, b)


class Painter:
    def paint(self, shape, color="red"):
        return (shape, color)


def paint(shape, color="red"):
    return (shape, color)


print(old_name(1), Painter().paint("s", color="blue"), paint("t", color="green"))
print("fixlib.old_name(1) in a string", fixlib.new_name(2))  # fixlib.old_name in a comment
print(fixlib.run("job", "slow"), fixlib.save(b"x", compress=True), fixlib.convert(1, "m"))


def shadow(fixlib):
    return fixlib.old_name  # a parameter named like the package
