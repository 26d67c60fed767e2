"""Import aiogram with its Bot API types built when first used, not all at import time.

aiogram declares ~440 pydantic models for the Bot API (with `defer_build=True`) and then, at the
end of `aiogram.types`, calls `model_rebuild()` on every one of them to resolve their forward
references. Each rebuild compiles a validator that inlines every type it contains, so the
import alone costs about 105 MB of resident memory — more than the rest of the bot with
10,000 open conversations. This bot uses a handful of those types (Update, Message,
CallbackQuery, Chat, ChatMember…); built on demand they cost about 4 MB.

`import_aiogram()` lets aiogram run as written except for that loop, and makes the names that
loop would have supplied (every type name) visible in aiogram's type and method modules, so
pydantic completes each model on its first validation — the mechanism `defer_build` exists for. Behaviour is unchanged; only the
moment a type's validator is built moves. Modules that use aiogram import this module first.
If aiogram was already imported (its types are then built), this does nothing.

The patch relies on aiogram's import-time rebuild loop and on pydantic's classmethod
`model_rebuild(_types_namespace=...)`: private details. It is applied only to the versions it was
tested with (`TESTED`, the range pinned in pyproject.toml, checked by tests/test_aiogram_types.py);
with any other version aiogram is imported the usual way (correct, ~100 MB more) and one WARNING
says why. benchmarks/aiogram_import.py measures what it saves.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version
from typing import Any

from pydantic import BaseModel

log = logging.getLogger(__name__)

# Inclusive (major, minor) ranges the deferred import was tested with; keep in step with the pins
# of aiogram and pydantic in pyproject.toml.
TESTED: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "aiogram": ((3, 13), (3, 31)),
    "pydantic": ((2, 7), (2, 13)),
}


def _major_minor(text: str) -> tuple[int, int]:
    major, minor = [*text.split("."), "0"][:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def untested_versions(installed: dict[str, str]) -> list[str]:
    """The installed packages outside the tested ranges, as "name version" strings."""
    outside = []
    for name, (low, high) in TESTED.items():
        if not low <= _major_minor(installed[name]) <= high:
            outside.append(f"{name} {installed[name]}")
    return outside


def import_aiogram() -> None:
    if "aiogram" in sys.modules:
        return
    outside = untested_versions({name: version(name) for name in TESTED})
    if outside:
        log.warning(
            "aiogram imported without the deferred type build (%s not in the tested range): correct, "
            "about 100 MB more memory; see bot/telegram/aiogram_types.py",
            ", ".join(outside),
        )
        import aiogram

        return
    original = BaseModel.__dict__["model_rebuild"]  # the classmethod object itself
    rebuild = original.__func__
    deferred: list[tuple[type[BaseModel], dict[str, Any]]] = []

    def defer(
        cls: type[BaseModel], *args: Any, _types_namespace: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        if args or kwargs or _types_namespace is None or not cls.__module__.startswith("aiogram."):
            return rebuild(cls, *args, _types_namespace=_types_namespace, **kwargs)
        deferred.append((cls, _types_namespace))
        return None

    BaseModel.model_rebuild = classmethod(defer)  # type: ignore[assignment,method-assign,arg-type]
    try:
        import aiogram  # noqa: F401  (runs aiogram.types' rebuild loop through `defer`)
    finally:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]
    if not deferred:
        return
    namespace = deferred[0][1]  # aiogram passes every model the same one: all its type names
    for name, module in list(sys.modules.items()):
        if module is not None and name.startswith(("aiogram.types.", "aiogram.methods.")):
            # What each module imports only for type checkers, visible at run time, so a
            # forward reference resolves whichever model is being built when it is met.
            for key, value in namespace.items():
                module.__dict__.setdefault(key, value)


import_aiogram()
