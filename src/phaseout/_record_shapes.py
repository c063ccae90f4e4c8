"""Versioned shapes of stored records: a chain of upgrade steps, each a deprecation.

::

    users = phaseout.Records("users", package="mylib", version_field="schema_version")

    @users.upgrade(1, to=2, since="2.0", removed_in="3.0")
    def settings_object(record):
        return {**record, "settings": json.loads(record["settings"])}

    user = users.load(row)      # at the current version, whatever version was stored

Reading a record stored at an old version is a use of that version's shape: the step that
retires it is a declaration like any other (phases from the installed version, the caller's
line, filters, policies, strict mode, usage counted per call site), and once removed the
record no longer loads: ``RemovedRecordError`` names the migration to run. Loading a record
already at the current version costs a dict lookup and an identity test. The batch migration
of stored records built on these declarations is ``phaseout.records``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from ._declaring import TimelineOptions, Wording, declare, timeline_options
from ._exceptions import InvalidRecordError, RecordVersionError, RemovedRecordError
from ._fastpath import fast_caller
from ._hotpath import Declaration
from .phases import Phase

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Records", "Step"]

KIND_RECORD: Final = "record version"

Record = dict[str, Any]
StepFunction = Callable[[Record], Mapping[str, Any]]
_F = TypeVar("_F", bound=StepFunction)


class _Model(Protocol):
    """A pydantic v2 model class, as a validator (not imported: duck-typed)."""

    @classmethod
    def model_validate(cls, obj: Any) -> Any: ...


Validator = Callable[[Record], Any]


class Step:
    """One declared step between two adjacent versions (read-only for tools)."""

    __slots__ = ("declaration", "function", "source", "target")

    def __init__(
        self, source: int, target: int, function: StepFunction, declaration: Declaration | None
    ) -> None:
        self.source = source
        self.target = target
        self.function = function
        self.declaration = declaration  # upgrades only: the deprecation of `source`'s shape

    @property
    def name(self) -> str:
        return getattr(self.function, "__qualname__", repr(self.function))

    def __repr__(self) -> str:
        return f"<Step {self.name} v{self.source}→v{self.target}>"


def _check_version(owner: str, what: str, value: object) -> int:
    if type(value) is not int or value < 0:
        raise TypeError(f"{owner}: {what} must be a non-negative int, got {value!r}")
    return value


class Records:
    """The versioned shapes of one kind of stored record (a user, an order, a cache entry).

    A record's version is its *version_field* (*first* when absent). Steps are declared in
    order with :meth:`upgrade` (each a deprecation of the older shape, with a timeline) and,
    optionally, :meth:`downgrade` (for writing old shapes and round-trip checks);
    :meth:`validator` attaches a check to a version.

    Args:
        name: The kind of record (``"users"``), used in migration names and messages.
        package: The distribution whose installed version sets each step's phase (by default,
            the declaring module's).
        version_field: The field of a record that holds its shape's version.
        first: The version of a record without *version_field*.

    .. versionadded:: 0.1
    """

    __slots__ = (
        "_downgrades", "_locator", "_module", "_package", "_readers", "_upgrades",
        "_validators", "_versions", "_writers", "current", "first", "load", "name",
        "version_field",
    )  # fmt: skip

    load: Callable[[Mapping[str, Any]], Mapping[str, Any]]

    def __init__(
        self,
        name: str,
        *,
        package: str | None = None,
        version_field: str = "schema_version",
        first: int = 1,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"phaseout.Records: name must be a non-empty string, got {name!r}")
        if not isinstance(version_field, str) or not version_field:
            raise TypeError(
                f"Records {name!r}: version_field must be a non-empty string, got {version_field!r}"
            )
        if package is not None and not isinstance(package, str):
            raise TypeError(
                f"Records {name!r}: package must be a distribution or import name, got {package!r}"
            )
        self.name = name
        self.version_field = version_field
        self.first = _check_version(f"Records {name!r}", "first", first)
        self.current = self.first
        self._versions: tuple[int, ...] = (self.first,)
        self._package = package
        self._module: str = sys._getframe(1).f_globals.get("__name__") or "__main__"
        self._locator: str | None = None
        self._upgrades: dict[int, Step] = {}
        self._downgrades: dict[int, Step] = {}
        self._validators: dict[int, Validator] = {}
        self._readers: dict[int, Callable[[Mapping[str, Any]], Record]] = {}
        self._writers: dict[int, Callable[[Mapping[str, Any], int], Record]] = {}
        self._build_load()

    # -- declaring ----------------------------------------------------------------------------

    def upgrade(
        self, version: int, *, to: int, **timeline: Unpack[TimelineOptions]
    ) -> Callable[[_F], _F]:
        """Declare the step from *version* to *to* (the next version): the shape of
        *version* is deprecated with the timeline given (``since``, ``removed_in``...)."""
        owner = f"Records {self.name!r}"
        _check_version(owner, "upgrade's version", version)
        _check_version(owner, "upgrade's to", to)
        if version != self.current:
            raise ValueError(
                f"{owner}: upgrade({version}, to={to}) must start at the current version "
                f"{self.current}: declare the steps in order"
            )
        if to <= version:
            raise ValueError(f"{owner}: upgrade({version}, to={to}): to must be above {version}")
        options = timeline_options(f"{self.name}.upgrade", timeline)
        if options["package"] is None:
            options["package"] = self._package
        self._locator = self._locator or self._find_locator(sys._getframe(1).f_globals)
        subject = f"A {self.name} record at {self.version_field} {version}"
        advice = (
            f"Upgrade stored records with `phaseout data migrate {self._locator}`."
            if self._locator
            else f"Upgrade stored {self.name} records to version {to}."
        )
        # Declared (and its timeline checked) at once, not when the step is applied.
        decl = declare(
            f"{self.name} record v{version}",
            KIND_RECORD,
            self._module,
            options,
            Wording(
                subject, advice, will="stop loading", gone="stopped loading in",
                error=RemovedRecordError,
            ),
        )  # fmt: skip

        def register(function: _F) -> _F:
            if not callable(function):
                raise TypeError(f"{owner}: an upgrade step must be callable, got {function!r}")
            if version != self.current:  # another step was declared since upgrade() ran
                raise ValueError(f"{owner}: upgrade({version}, to={to}) was declared twice")
            self._upgrades[version] = Step(version, to, function, decl)
            self.current = to
            self._versions = (*self._versions, to)
            self._rebuild()
            return function

        return register

    def downgrade(self, version: int, *, to: int) -> Callable[[_F], _F]:
        """Declare the step back from *version* to *to*: the reverse of ``upgrade(to,
        to=version)``, for :meth:`dump` of old shapes and round-trip checks."""
        owner = f"Records {self.name!r}"
        _check_version(owner, "downgrade's version", version)
        _check_version(owner, "downgrade's to", to)
        step = self._upgrades.get(to)
        if step is None or step.target != version:
            declared = ", ".join(f"{s.source}→{s.target}" for s in self._upgrades.values())
            raise ValueError(
                f"{owner}: downgrade({version}, to={to}) must reverse a declared upgrade "
                f"({declared or 'none declared yet'})"
            )
        if version in self._downgrades:
            raise ValueError(f"{owner}: downgrade({version}, to={to}) was declared twice")

        def register(function: _F) -> _F:
            if not callable(function):
                raise TypeError(f"{owner}: a downgrade step must be callable, got {function!r}")
            self._downgrades[version] = Step(version, to, function, None)
            return function

        return register

    def validator(self, version: int, check: Validator | type[_Model]) -> None:
        """Check records of *version* with *check*: a callable returning its problems (an
        iterable of strings, one string, False, or raising), or a pydantic model class."""
        owner = f"Records {self.name!r}"
        _check_version(owner, "validator's version", version)
        if version not in self.versions:
            raise ValueError(
                f"{owner}: validator({version}, ...): version {version} is not declared "
                f"(versions: {', '.join(map(str, self.versions))})"
            )
        model_validate = getattr(check, "model_validate", None)
        if isinstance(check, type) and callable(model_validate):
            self._validators[version] = model_validate
        elif callable(check):
            self._validators[version] = check
        else:
            raise TypeError(
                f"{owner}: a validator must be a callable or a pydantic model, got {check!r}"
            )

    # -- reading and writing ------------------------------------------------------------------

    @property
    def versions(self) -> tuple[int, ...]:
        """Every declared version, oldest first."""
        return self._versions

    @property
    def steps(self) -> tuple[Step, ...]:
        """The upgrade steps, oldest first (each with its declaration)."""
        return tuple(self._upgrades.values())

    @property
    def locator(self) -> str | None:
        """``module:attribute`` where these records are declared (for the CLI), if found."""
        return self._locator or self._find_locator(vars(sys.modules.get(self._module, sys)))

    def can_downgrade(self, to: int) -> bool:
        """Whether records at the current version can be written at version *to*."""
        return all(v in self._downgrades for v in self.versions if v > to)

    def version_of(self, record: Mapping[str, Any]) -> int:
        """The version *record* is stored at (*first* when it has no version field)."""
        if type(record) is not dict and not isinstance(record, Mapping):
            raise TypeError(
                f"Records {self.name!r}: a record must be a mapping, got {type(record).__name__}"
            )
        version = record.get(self.version_field, self.first)
        if type(version) is not int or version not in self._versions:
            raise RecordVersionError(self._unknown(version))
        return version

    def convert(
        self, record: Mapping[str, Any], version: int | None = None, *, source: int | None = None
    ) -> Record:
        """*record* converted to *version* (the current one by default), quietly: no
        warning, no usage counted (what a batch migration does; readers use :meth:`load`).
        A new dict; *record* is left as it was. *source*, the record's version when the
        caller already read it, saves reading it again."""
        source = self.version_of(record) if source is None else self._known(source)
        target = self.current if version is None else self._known(version)
        return self._convert(record, source, target)

    def dump(self, record: Mapping[str, Any], version: int | None = None) -> Record:
        """*record* (at the current version) written at *version*, for old readers during a
        rollout: the downgrades run, and writing a deprecated shape counts as its use."""
        if version is None or version == self.current:
            return dict(record)
        writer = self._writers.get(self._known(version))
        if writer is None or not self.can_downgrade(version):
            declared = ", ".join(f"{s.source}→{s.target}" for s in self._downgrades.values())
            raise ValueError(
                f"Records {self.name!r}: dump(version={version}) needs the downgrades from "
                f"version {self.current} to {version}; declared: {declared or 'none'}"
            )
        return writer(record, version)

    def problems(self, record: Mapping[str, Any], version: int | None = None) -> list[str]:
        """What the validator of *version* (by default the record's own) says is wrong with
        *record*; empty when it passes or no validator is declared. Validators read the
        record and must not change it."""
        if version is None:
            version = self.version_of(record)
        check = self._validators.get(version)
        if check is None:
            return []
        return _problems(check, record if type(record) is dict else dict(record))

    def upgrader(self, version: int) -> Callable[[Record], Record]:
        """A function that upgrades a record stored at *version* to the current version,
        quietly, checked by both versions' validators: what a batch migration runs per
        record. It converts the dict it is given in place (pass a copy to keep it) and
        raises ``InvalidRecordError`` (``.stage`` "before" or "after") when a validator
        objects; a step's own error propagates."""
        source = self._known(version)
        before = self._validators.get(source)
        after = self._validators.get(self.current)
        chain = self._chain(source, self.current)
        field, name = self.version_field, self.name

        def upgrade(record: Record) -> Record:
            if before is not None:
                problems = _problems(before, record)
                if problems:
                    raise InvalidRecordError("before", problems)
            for step in chain:
                result = step.function(record)
                if type(result) is not dict:
                    result = _as_record(result, name, step)
                record = result
                record[field] = step.target
            if after is not None:
                problems = _problems(after, record)
                if problems:
                    raise InvalidRecordError("after", problems)
            return record

        return upgrade

    def has_validator(self, version: int) -> bool:
        return version in self._validators

    # -- machinery ----------------------------------------------------------------------------

    def _known(self, version: object) -> int:
        if type(version) is not int or version not in self._versions:
            raise RecordVersionError(self._unknown(version))
        return version

    def _unknown(self, version: object) -> str:
        return (
            f"{self.name} record has {self.version_field}={version!r}, but the declared "
            f"versions are {', '.join(map(str, self.versions))}: written by a newer release, "
            f"or not a {self.name} record"
        )

    def _find_locator(self, namespace: Mapping[str, Any]) -> str | None:
        for attribute, value in namespace.items():
            if value is self:
                return f"{self._module}:{attribute}"
        return None

    def _chain(self, source: int, target: int) -> list[Step]:
        """The steps from *source* to *target*, up or down."""
        chain, version = [], source
        while version != target:
            step = self._upgrades[version] if version < target else self._downgrades.get(version)
            if step is None:
                raise ValueError(
                    f"Records {self.name!r}: no downgrade from version {version} is declared"
                )
            chain.append(step)
            version = step.target
        return chain

    def _convert(self, record: Mapping[str, Any], source: int, target: int) -> Record:
        out = dict(record)  # steps may change their argument: it is ours
        field = self.version_field
        for step in self._chain(source, target):
            result = step.function(out)
            out = result if type(result) is dict else _as_record(result, self.name, step)
            out[field] = step.target
        return out

    def _build_load(self) -> None:
        field, first, current, old = self.version_field, self.first, self.current, self._load_old
        name = self.name

        def load(record: Mapping[str, Any]) -> Mapping[str, Any]:
            try:
                version = record.get(field, first)
            except AttributeError:
                raise TypeError(
                    f"Records {name!r}: a record must be a mapping, got {type(record).__name__}"
                ) from None
            # Identity, not equality: ints up to 256 are one object each in CPython, so
            # this is the cheapest exact test (True is not 1 here); anything else takes
            # the slow path, which compares properly.
            if version is current:
                return record
            return old(record, version)

        load.__qualname__ = f"Records.load[{name}]"
        load.__doc__ = (
            f"The {name} record at version {current}, upgraded from the version it was stored "
            "at (a use of that deprecated shape: warned and counted)."
        )
        self.load = load

    def _rebuild(self) -> None:
        self._readers.clear()
        self._writers.clear()
        for version, step in self._upgrades.items():
            assert step.declaration is not None
            # Frames up from the reader: _load_old, load, the reader's caller.
            self._readers[version] = fast_caller(
                step.declaration, self._reader(version), None, depth=3
            )
            # From the writer: dump, its caller.
            self._writers[version] = fast_caller(step.declaration, self._writer(), None, depth=2)
        self._build_load()

    def _reader(self, version: int) -> Callable[[Mapping[str, Any]], Record]:
        def read(record: Mapping[str, Any]) -> Record:
            return self._convert(record, version, self.current)

        return read

    def _writer(self) -> Callable[[Mapping[str, Any], int], Record]:
        def write(record: Mapping[str, Any], version: int) -> Record:
            if self.version_of(record) != self.current:
                raise ValueError(
                    f"Records {self.name!r}: dump() takes a record at the current version "
                    f"{self.current}, got {self.version_field}={record.get(self.version_field)!r}"
                )
            return self._convert(record, self.current, version)

        return write

    def _load_old(self, record: Mapping[str, Any], version: object) -> Mapping[str, Any]:
        if type(version) is int and version == self.current:
            return record
        reader = self._readers.get(version) if type(version) is int else None
        if reader is None:
            raise RecordVersionError(self._unknown(version))
        return reader(record)

    def phase_of(self, version: int) -> Phase | None:
        """The phase of *version*'s shape now (None for the current version)."""
        step = self._upgrades.get(self._known(version))
        return None if step is None or step.declaration is None else step.declaration.phase

    def __repr__(self) -> str:
        return f"<Records {self.name!r} v{'→v'.join(map(str, self.versions))}>"


def _as_record(result: object, name: str, step: Step) -> Record:
    if not isinstance(result, Mapping):
        raise TypeError(
            f"{name} step {step.name} (v{step.source}→v{step.target}) must return the "
            f"converted record, got {type(result).__name__}"
        )
    return dict(result)


def _problems(check: Validator, record: Record) -> list[str]:
    """What *check* says of *record*, as a list of problems (empty: it passes)."""
    try:
        verdict = check(record)
    except Exception as error:
        return _error_problems(error)
    if verdict is None or verdict is True:
        return []
    if type(verdict) is list:
        return [str(problem) for problem in verdict]
    if _is_model_instance(verdict):
        return []
    if verdict is False:
        return [f"rejected by {getattr(check, '__qualname__', repr(check))}"]
    if isinstance(verdict, str):
        return [verdict]
    if isinstance(verdict, Iterable):
        return [str(problem) for problem in verdict]
    return [str(verdict)]


def _is_model_instance(value: object) -> bool:
    return callable(getattr(value, "model_dump", None))


def _error_problems(error: Exception) -> list[str]:
    errors = getattr(error, "errors", None)
    if callable(errors):  # pydantic's ValidationError: one problem per error
        try:
            listed = errors()
        except Exception:
            listed = None
        if isinstance(listed, list) and listed:
            return [
                f"{'.'.join(map(str, item.get('loc', ()))) or 'record'}: {item.get('msg', item)}"
                for item in listed
                if isinstance(item, dict)
            ] or [str(error)]
    return [f"{type(error).__name__}: {error}"]
