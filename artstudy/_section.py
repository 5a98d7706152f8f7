"""Base class of every settings section, and one-line messages for invalid settings.

Every default of the study is written once, as a field default of a :class:`Section`
subclass that lives beside the code it configures (``PAMSettings`` in
:mod:`artstudy.models.pam.settings`, ``Truth`` in :mod:`artstudy.synth.truth`, ...).
:mod:`artstudy.settings` composes them into the study's config, whose JSON schema
(``config/schema.json``) is generated from these classes. Unknown keys are rejected
everywhere.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import InputError

__all__ = ["Section", "validation_message", "build", "field_default"]


class Section(BaseModel):
    """A settings section: typed fields with defaults, unknown keys rejected, values checked on assignment."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, validate_default=True,
                              use_attribute_docstrings=True)


def _location(loc) -> str:
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def validation_message(exc: ValidationError, source: str = "config", prefix: str = "") -> str:
    """One line naming every invalid key: ``config.yaml: model.sampler: Input should be 'ffbs' or ... (got 'gibbs')``."""
    items = []
    for err in exc.errors():
        loc = _location([p for p in (prefix, *err["loc"]) if p != ""])
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        elif err["type"] == "model_type":  # a section given as something else (null, a text, a list)
            msg = f"give a mapping of keys (key: value), not {'null' if err['input'] is None else repr(err['input'])}"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            if "input" in err and err["type"] not in ("missing",) and not isinstance(err["input"], dict):
                msg += f" (got {err['input']!r})"
        items.append(f"{loc}: {msg}" if loc else msg)
    return f"{source}: " + "; ".join(items)


def build(cls: type[Section], values: Any = None, source: str = "config", prefix: str = ""):
    """Validate ``values`` (a mapping, a section or None for the defaults) into ``cls``.

    Raises
    ------
    InputError
        One line naming the source and every invalid or unknown key.
    """
    if isinstance(values, cls):
        return values
    if isinstance(values, BaseModel):
        values = values.model_dump()
    try:
        return cls.model_validate(values or {})
    except ValidationError as exc:
        raise InputError(validation_message(exc, source, prefix)) from None


def field_default(cls: type[Section], name: str):
    """The default of one field of a settings class (for signatures that must show it)."""
    field = cls.model_fields[name]
    return field.get_default(call_default_factory=True)
