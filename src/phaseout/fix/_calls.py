"""A call's arguments rewritten as Python binds them: to the old parameters, then to the new.

Each function takes the arguments of one ``libcst.Call`` and a rule, and returns the new
arguments with what changed, or the reason a person must do it. Arguments keep their order,
commas and whitespace; only the changed tokens differ.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Sequence
from typing import Final

import libcst as cst

from ._rules import CallMap, ParameterRule, Signature

__all__ = ["Manual", "apply_parameter_rule", "remap"]


class Manual(Exception):
    """This call cannot be rewritten exactly; the message says why."""


_NO_SPACE = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def _keyword(arg: cst.Arg, name: str) -> cst.Arg:
    if arg.keyword is not None:
        return arg.with_changes(keyword=arg.keyword.with_changes(value=name))
    return arg.with_changes(keyword=cst.Name(name), equal=_NO_SPACE)


def _bind(args: Sequence[cst.Arg], signature: Signature, what: str) -> list[str | None]:
    """The parameter each argument binds to (None for ``*x`` / ``**x``)."""
    names: list[str | None] = []
    index = 0
    for arg in args:
        if arg.star:
            names.append(None)
            if arg.star == "*":
                index = -1  # positions after a starred argument are unknown
            continue
        if arg.keyword is not None:
            names.append(arg.keyword.value)
            continue
        if index < 0:
            raise Manual(f"a positional argument after *args: which parameter of {what} it binds")
        if index >= len(signature.positional):
            raise Manual(f"more positional arguments than {what} takes by name")
        names.append(signature.positional[index])
        index += 1
    return names


def remap(args: Sequence[cst.Arg], call: CallMap, old: str, new: str) -> list[cst.Arg]:
    """The arguments of ``new(...)`` for a call ``old(*args)``, each passed under the name the
    replacement gives it (``args_map``): by position where the replacement takes that name
    at that place, by keyword elsewhere."""
    mapping = dict(call.args_map)
    names = _bind(args, call.old, old)
    renames = any(key != value for key, value in mapping.items())
    result: list[cst.Arg] = []
    positional = True
    for index, (arg, name) in enumerate(zip(args, names, strict=True)):
        if name is None:  # *x binds as the same positions would; **x, as the same names
            if renames or (arg.star == "*" and call.old.positional != call.new.positional):
                raise Manual(
                    f"passes {arg.star}{_text(arg.value)}: what it holds cannot be renamed"
                )
            result.append(arg)
            positional = False
            continue
        target = mapping.get(name, name)
        if target is None:
            raise Manual(f"passes {name}, which {new} does not take")
        at = len(result)
        if (
            positional
            and arg.keyword is None
            and at < len(call.new.positional)
            and call.new.positional[at] == target
        ):
            result.append(arg)
            continue
        positional = False
        if target not in call.new.keywords and not call.new.var_keyword:
            raise Manual(f"{new} takes no keyword {target!r} (argument {index + 1})")
        result.append(_keyword(arg, target))
    _once(result)
    return result


def _text(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _literal(node: cst.BaseExpression) -> object:
    """The value of a literal argument, or a marker that it is not one."""
    try:
        return ast.literal_eval(_text(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOT_LITERAL


_NOT_LITERAL = object()


@dataclasses.dataclass(frozen=True)
class _Call:
    """One call's arguments, each with the parameter it binds to."""

    args: Sequence[cst.Arg]
    names: list[str | None]
    rule: ParameterRule
    gap: cst.BaseParenthesizableWhitespace | None  # before the first argument

    @property
    def stars(self) -> bool:
        return any(arg.star for arg in self.args)

    def index(self, name: str) -> int | None:
        return self.names.index(name) if name in self.names else None

    def why(self, text: str) -> Manual:
        return Manual(f"{text}: {self.rule.reason}" if self.rule.reason else text)


Outcome = tuple[list[cst.Arg], str] | None


def apply_parameter_rule(
    args: Sequence[cst.Arg],
    rule: ParameterRule,
    *,
    accept_new_defaults: bool = False,
    gap: cst.BaseParenthesizableWhitespace | None = None,
) -> Outcome:
    """The arguments with *rule* applied and a word for what changed, or None when the call
    does not use what the rule is about. Raises ``Manual`` for a use a person must change."""
    if rule.action == "default" and accept_new_defaults:
        return None
    try:
        names = _bind(args, rule.signature, rule.callee)
    except Manual:
        # A renamed keyword is found by name, wherever the positions go.
        if rule.action != "rename" or not any(
            arg.keyword and arg.keyword.value == rule.names[0] for arg in args
        ):
            raise
        names = [arg.keyword.value if arg.keyword else None for arg in args]
    return _checked(_ACTIONS[rule.action](_Call(args, names, rule, gap)))


def _checked(outcome: Outcome) -> Outcome:
    """*outcome*, unless it passes one parameter twice: the call fails today already
    (``TypeError: got multiple values``), and a person must say which one was meant."""
    if outcome is not None:
        _once(outcome[0])
    return outcome


def _once(args: Sequence[cst.Arg]) -> None:
    seen: set[str] = set()
    for arg in args:
        if arg.keyword is not None:
            if arg.keyword.value in seen:
                raise Manual(f"passes {arg.keyword.value} twice: the call fails as it is")
            seen.add(arg.keyword.value)


def _renamed(call: _Call) -> Outcome:
    old, new = call.rule.names[0], call.rule.new
    assert new is not None
    if call.index(old) is None:
        if any(arg.star == "**" for arg in call.args):
            raise Manual(f"**kwargs may pass {old}=, now {new}=")
        return None
    if call.index(new) is not None:
        raise Manual(f"passes both {old}= and {new}=")
    index = call.index(old)
    assert index is not None
    if call.args[index].keyword is None:
        # An old parameter kept in the def, passed by position: it and every positional
        # argument after it go by keyword, so none lands in another parameter.
        later = call.args[index:]
        if any(arg.star for arg in later):
            raise Manual(f"passes {old} by position, before *args")
        args = list(call.args[:index])
        for arg, bound in zip(later, call.names[index:], strict=True):
            if arg.keyword is None and bound is not None:
                args.append(_keyword(arg, new if bound == old else bound))
            else:
                args.append(arg)
        return args, f"{old} (by position) passed as {new}="
    args = [
        _keyword(arg, new) if arg.keyword is not None and arg.keyword.value == old else arg
        for arg in call.args
    ]
    return args, f"{old}= renamed {new}="


def _removed(call: _Call) -> Outcome:
    name = call.rule.names[0]
    if call.index(name) is not None:
        raise call.why(f"passes {name}, which is going away")
    if call.stars:
        raise Manual(f"*args or **kwargs may pass {name}, which is going away")
    return None


def _keyword_only(call: _Call) -> Outcome:
    rule, args, names = call.rule, call.args, call.names
    moving = [
        index
        for index, (arg, bound) in enumerate(zip(args, names, strict=True))
        if arg.keyword is None and not arg.star and bound in rule.names
    ]
    if not moving:
        first = min(rule.signature.positional.index(n) for n in rule.names)
        passed = sum(1 for arg in args if not arg.keyword and not arg.star)
        if any(arg.star == "*" for arg in args) and passed <= first:
            raise Manual(f"*args may pass {', '.join(rule.names)} by position")
        return None
    new_args = list(args)
    for index in range(moving[0], len(args)):  # every positional one after the first
        bound = names[index]
        if args[index].keyword is None and not args[index].star and bound is not None:
            new_args[index] = _keyword(args[index], bound)
    return new_args, f"{', '.join(n for n in rule.names if n in names)} passed by keyword"


def _value(call: _Call) -> Outcome:
    rule = call.rule
    name, index = rule.names[0], call.index(rule.names[0])
    if index is None or rule.value is None:
        return None
    old_value = ast.literal_eval(rule.value)
    given = _literal(call.args[index].value)
    if type(given) is not type(old_value) or given != old_value:
        return None  # another value, or not a literal: nothing known to change
    if rule.new is None:
        raise call.why(f"passes {name}={rule.value}, deprecated with no replacement value")
    new_args = list(call.args)
    new_args[index] = call.args[index].with_changes(value=_like(call.args[index].value, rule.new))
    return new_args, f"{name}={rule.value} now {name}={rule.new}"


def _default(call: _Call) -> Outcome:
    rule = call.rule
    name = rule.names[0]
    if call.index(name) is not None:
        return None
    if call.stars:
        raise Manual(f"*args or **kwargs may or may not pass {name}, whose default changes")
    if rule.value is None:
        raise Manual(f"relies on the default of {name}, which changes and is not a literal")
    added = _append(call.args, name, rule.value, call.gap)
    return added, f"{name}={rule.value} spelt out (old default)"


_ACTIONS: Final[dict[str, Callable[[_Call], Outcome]]] = {
    "rename": _renamed,
    "remove": _removed,
    "keyword-only": _keyword_only,
    "value": _value,
    "default": _default,
}


def _like(old: cst.BaseExpression, source: str) -> cst.BaseExpression:
    """*source* as an expression, a string written with the quotes of the *old* one."""
    new = cst.parse_expression(source)
    if isinstance(old, cst.SimpleString) and isinstance(new, cst.SimpleString):
        quote, text = old.quote, new.value[len(new.prefix) + 1 : -1]
        if (
            new.quote != quote
            and len(quote) == 1
            and "\\" not in text
            and "'" not in text
            and '"' not in text
        ):
            return new.with_changes(value=f"{new.prefix}{quote}{text}{quote}")
    return new


def _append(
    args: Sequence[cst.Arg],
    name: str,
    source: str,
    gap: cst.BaseParenthesizableWhitespace | None,
) -> list[cst.Arg]:
    """*args* and ``name=source`` after them, laid out as the call's own arguments: on a
    line of its own where they each have one (*gap* is the whitespace before the first)."""
    new = cst.Arg(keyword=cst.Name(name), equal=_NO_SPACE, value=cst.parse_expression(source))
    if not args:
        return [new]
    last = args[-1]
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument takes it
        if len(args) > 1 and isinstance(args[-2].comma, cst.Comma):
            between = args[-2].comma
        elif isinstance(gap, cst.ParenthesizedWhitespace):
            between = cst.Comma(whitespace_after=gap)
        else:
            between = space
        return [*args[:-1], last.with_changes(comma=between), new.with_changes(comma=last.comma)]
    return [*args[:-1], last.with_changes(comma=space), new]
