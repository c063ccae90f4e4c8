"""Where fixlib's parsers live now (fixlib.oldparsing moved here)."""


def parse_date(text):
    return ("date", text)


def parse_time(text):
    return ("time", text)
