"""Warnings and errors, each also the builtin category users already filter and catch.

``PendingWarning`` is a ``PendingDeprecationWarning``, ``DeprecatedWarning`` a
``DeprecationWarning``, ``RemovalWarning`` a ``FutureWarning``: existing ``-W`` options and
``filterwarnings`` lines keep working, and pytest's ``filterwarnings =
error::phaseout.exceptions.RemovalWarning`` narrows them (Python's own ``-W`` option and
``PYTHONWARNINGS`` cannot name a third-party category: see docs/warnings.md).

Two families that never meet: ``PhaseoutWarning`` (a deprecated API was used: the phase
warnings) and ``DiagnosticWarning`` (phaseout itself is misconfigured or a sink failed: for the
operator). The machinery lives here; ``phaseout.exceptions`` is the public home, and every
class says so in its ``__module__`` (what pickling, ``repr`` and Sphinx show).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from .phases import Phase


_FACT_NAMES = (
    "symbol", "package", "phase", "since", "hard_in", "removed_in", "replacement", "guide"
)  # fmt: skip
# The facts of every warning phaseout emits, by (category, message text): see `_Fact`.
_SHARED_FACTS: dict[tuple[type[BaseException], str], dict[str, Any]] = {}


def built_plainly(category: type[BaseException]) -> bool:
    """Whether ``category(text)`` makes what ``BaseException.__new__(category, text)`` makes:
    neither ``__new__`` nor ``__init__`` is the category's own (only a builtin's, or
    phaseout's, whose facts are optional keywords). Otherwise a warning must be built as
    ``warnings.warn`` builds it, by calling the category."""
    known = _PLAIN.get(category)
    if known is None:
        known = _PLAIN[category] = all(
            _definer(category, name) in _OWN_MODULES for name in ("__new__", "__init__")
        )
    return known


def _definer(category: type, name: str) -> str:
    """The module of the first class in *category*'s MRO that defines *name*."""
    owner = next(klass for klass in category.__mro__ if name in vars(klass))
    return str(owner.__module__)


_PLAIN: dict[type[BaseException], bool] = {}
PUBLIC_HOME: Final = "phaseout.exceptions"
_OWN_MODULES: Final = ("builtins", __name__, PUBLIC_HOME)


def check_constructible(symbol: str, category: type[BaseException]) -> None:
    """Refuse, at declaration, a category that ``category(message)`` cannot build (a
    required extra argument): every use would fail."""
    if built_plainly(category):
        return
    try:
        category(f"{symbol} is deprecated")
    except Exception as error:
        raise TypeError(
            f"{symbol}: category {category.__module__}.{category.__qualname__} must be "
            f"constructible from the message alone, as warnings.warn builds it "
            f"(category(message)); calling it failed with {type(error).__name__}: {error}"
        ) from None


def share_facts(category: type[BaseException], text: str, facts: dict[str, Any]) -> bool:
    """Let every *category* warning with exactly *text* (and no facts of its own) read
    *facts*; False when that text already stands for other facts (give each its own)."""
    known = _SHARED_FACTS.setdefault((category, text), facts)
    return known is facts or known == facts


class _Fact:
    """One fact of a warning, read from the facts shared by its category and text.

    A warning that phaseout emits is made without an instance ``__dict__``: under the
    "always" and "error" filter actions every use makes one, and a dict per warning costs
    more than the rest of the warning (≈ 400 ns of allocation and garbage collection when
    pytest records them). Its facts are those its declaration shared for its category and
    message. This descriptor only defines ``__get__``, so a fact set on the instance (as
    ``__init__`` does for warnings made by calling the class) takes precedence.
    """

    __slots__ = ("name",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        args = instance.args  # type: ignore[attr-defined]
        if len(args) != 1 or type(args[0]) is not str:
            return None
        facts = _SHARED_FACTS.get((type(instance), args[0]))  # type: ignore[arg-type]
        return None if facts is None else facts.get(self.name)


class _Details:
    """The facts about a declaration that warnings and errors carry for tools and handlers.

    Given to ``__init__`` they live in the instance ``__dict__``; a warning phaseout emits
    reads them from its declaration (see ``_Fact``). Either way ``__reduce__`` carries them,
    so pickling and ``copy`` keep them, and every argument is optional, so
    ``warnings.warn("text", DeprecatedWarning)`` (which calls ``category(text)``) works.
    """

    if TYPE_CHECKING:
        symbol: str | None
        package: str | None
        phase: Phase | None
        since: str | None
        hard_in: str | None
        removed_in: str | None
        replacement: str | None
        guide: str | None
    else:
        symbol = _Fact()
        package = _Fact()
        phase = _Fact()
        since = _Fact()
        hard_in = _Fact()
        removed_in = _Fact()
        replacement = _Fact()
        guide = _Fact()

    def __init__(
        self,
        message: str = "",
        *,
        symbol: str | None = None,
        package: str | None = None,
        phase: Phase | None = None,
        since: str | None = None,
        hard_in: str | None = None,
        removed_in: str | None = None,
        replacement: str | None = None,
        guide: str | None = None,
    ) -> None:
        super().__init__(message)  # type: ignore[call-arg]  # the builtin base takes it
        self.symbol = symbol
        self.package = package
        self.phase = phase
        self.since = since
        self.hard_in = hard_in
        self.removed_in = removed_in
        self.replacement = replacement
        self.guide = guide

    def __reduce__(self) -> tuple[Any, ...]:
        state = {name: getattr(self, name) for name in _FACT_NAMES}
        state.update(self.__dict__)
        return (type(self), self.args, state)  # type: ignore[attr-defined]


class PhaseoutWarning(_Details, Warning):
    """Base of the phase warnings: a deprecated API was used. Recording or filtering it
    finds deprecations, and only them (phaseout's own problems are ``DiagnosticWarning``)."""


class PendingWarning(PhaseoutWarning, PendingDeprecationWarning):
    """The API will be deprecated in a future release (``Phase.PENDING``)."""


class DeprecatedWarning(PhaseoutWarning, DeprecationWarning):
    """The API is deprecated (``Phase.SOFT`` and ``Phase.COMPAT``)."""


class RemovalWarning(PhaseoutWarning, FutureWarning):
    """The API is about to be removed (``Phase.HARD``); shown by default, unlike deprecations."""


class ChangedDefaultWarning(PhaseoutWarning, FutureWarning):
    """A parameter's default changes in a coming release and the call relies on it: the
    result will change (see ``phaseout.changed_default``).

    .. versionchanged:: 0.1
       Renamed from ``ChangedDefaultWarning`` (the words in the order of ``changed_default``);
       the old name is deprecated.
    """


class DeprecatedSettingWarning(PhaseoutWarning, FutureWarning):
    """A deprecated settings key or environment variable is set (see
    ``phaseout.deprecated_settings``). A ``FutureWarning``, shown by default: Python's
    category for deprecations whose readers run the program rather than write it."""


class DiagnosticWarning(_Details, RuntimeWarning):
    """Base of the warnings phaseout gives the operator about itself: a setting it cannot use,
    a version it cannot tell, a sink that failed, a rollout that rolled back. Apart from
    ``PhaseoutWarning`` on purpose: a test that records deprecations does not also catch
    "your environment variable is misspelt". Each is said once per subject and never raises
    into the program (under ``-W error`` it goes to stderr instead).

    .. versionadded:: 0.1
    """


class UsageLogWarning(DiagnosticWarning):
    """A usage-event sink failed (said once per sink); its counts are kept for the next flush."""


class SettingsWarning(DiagnosticWarning):
    """A ``PHASEOUT_*`` environment variable has a value phaseout cannot use; it is ignored
    (said once per variable and value)."""


class UnknownVersionWarning(DiagnosticWarning):
    """The installed version of a package cannot be told, so its declarations act as
    deprecated (``Phase.SOFT``): said once per package, with how to declare the version."""


class RolloutWarning(DiagnosticWarning):
    """A rollout rolled back, or could not route a call by its key and served it from the
    legacy path."""


class PhaseoutError(Exception):
    """Base of every error phaseout raises."""


class RemovedError(_Details, PhaseoutError, RuntimeError):
    """The API was removed (``Phase.REMOVED``): the installed version is past ``removed_in``.

    A ``RuntimeError`` rather than an ``AttributeError`` on purpose: an ``AttributeError``
    raised from a property would be swallowed by ``getattr(obj, name, default)`` and
    rerouted through ``__getattr__``, hiding the message that says what to use instead.
    """


class RemovedArgumentError(RemovedError, TypeError):
    """A removed way of passing arguments was used: a renamed or removed keyword, or a
    parameter passed by position after it became keyword-only. Also a ``TypeError``, what
    Python raises for an argument a function does not take, so ``except TypeError`` code
    keeps working."""


class RemovedAttributeError(RemovedError, AttributeError):
    """A removed module attribute, moved name or class attribute was read: also an
    ``AttributeError``, so ``hasattr()`` is False and ``getattr(obj, name, default)`` gives the
    default, as for any missing attribute."""


class RemovedRecordError(RemovedError, ValueError):
    """A stored record at a removed version was loaded (``Records.load``): also a
    ``ValueError``, what code reading bad data already catches. The message names the
    migration that upgrades the stored records."""


class InvalidRecordError(PhaseoutError, ValueError):
    """A record a validator objects to (``Records.upgrader``): ``stage`` says whose
    ("before": the stored version's, "after": the current version's), ``problems`` what."""

    def __init__(self, stage: str, problems: list[str]) -> None:
        super().__init__(f"{stage}: {'; '.join(problems)}")
        self.stage = stage
        self.problems = problems


class RecordVersionError(PhaseoutError, ValueError):
    """A record's version field holds a version its ``Records`` does not declare (written by
    a newer release, or not such a record at all)."""


class RemovedImportError(RemovedError, ImportError):
    """A removed name was imported (``from mylib import OLD``) or a removed moved module
    (``import mylib.old_mod``): also an ``ImportError``, carrying the migration message."""


class RemovedSettingError(RemovedError, ValueError):
    """A removed settings key or environment variable is set: also a ``ValueError``, what a
    configuration with a bad value raises. The message says what to write instead."""


class RemovedValueError(RemovedError, ValueError):
    """A removed value was passed to a parameter (see ``phaseout.deprecated_value``); also a
    ``ValueError``, what a function raises for a value it does not accept."""


class UnknownVersionError(PhaseoutError, LookupError):
    """The installed version of a declaration's package could not be determined.

    Raised on use only in strict mode; otherwise the declaration acts as deprecated and an
    :class:`UnknownVersionWarning` says so once.
    """


# Every public class names its public home (see the module docstring); the list of them is
# that module's `__all__`.
for _value in list(globals().values()):
    if isinstance(_value, type) and _value.__module__ == __name__ and _value.__name__[0] != "_":
        _value.__module__ = PUBLIC_HOME
del _value
