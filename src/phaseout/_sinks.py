"""Where usage events go: a file (JSON lines appended), an open stream, a structlog logger.

Each sink writes one batch per session and says how many events it took; two sinks for the
same target are equal, so configuring the same file again never writes its events twice.
Counting and flushing (what is written, when, and from which thread) are ``_usage``'s.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, TextIO

from .processors import USAGE_PIPELINE, EventDict, render_json_line

__all__ = ["FileSink", "LoggerSink", "Sink", "SinkFailure", "StreamSink", "build_sinks"]

# O_NONBLOCK: opening a FIFO with no reader fails at once (ENXIO) instead of waiting forever.
_APPEND: Final = (
    os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
)


class Sink:
    """Where events go: ``session()`` yields a writer of one event, used for one batch.

    Two sinks for the same target are equal: configure() builds new sink objects, and what
    a file, stream or logger was already told must not be written to it again.
    """

    name: str
    target: object  # the path, or the stream or logger object itself

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> object:
        # Objects by identity (a structlog logger compares by its context); the sink keeps
        # the object alive, so its id is not reused while the key is in use.
        target = self.target
        return target if isinstance(target, str) else id(target)

    def session(self) -> contextlib.AbstractContextManager[Callable[[EventDict], None]]:
        raise NotImplementedError

    def emit(self, events: Sequence[EventDict]) -> int:
        """Write *events*; how many were taken, or ``SinkFailure`` saying so on an error."""
        written = 0
        try:
            with self.session() as write:
                for event in events:
                    write(event)
                    written += 1
        except Exception as error:
            raise SinkFailure(written) from error
        return written


class SinkFailure(Exception):
    def __init__(self, written: int) -> None:
        super().__init__(written)
        self.written = written


def _prepared(event: EventDict) -> EventDict:
    for processor in USAGE_PIPELINE:
        event = processor(None, "info", event)
    return event


def _line(event: EventDict) -> str:
    return render_json_line(None, "info", _prepared(event)) + "\n"


class FileSink(Sink):
    """JSON lines appended to a file, each line one ``write(2)`` on an ``O_APPEND`` descriptor.

    POSIX appends each such write at the end of the file as one piece, so processes sharing
    the file never interleave or tear lines, and a process killed between writes leaves only
    whole lines. The file is opened per flush, which follows log rotation and survives forks.
    """

    def __init__(self, path: str) -> None:
        self.path = self.target = path
        self.name = f"usage log {path!r}"

    @contextlib.contextmanager
    def session(self) -> Iterator[Callable[[EventDict], None]]:
        fd = os.open(self.path, _APPEND, 0o666)

        def write(event: EventDict) -> None:
            data = _line(event).encode()
            if os.write(fd, data) != len(data):
                raise OSError(f"short write to {self.path!r}")

        try:
            yield write
        finally:
            os.close(fd)


class StreamSink(Sink):
    """JSON lines written to an open text stream, flushed after each batch."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = self.target = stream
        self.name = f"usage log stream {getattr(stream, 'name', stream)!r}"

    @contextlib.contextmanager
    def session(self) -> Iterator[Callable[[EventDict], None]]:
        def write(event: EventDict) -> None:
            self.stream.write(_line(event))

        yield write
        self.stream.flush()


class LoggerSink(Sink):
    """Events handed to the application's structlog logger, as ``logger.info(event, **kw)``."""

    def __init__(self, logger: Any) -> None:
        self.logger = self.target = logger
        self.name = f"usage logger {logger!r}"

    @contextlib.contextmanager
    def session(self) -> Iterator[Callable[[EventDict], None]]:
        def write(event: EventDict) -> None:
            fields = dict(_prepared(event))
            self.logger.info(fields.pop("event"), **fields)

        yield write


def build_sinks(usage_log: str | TextIO | None, structlog_logger: Any) -> tuple[Sink, ...]:
    """The sinks of these settings: a path is a file, anything else a stream; a logger."""
    built: list[Sink] = []
    if isinstance(usage_log, str):
        built.append(FileSink(usage_log))
    elif usage_log is not None:
        built.append(StreamSink(usage_log))
    if structlog_logger is not None:
        built.append(LoggerSink(structlog_logger))
    return tuple(built)
