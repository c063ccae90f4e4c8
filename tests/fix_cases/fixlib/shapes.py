"""Classes whose methods, attributes and constructor changed."""

import phaseout


def area(width, height=1):
    return width * height


class Store:
    LIMIT = 10
    OLD_LIMIT = phaseout.renamed_class_attribute("LIMIT", since="2.0", removed_in="3.0")

    @phaseout.renamed_parameter("timeout_s", "timeout", since="2.0", removed_in="3.0")
    def __init__(self, timeout=1.0):
        self.timeout = timeout

    def read(self, key):
        return ("read", key)

    @phaseout.deprecated(since="2.0", removed_in="3.0", replacement="fixlib.shapes.Store.read")
    def get(self, key):
        return ("read", key)

    @classmethod
    @phaseout.renamed_parameter("name", "label", since="2.0", removed_in="3.0")
    def open(cls, label):
        return ("open", label)
