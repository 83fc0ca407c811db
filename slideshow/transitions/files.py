"""Transition files: shader files in the gl-transitions convention, found and parsed into
`Transition`s (with their parameters, variants, durations and vertex stages), and the
library of them; slideshow/gpu/transitions.py compiles and draws them.

A transition file (`NAME.glsl`) defines `vec4 transition(vec2 uv)`, reads pixels only
through `getFromColor(uv)` / `getToColor(uv)` and may use `progress` (0..1, eased) and
`ratio` (width / height). Parameters are uniforms with their default in a comment, in any
of the forms the public collection uses: `uniform float smoothness; // = 0.5`,
`uniform vec3 color /* = vec3(0.9, 0.4, 0.2) */;`, `uniform ivec2 size; // = ivec2(10, 10)`.
A file from the public collection works unchanged. Comments this project adds, all
optional and ignored elsewhere:

  `// variant NAME: param = value; param = value`  one selectable transition per line,
      named `FILE-NAME` (slide-left, wipe-down-right); a file with variants has no plain name.
  `// duration_s: 2.0`  the transition's own length, instead of the show's transition_s.

A transition that draws geometry has a vertex stage beside it, `NAME.vert.glsl`, with
`// vertices: N` (vertices per instance) and `// instances: K` (a whole number, or the name
of an int / ivecN parameter whose components multiply). It is compiled after the
definitions of shaders/transition_wrapper.vert.glsl, builds its vertices from
gl_VertexID / gl_InstanceID, writes gl_Position and `transition_uv`, may declare
parameters too, and is drawn with a depth test into a colour + depth target this pass owns,
then copied to the bound framebuffer (which has no depth buffer of its own).
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, Union

import platformdirs

from slideshow.errors import SlideshowError
from slideshow.shader_files import shader_path

Value = Union[float, int, bool, tuple]
T = TypeVar("T")

_SCALARS: dict[str, type] = {"float": float, "int": int, "bool": bool}
_VECTORS: dict[str, tuple[type, int]] = {
    f"{prefix}vec{n}": (kind, n) for prefix, kind in (("", float), ("i", int)) for n in (2, 3, 4)}
_WRAPPER_UNIFORMS = ("progress", "ratio")
_UNIFORM = re.compile(
    r"^[ \t]*uniform\s+(?P<type>\w+)\s+(?P<name>\w+)\s*(?:/\*\s*=\s*(?P<block>.*?)\s*\*/\s*)?;"
    r"(?:[ \t]*//(?:[ \t]*=[ \t]*(?P<line>[^;\n]*?)[ \t]*(?:;[^\n]*)?|[^\n]*))?[ \t]*$", re.M)
_VARIANT = re.compile(r"^[ \t]*//[ \t]*variant[ \t]+(?P<name>[\w-]+)[ \t]*:(?P<values>.*)$", re.M)
_DURATION = re.compile(r"^[ \t]*//[ \t]*duration_s[ \t]*[:=][ \t]*(?P<value>[0-9.]+)", re.M)
_VERTICES = re.compile(r"^[ \t]*//[ \t]*vertices[ \t]*:[ \t]*(?P<value>\d+)", re.M)
_INSTANCES = re.compile(r"^[ \t]*//[ \t]*instances[ \t]*:[ \t]*(?P<value>\w+)", re.M)
_CONSTRUCTOR = re.compile(r"^(?P<type>i?vec[234])\s*\((?P<args>.*)\)$", re.S)

log = logging.getLogger("slideshow.transitions")

MAX_DURATION_S = 60.0  # a transition's own duration_s: as long as show.transition_s may be


class TransitionError(SlideshowError):
    """A transition file cannot be used; the message names the file and the reason."""


@dataclass(frozen=True)
class Parameter:
    """One `uniform TYPE name; // = default` of a transition."""

    name: str
    type: str  # the GLSL type: float, int, bool, vec2..4, ivec2..4
    default: Value

    def coerce(self, value: Any) -> Value:
        """`value` (a number, bool, sequence or GLSL-style text) as this parameter's type;
        raises ValueError saying what was expected."""
        if isinstance(value, str):
            return parse_value(self.type, value)
        if self.type in _SCALARS:
            return _scalar(self.type, value)
        kind, size = _VECTORS[self.type]
        items = [value] * size if isinstance(value, (int, float)) else list(value)
        if len(items) != size:
            raise ValueError(f"expected {size} numbers for {self.type}, got {len(items)}")
        return tuple(_scalar("int" if kind is int else "float", item) for item in items)


@dataclass(frozen=True)
class VertexStage:
    """A transition's own vertex stage (`NAME.vert.glsl`) and how many vertices it draws."""

    path: Path
    source: str
    vertices: int  # per instance
    instances: str  # a whole number, or the name of an int / ivecN parameter

    def instance_count(self, values: Mapping[str, Value]) -> int:
        if self.instances.isdigit():
            return int(self.instances)
        value = values[self.instances]
        return max(0, math.prod(value) if isinstance(value, tuple) else int(value))


@dataclass(frozen=True)
class Transition:
    """One selectable transition: a file (or one variant of it) with its parameters."""

    name: str
    path: Path
    source: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)
    duration_s: float | None = None  # None: the show's transition_s
    vertex: VertexStage | None = None
    family: str = ""  # the file's stem: shared by all variants of one file

    def with_overrides(self, params: Mapping[str, Any] | None = None,
                       duration_s: float | None = None) -> "Transition":
        """This transition with other parameter defaults and / or another duration."""
        if duration_s is not None and not 0.0 <= duration_s <= MAX_DURATION_S:  # NaN too
            raise TransitionError(f"transition {self.name!r}: duration_s must be a number of "
                                  f"seconds in 0..{MAX_DURATION_S:g}, got {duration_s!r}")
        values = self.resolve(params or {})
        parameters = {name: replace(p, default=values[name]) for name, p in self.parameters.items()}
        return replace(self, parameters=parameters,
                       duration_s=self.duration_s if duration_s is None else duration_s)

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Value]:
        """The parameter values with `params` applied; raises TransitionError naming the
        transition and the parameter for an unknown name or a bad value."""
        values = {name: p.default for name, p in self.parameters.items()}
        for name, value in params.items():
            if name not in self.parameters:
                known = ", ".join(self.parameters) or "none"
                raise TransitionError(f"transition {self.name!r} has no parameter {name!r} "
                                      f"(its parameters: {known})")
            try:
                values[name] = self.parameters[name].coerce(value)
            except (TypeError, ValueError) as exc:
                raise TransitionError(f"transition {self.name!r}, parameter {name!r} "
                                      f"({self.parameters[name].type}): {exc}") from None
        return values


# ---- values ---------------------------------------------------------------------------

def _scalar(glsl_type: str, value: Any) -> Value:
    if glsl_type == "bool":
        if isinstance(value, str):
            if value.strip() not in ("true", "false"):
                raise ValueError(f"expected true or false, got {value!r}")
            return value.strip() == "true"
        return bool(value)
    number = float(value.strip().rstrip("fF")) if isinstance(value, str) else float(value)
    if not math.isfinite(number):  # a NaN uniform draws garbage, an infinite int cannot be
        raise ValueError(f"expected a finite number, got {value!r}")
    if glsl_type == "int":
        if number != int(number):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(number)
    return number


def split_setting(setting: str) -> tuple[str, str, str]:
    """One `transitions.params` item, NAME.PARAMETER=VALUE, as (NAME, PARAMETER, VALUE).
    Raises ValueError naming the item when it has not that form, when a duration_s is no
    number of seconds in 0..MAX_DURATION_S, or when VALUE holds NaN or an infinity. Whether
    NAME and PARAMETER exist, and VALUE's type, are known only once the library is loaded
    (slideshow/gpu/transition_deck.py's apply_settings)."""
    target, _, value = setting.partition("=")
    name, _, parameter = target.strip().rpartition(".")
    value = value.strip()
    if not name or not parameter or not value:
        raise ValueError(f"{setting!r} is not NAME.PARAMETER=VALUE, e.g. wipe-left.softness=0.2")
    for token in re.split(r"[\s,()]+", value):
        try:
            number = float(token)
        except ValueError:
            continue  # vec2, true, or a typo the parameter's type refuses later
        if not math.isfinite(number):
            raise ValueError(f"{setting!r}: {token} is not a finite number")
    if parameter == "duration_s":
        try:
            duration_s = float(value)
        except ValueError:
            duration_s = math.nan
        if not 0.0 <= duration_s <= MAX_DURATION_S:
            raise ValueError(f"{setting!r}: duration_s must be a number of seconds in "
                             f"0..{MAX_DURATION_S:g}")
    return name, parameter, value


def parse_value(glsl_type: str, text: str) -> Value:
    """A GLSL literal as Python: `0.5`, `.5`, `true`, `vec2(0.5, 0.5)`, `vec3(0.0)`,
    `ivec2(10,10)`; a vector may also be written as plain numbers, `1, 0`."""
    text = text.split("//")[0].strip().rstrip(";").strip()
    if glsl_type in _SCALARS:
        return _scalar(glsl_type, text)
    if glsl_type not in _VECTORS:
        raise ValueError(f"parameters of type {glsl_type} are not supported")
    match = _CONSTRUCTOR.match(text)
    if match and match["type"][-1] != glsl_type[-1]:
        raise ValueError(f"expected {glsl_type}(...), got {text!r}")
    args = [a for a in re.split(r"[,\s]+", match["args"] if match else text) if a]
    if len(args) == 1:
        args = args * _VECTORS[glsl_type][1]
    return Parameter("", glsl_type, ()).coerce(args)


def format_value(glsl_type: str, value: Value) -> str:
    """`value` written as GLSL: `0.5`, `true`, `vec2(1.0, 0.0)`."""
    if isinstance(value, tuple):
        return f"{glsl_type}({', '.join(format_value('', item) for item in value)})"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# ---- files ----------------------------------------------------------------------------

def load_file(path: Path) -> list[Transition]:
    """The transitions one file defines: the file itself, or one per `// variant` line.
    Raises TransitionError naming the file (and line) for anything it cannot use."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TransitionError(f"transition file {path} cannot be read: {exc}") from None
    if not re.search(r"\btransition\s*\(", source):
        raise TransitionError(f"transition file {path} defines no `vec4 transition(vec2 uv)`")
    source, parameters = _parameters(path, source)
    vertex = _vertex_stage(path, parameters)
    duration = _DURATION.search(source)
    family = path.name.removesuffix(".glsl")
    base = Transition(family, path, source, parameters,
                      float(duration["value"]) if duration else None, vertex, family)
    variants = list(_VARIANT.finditer(source))
    if not variants:
        return [base]
    transitions = []
    for match in variants:
        values = dict(_assignment(path, item) for item in match["values"].split(";") if item.strip())
        name = f"{family}-{match['name']}"
        try:
            transitions.append(replace(base, name=name).with_overrides(values))
        except TransitionError as exc:
            raise TransitionError(f"{path}: variant {match['name']!r}: {exc}") from None
    return transitions


def _assignment(path: Path, text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise TransitionError(f"{path}: variant values are `name = value`, got {text.strip()!r}")
    return name.strip(), value.strip()


def _parameters(path: Path, source: str) -> tuple[str, dict[str, Parameter]]:
    """The file's parameters, and its source with any declaration of the wrapper's own
    uniforms (progress, ratio) blanked, keeping the line numbers."""
    parameters: dict[str, Parameter] = {}
    for match in reversed(list(_UNIFORM.finditer(source))):
        glsl_type, name = match["type"], match["name"]
        line = source.count("\n", 0, match.start()) + 1
        if name in _WRAPPER_UNIFORMS:
            source = source[:match.start()] + f"// (uniform {name}: declared by the wrapper)" \
                + source[match.end():]
            continue
        if glsl_type.startswith("sampler"):
            raise TransitionError(f"{path}:{line}: texture parameters ({glsl_type} {name}) "
                                  "are not supported")
        if glsl_type not in _SCALARS and glsl_type not in _VECTORS:
            raise TransitionError(f"{path}:{line}: parameter {name!r} has type {glsl_type}; "
                                  f"supported: {', '.join([*_SCALARS, *_VECTORS])}")
        text = match["block"] or match["line"]
        try:
            default = parse_value(glsl_type, text) if text else _zero(glsl_type)
        except ValueError as exc:
            raise TransitionError(f"{path}:{line}: default of {name!r}: {exc}") from None
        parameters[name] = Parameter(name, glsl_type, default)
    return source, dict(reversed(parameters.items()))


def _zero(glsl_type: str) -> Value:
    if glsl_type in _SCALARS:
        return _SCALARS[glsl_type](0)
    kind, size = _VECTORS[glsl_type]
    return (kind(0),) * size


def _vertex_stage(path: Path, parameters: dict[str, Parameter]) -> VertexStage | None:
    vertex_path = path.with_name(path.name.removesuffix(".glsl") + ".vert.glsl")
    if not vertex_path.is_file():
        return None
    source = vertex_path.read_text(encoding="utf-8")
    vertices, instances = _VERTICES.search(source), _INSTANCES.search(source)
    if not vertices:
        raise TransitionError(f"vertex stage {vertex_path} needs a `// vertices: N` line")
    source, own = _parameters(vertex_path, source)
    for name, parameter in own.items():
        if name in parameters and parameters[name].type != parameter.type:
            raise TransitionError(f"{vertex_path}: parameter {name!r} is {parameter.type} here "
                                  f"but {parameters[name].type} in {path}")
        parameters.setdefault(name, parameter)
    count = instances["value"] if instances else "1"
    if not count.isdigit() and count not in parameters:
        raise TransitionError(f"{vertex_path}: `// instances: {count}` is neither a number "
                              "nor a parameter")
    return VertexStage(vertex_path, source, int(vertices["value"]), count)


def builtin_folder() -> Path:
    """The built-in transitions: `transitions/` in the slideshow.shaders package."""
    return Path(str(shader_path("transitions")))


def default_user_folder() -> Path:
    """Where a user drops their own transition files (next to config.toml)."""
    return Path(platformdirs.user_config_dir("slideshow")) / "transitions"


def transition_files(folder: Path | None) -> list[Path]:
    """The transition files in `folder` (sorted; vertex stages and hidden files left out)."""
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(p for p in Path(folder).glob("*.glsl")
                  if not p.name.endswith(".vert.glsl") and not p.name.startswith("."))


class TransitionLibrary:
    """Every transition available: the built-ins, then a user folder, then files named
    explicitly (a later file with the same name replaces an earlier one). A file that
    cannot be used is skipped with one log line and kept in `failures`."""

    def __init__(self, user_folder: Path | None = None, files: Iterable[Path] = (), *,
                 builtin: bool = True) -> None:
        self._transitions: dict[str, Transition] = {}
        self.failures: dict[Path, str] = {}  # file -> why it was skipped
        for path in [*(transition_files(builtin_folder()) if builtin else []),
                     *transition_files(user_folder), *files]:
            self.add_file(path)

    def add_file(self, path: Path) -> list[Transition]:
        """Loads one file's transitions; on failure logs one line and returns []."""
        try:
            transitions = load_file(Path(path))
        except TransitionError as exc:
            self.failures[Path(path)] = str(exc)
            log.warning("skipping transition file %s: %s", path, _first_line(str(exc)))
            return []
        for transition in transitions:
            self._transitions[transition.name] = transition
        return transitions

    def validate(self, compile_check: Callable[[Transition], None], *,
                 builtin: bool = True) -> dict[Path, str]:
        """Runs `compile_check` (gpu/transitions.py's `check_compiles`: it raises
        TransitionError) on one transition of every file (`builtin` False: of every file
        but the built-in ones); files that fail are dropped (one log line each) and
        returned with their errors. A compile per file: start-up only."""
        broken: dict[Path, str] = {}
        checked: set[Path] = set()
        shipped = builtin_folder()
        for transition in list(self._transitions.values()):
            if transition.path in checked or (not builtin and transition.path.parent == shipped):
                continue
            checked.add(transition.path)
            try:
                compile_check(transition)
            except TransitionError as exc:
                broken[transition.path] = str(exc)
                log.warning("skipping transition file %s: %s", transition.path,
                            _first_line(str(exc).split("\n", 1)[-1]))
        self._transitions = {n: t for n, t in self._transitions.items() if t.path not in broken}
        self.failures.update(broken)
        return broken

    def __iter__(self) -> Iterator[Transition]:
        return iter(self._transitions.values())

    def __len__(self) -> int:
        return len(self._transitions)

    def __contains__(self, name: object) -> bool:
        return name in self._transitions

    @property
    def names(self) -> list[str]:
        return list(self._transitions)

    def get(self, name: str) -> Transition:
        try:
            return self._transitions[name]
        except KeyError:
            raise TransitionError(f"no transition named {name!r}; available: "
                                  f"{', '.join(self._transitions)}") from None

    def select(self, specs: Iterable[str]) -> list[Transition]:
        """The transitions `specs` name, in order, each once: a name (`wipe-left`), a file's
        name for all its variants (`wipe`), or the path of a .glsl file (loaded now)."""
        chosen: dict[str, Transition] = {}
        for spec in specs:
            if spec in self._transitions:
                found = [self._transitions[spec]]
            elif family := [t for t in self._transitions.values() if t.family == spec]:
                found = family
            elif spec.endswith(".glsl") or Path(spec).is_file():
                found = load_file(Path(spec))
                for transition in found:
                    self._transitions[transition.name] = transition
            else:
                raise TransitionError(f"no transition named {spec!r} and no such file; "
                                      f"available: {', '.join(self._transitions)}")
            chosen.update((t.name, t) for t in found)
        return list(chosen.values())


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text)


def choose(rng: random.Random, pool: Sequence[T], previous: T | None = None) -> T:
    """A random member of `pool`, never `previous` again unless it is the only one."""
    if not pool:
        raise TransitionError("the transition pool is empty")
    candidates = [item for item in pool if item != previous] or list(pool)
    return candidates[rng.randrange(len(candidates))]
