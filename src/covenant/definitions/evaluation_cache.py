"""A cache of what ``evaluate`` needs from a workspace, so a warm run reads no YAML and loads no
pydantic: the resolved objectives and composites, and the Prometheus reads of its SLIs, kept
as JSON in the workspace's state folder (``.covenant/evaluation-cache.json``, beside the
embedded store).

**Key.** A SHA-256 over this cache's format version, Covenant's version, Python's version, the
size and modification time of every module of ``covenant.definitions`` and ``covenant.core``,
sub-packages included (the code that turns definitions into objectives, so an edited source
tree never reads a cache an older one wrote), and the relative path and SHA-256 of the bytes
of every definition file the workspace reads (found as ``load_workspace`` finds them). Any
edit, added, removed or renamed file gives another key, and the cache is rebuilt.

**Safe format.** Plain JSON of whitelisted frozen values (:data:`CLASSES`, their enums,
``Fraction``, ``datetime`` in UTC or on a named zone's wall clock with its fold, tuples);
each value is rebuilt through its constructor, so its invariants are checked again. Never
pickle: reading the cache runs no code it names.

**Never trusted.** A cache that cannot be read, parsed or rebuilt, or whose key differs, is
ignored and replaced; a state folder that cannot be written is left alone. It is written only
for a workspace that loaded without errors and has no corrections (they are audited in the
store on every evaluation), to a temporary file then renamed over the old one, so a reader in
another process sees the old cache, the new one or none, never half of one. The temporary
file a writer killed halfway leaves is removed by the next write (``covenant.files_left``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from enum import Enum
from fractions import Fraction
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import covenant
from covenant.definitions.yamlsource import MAX_BYTES, discover_files

if TYPE_CHECKING:
    from covenant.core.composite import CompositeObjective
    from covenant.core.model import Objective
    from covenant.core.promql import SeriesQueries

FORMAT = "covenant.evaluation-cache/2"
FILE_NAME = "evaluation-cache.json"

_MODEL = "covenant.core.model"
_COMPOSITE = "covenant.core.composite"
_PROMQL = "covenant.core.promql"
CLASSES: dict[str, tuple[str, str]] = {
    "Objective": (_MODEL, "Objective"),
    "RollingWindow": (_MODEL, "RollingWindow"),
    "CalendarWindow": (_MODEL, "CalendarWindow"),
    "AlertTier": (_MODEL, "AlertTier"),
    "AlertRouting": (_MODEL, "AlertRouting"),
    "CompositeObjective": (_COMPOSITE, "CompositeObjective"),
    "Component": (_COMPOSITE, "Component"),
    "SeriesQueries": (_PROMQL, "SeriesQueries"),
    "PrometheusSource": (_PROMQL, "PrometheusSource"),
}
"""The frozen values a cache may hold (name → module, class): nothing else is ever built."""
ENUMS: dict[str, tuple[str, str]] = {
    "BudgetingMethod": (_MODEL, "BudgetingMethod"),
    "NoDataPolicy": (_MODEL, "NoDataPolicy"),
    "CalendarUnit": (_MODEL, "CalendarUnit"),
}
_CODE = ("definitions", "core")  # the subpackages whose modules make the cached values


class UnsupportedValueError(Exception):
    """A value the cache format does not hold (the workspace is then not cached)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Cached:
    """The part of a resolved workspace that ``evaluate`` uses."""

    objectives: tuple[Objective, ...]
    composites: tuple[CompositeObjective, ...]
    reads: tuple[SeriesQueries, ...] = ()  # what evaluate --read reads from Prometheus


def definitions_key(root: Path) -> str | None:
    """The cache key of the workspace folder ``root`` now, or None when a file cannot be read
    (the full load then reports it)."""
    files, problems = discover_files([root])
    if problems:
        return None
    digest = hashlib.sha256()
    for part in (FORMAT, covenant.__version__, sys.version, *_code_stamps()):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    for file in files:
        try:
            if file.stat().st_size > MAX_BYTES:  # refused by the full load: no cache
                return None
            content = file.read_bytes()
            name = file.relative_to(root).as_posix()
        except (OSError, ValueError):
            return None
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _code_stamps() -> list[str]:
    return code_stamps(Path(covenant.__file__).parent)


def code_stamps(package: Path) -> list[str]:
    """``path:size:mtime`` of every module of the subpackages of ``package`` whose code makes
    the cached values (their sub-folders included)."""
    stamps = []
    pending = [package / sub for sub in _CODE]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    name = Path(entry.path).relative_to(package).as_posix()
                    stamps.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return sorted(stamps)


def read_cache(state: Path, *, key: str) -> Cached | None:
    """The cached values under ``key`` in the state folder ``state``, or None (no cache, another
    key, or a file that is not a cache this version wrote)."""
    try:
        text = (state / FILE_NAME).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return decode(text, key=key)
    except Exception:  # a cache is never trusted: any failure is a miss
        return None


def write_cache(state: Path, *, key: str, cached: Cached) -> bool:
    """Write ``cached`` under ``key``; False (and nothing written) when it cannot be encoded or
    the folder cannot be written."""
    try:
        text = encode(cached, key=key)
    except UnsupportedValueError:
        return False
    from covenant.files_left import held_temporary, remove_left  # noqa: PLC0415 - cold runs

    target = state / FILE_NAME
    try:
        remove_left([Path(os.path.realpath(target))])  # what a killed writer left
        handle, temporary = held_temporary(target, target)  # held: never removed as left
    except OSError:
        return False
    try:
        with os.fdopen(handle, "w", encoding="utf-8", closefd=False) as out:
            # as readable as its folder (a temporary file is made private): 0755 gives 0644
            os.fchmod(out.fileno(), state.stat().st_mode & 0o666)
            out.write(text)
        Path(temporary).replace(target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return False
    finally:
        os.close(handle)  # let go only once renamed (or removed)
    return True


def encode(cached: Cached, *, key: str) -> str:
    """``cached`` as the cache's JSON text; raises :class:`UnsupportedValueError` for a value
    it cannot hold exactly."""
    document = {
        "format": FORMAT,
        "key": key,
        "objectives": [_encode(o) for o in cached.objectives],
        "composites": [_encode(c) for c in cached.composites],
        "reads": [_encode(r) for r in cached.reads],
    }
    return json.dumps(document, separators=(",", ":"), allow_nan=False)


def decode(text: str, *, key: str) -> Cached | None:
    """The values in a cache's JSON text, or None when it was written under another key or
    format. Raises on anything malformed (the caller treats it as a miss)."""
    document = json.loads(text)
    if document.get("format") != FORMAT or document.get("key") != key:
        return None
    builders: dict[str, Callable[..., Any]] = {}
    objectives = tuple(_decode(o, builders) for o in document["objectives"])
    composites = tuple(_decode(c, builders) for c in document["composites"])
    reads = tuple(_decode(r, builders) for r in document["reads"])
    if not all(type(o).__name__ == "Objective" for o in objectives):
        raise ValueError("objectives of another type")
    if not all(type(c).__name__ == "CompositeObjective" for c in composites):
        raise ValueError("composites of another type")
    if not all(type(r).__name__ == "SeriesQueries" for r in reads):
        raise ValueError("reads of another type")
    return Cached(objectives=objectives, composites=composites, reads=reads)


_FIELDS: dict[type, tuple[str, tuple[str, ...]]] = {}  # a whitelisted dataclass → its fields
_ENUM_NAMES: dict[type, str] = {}  # a whitelisted enum → its name


def _encode(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is bool:
        return value
    if kind is Fraction:
        return {"Q": [str(value.numerator), str(value.denominator)]}
    if kind is tuple:
        return {"t": [_encode(v) for v in value]}
    known = _FIELDS.get(kind)
    if known is not None:
        name, fields = known
        return {"D": name, "f": {f: _encode(getattr(value, f)) for f in fields}}
    enum = _ENUM_NAMES.get(kind)
    if enum is not None:
        return {"E": enum, "v": value.value}
    if _learn(value):
        return _encode(value)
    return _encode_other(value)


def _learn(value: Any) -> bool:
    """True once ``value``'s class is a whitelisted dataclass or enum (checked once: its
    fields are remembered); False for any other class; raises for one the cache cannot hold."""
    kind = type(value)
    name = kind.__name__
    if isinstance(value, Enum):
        if ENUMS.get(name) != (kind.__module__, name):
            raise UnsupportedValueError(f"enum {name}")
        _ENUM_NAMES[kind] = name
        return True
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if CLASSES.get(name) != (kind.__module__, name):
            raise UnsupportedValueError(f"class {name}")
        fields = dataclasses.fields(value)
        if any(not f.init for f in fields):
            raise UnsupportedValueError(f"class {name} has fields its constructor does not take")
        _FIELDS[kind] = (name, tuple(f.name for f in fields))
        return True
    return False


def _encode_other(value: Any) -> Any:
    if type(value) is float:
        if not math.isfinite(value):
            raise UnsupportedValueError("a float that JSON cannot hold")
        return value
    if type(value) is datetime:
        zone = value.tzinfo
        if zone is UTC and not value.fold:
            return {"T": value.isoformat()}
        if type(zone) is ZoneInfo and zone.key:  # a wall-clock time in a named zone
            return {"Z": [value.replace(tzinfo=None).isoformat(), zone.key, value.fold]}
        raise UnsupportedValueError("a datetime neither in UTC nor in a named zone")
    raise UnsupportedValueError(f"a value of type {type(value).__name__}")


def _decode(value: Any, builders: dict[str, Callable[..., Any]]) -> Any:
    if value is None or type(value) in (bool, int, str, float):
        return value
    if type(value) is not dict or len(value) not in (1, 2):
        raise ValueError("not a cached value")
    if "t" in value:
        return tuple(_decode(v, builders) for v in value["t"])
    if "Q" in value:
        numerator, denominator = value["Q"]
        return Fraction(int(numerator), int(denominator))
    if "T" in value:
        moment = datetime.fromisoformat(value["T"])
        if moment.tzinfo is not UTC:
            raise ValueError("not a UTC instant")
        return moment
    if "Z" in value:
        wall, key, fold = value["Z"]
        moment = datetime.fromisoformat(wall)
        if moment.tzinfo is not None or fold not in (0, 1):
            raise ValueError("not a wall-clock time")
        return moment.replace(tzinfo=ZoneInfo(key), fold=fold)
    if "E" in value:
        return _builder(value["E"], ENUMS, builders)(value["v"])
    if "D" in value:
        fields = {name: _decode(v, builders) for name, v in _items(value["f"])}
        return _builder(value["D"], CLASSES, builders)(**fields)
    raise ValueError("not a cached value")


def _items(fields: Any) -> Iterable[tuple[str, Any]]:
    if type(fields) is not dict:
        raise ValueError("not a cached value")
    return fields.items()


def _builder(
    name: Any, table: dict[str, tuple[str, str]], builders: dict[str, Callable[..., Any]]
) -> Callable[..., Any]:
    found = builders.get(name)
    if found is None:
        module, attribute = table[name]  # KeyError: a name outside the whitelist
        found = builders[name] = getattr(import_module(module), attribute)
    return found
