"""Transitions: shader files in the gl-transitions convention, found, parsed and drawn
between two frame textures.

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

The two frames are display-sized and already composed (fit mode, letterbox, GL row order),
so the wrapper samples them at display uv and every transition works with every fit mode.
"""

from __future__ import annotations

import logging
import math
import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, Union

import moderngl
import numpy as np

from slideshow.easing import Easing, ease, easing_named
from slideshow.errors import SlideshowError
from slideshow.gpu.shaders import _CHECKOUT_SHADERS, shader_source
from slideshow.ken_burns import IDENTITY, View

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
# Mesa writes `1:12(3): error: ...`, NVIDIA `1(12) : error ...`: source string, line, column.
_LOG_LOCATION = re.compile(r"^(?P<source>\d+)(?::(?P<line>\d+)\((?P<col>\d+)\)|\((?P<nline>\d+)\))")
_FRAGMENT_SOURCE, _VERTEX_SOURCE = 1, 2  # `#line` source-string numbers, for error logs
_DEPTH_FAR = 1.0

log = logging.getLogger("slideshow.transitions")


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
    if glsl_type == "int":
        if number != int(number):
            raise ValueError(f"expected a whole number, got {value!r}")
        return int(number)
    return number


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
    try:
        return Path(str(resources.files("slideshow.shaders").joinpath("transitions")))
    except ModuleNotFoundError:
        return _CHECKOUT_SHADERS / "transitions"


def default_user_folder() -> Path:
    """Where a user drops their own transition files (next to config.toml)."""
    import platformdirs

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

    def validate(self, ctx: moderngl.Context) -> dict[Path, str]:
        """Compiles every file once; files that do not compile are dropped (one log line
        each) and returned with their errors. Costs a compile per file: start-up only."""
        broken: dict[Path, str] = {}
        checked: set[Path] = set()
        for transition in list(self._transitions.values()):
            if transition.path in checked:
                continue
            checked.add(transition.path)
            try:
                build_program(ctx, transition).release()
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


# ---- GL -------------------------------------------------------------------------------

def _wrap(template: str, source: str, source_number: int, define: str = "") -> str:
    """`template` with `source` pasted at its `#pragma transition_source` line; `#line`
    directives make compile logs count lines in the transition's own file."""
    lines = template.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "#pragma transition_source")
    pasted = [define, f"#line 1 {source_number}", source.rstrip("\n"), f"#line {at + 2} 0"]
    return "\n".join([*lines[:at], *filter(None, pasted), *lines[at + 1:]]) + "\n"


def build_program(ctx: moderngl.Context, transition: Transition) -> moderngl.Program:
    """Compiles `transition` inside the wrapper; raises TransitionError with the compile
    log, its locations written as `FILE:LINE:COLUMN`."""
    fragment = _wrap(shader_source("transition_wrapper.frag.glsl"), transition.source,
                     _FRAGMENT_SOURCE)
    stage = transition.vertex
    vertex = _wrap(shader_source("transition_wrapper.vert.glsl"),
                   stage.source if stage else "", _VERTEX_SOURCE,
                   "#define TRANSITION_VERTEX_STAGE" if stage else "")
    try:
        return ctx.program(vertex_shader=vertex, fragment_shader=fragment)
    except moderngl.Error as exc:
        files = {_FRAGMENT_SOURCE: transition.path, _VERTEX_SOURCE: stage.path if stage else None}
        raise TransitionError(f"transition {transition.name!r} ({transition.path}) does not "
                              f"compile:\n{_readable_log(str(exc), files)}") from None


def _readable_log(text: str, files: Mapping[int, Path | None]) -> str:
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or set(line) == {"="} or line.endswith(("failed", "_shader")):
            continue
        match = _LOG_LOCATION.match(line)
        path = files.get(int(match["source"])) if match else None
        if match and path is not None:
            where = f"{path}:{match['line'] or match['nline']}"
            where += f":{match['col']}" if match["col"] else ""
            rest = line[match.end():]
            if rest.lstrip().startswith(":"):  # NVIDIA writes "0(3) : error", Mesa "0:3(12): error"
                rest = rest.lstrip()
            line = where + rest
        lines.append("  " + line)
    return "\n".join(lines) or "  (the driver gave no log)"


def frame_texture(ctx: moderngl.Context, rgba: np.ndarray) -> moderngl.Texture:
    """A frame texture from (h, w, 4) uint8 pixels, top row first (as PhotoPass composes:
    GL's bottom-up row order). For tests and stills; the show's frames come from PhotoPass."""
    height, width = rgba.shape[:2]
    return ctx.texture((width, height), 4, np.ascontiguousarray(rgba[::-1]).tobytes())


class TransitionPass:
    """One transition's program, ready to draw between two frame textures."""

    def __init__(self, ctx: moderngl.Context, transition: Transition,
                 params: Mapping[str, Any] | None = None,
                 easing: str | Easing = "linear") -> None:
        self.ctx = ctx
        self.transition = transition
        self._ease = easing_named(easing) if isinstance(easing, str) else (lambda t: ease(easing, t))
        self._program = build_program(ctx, transition)
        self._vao = ctx.vertex_array(self._program, [])
        # Clamp to the edge, as WebGL does for the public collection's files: a transition
        # that samples just outside 0..1 sees the border, not the opposite side.
        self._sampler = ctx.sampler(repeat_x=False, repeat_y=False)
        self._set_uniform("from_frame", 0)
        self._set_uniform("to_frame", 1)
        self.values: dict[str, Value] = {}
        self.set_params(params or {})
        self._target: moderngl.Framebuffer | None = None  # colour + depth, geometry only

    def set_params(self, params: Mapping[str, Any]) -> None:
        """Sets parameters (unnamed ones go back to their defaults)."""
        self.values = self.transition.resolve(params)
        for name, value in self.values.items():
            self._set_uniform(name, value)

    def _set_uniform(self, name: str, value: Value) -> None:
        member = self._program.get(name, None)
        if member is not None:  # the compiler drops uniforms a transition never reads
            member.value = value

    def draw(self, from_tex: moderngl.Texture, to_tex: moderngl.Texture, progress: float,
             ratio: float | None = None, from_view: View = IDENTITY,
             to_view: View = IDENTITY, audio_energy: float = 0.0) -> None:
        """Draws the transition at `progress` (0..1, before easing) into the bound
        framebuffer's viewport; `ratio` defaults to the viewport's width / height. The
        views (Ken Burns) say which part of each frame is shown: x, y, width, height;
        `audio_energy` (0..1) reaches the transitions that read it."""
        width, height = self.ctx.fbo.viewport[2:]
        self._set_uniform("progress", self._ease(progress))
        self._set_uniform("ratio", width / height if ratio is None else ratio)
        self._set_uniform("from_view", from_view)
        self._set_uniform("to_view", to_view)
        self._set_uniform("audio_energy", audio_energy)
        from_tex.use(0)
        to_tex.use(1)
        self._sampler.use(0)
        self._sampler.use(1)
        try:
            if self.transition.vertex is None:
                self._vao.render(moderngl.TRIANGLES, vertices=3)
            else:
                self._draw_geometry(self.transition.vertex, (width, height))
        finally:
            self._sampler.clear(0)
            self._sampler.clear(1)

    def _draw_geometry(self, stage: VertexStage, size: tuple[int, int]) -> None:
        target = self._target_sized(size)
        previous = self.ctx.fbo
        target.use()
        target.clear(0.0, 0.0, 0.0, 1.0, depth=_DEPTH_FAR)
        self.ctx.enable(moderngl.DEPTH_TEST)
        try:
            self._vao.render(moderngl.TRIANGLES, vertices=stage.vertices,
                             instances=stage.instance_count(self.values))
        finally:
            self.ctx.disable(moderngl.DEPTH_TEST)
            previous.use()
        self.ctx.copy_framebuffer(previous, target)

    def _target_sized(self, size: tuple[int, int]) -> moderngl.Framebuffer:
        if self._target is not None and self._target.size == size:
            return self._target
        self._release_target()
        self._target = self.ctx.framebuffer(color_attachments=[self.ctx.texture(size, 4)],
                                            depth_attachment=self.ctx.depth_renderbuffer(size))
        return self._target

    def _release_target(self) -> None:
        if self._target is not None:
            for attachment in (*self._target.color_attachments, self._target.depth_attachment):
                attachment.release()
            self._target.release()
            self._target = None

    def release(self) -> None:
        self._release_target()
        self._sampler.release()
        self._vao.release()
        self._program.release()


def render_stills(ctx: moderngl.Context, transition: Transition, from_rgba: np.ndarray,
                  to_rgba: np.ndarray, progresses: Sequence[float],
                  params: Mapping[str, Any] | None = None,
                  easing: str | Easing = "linear") -> list[np.ndarray]:
    """`transition` drawn between two (h, w, 4) images of one size at each progress, into
    an offscreen target; each still is (h, w, 4) uint8, top row first. Leaves the bound
    framebuffer bound."""
    height, width = from_rgba.shape[:2]
    previous = ctx.fbo
    textures = [frame_texture(ctx, from_rgba), frame_texture(ctx, to_rgba)]
    colour = ctx.texture((width, height), 4)
    target = ctx.framebuffer(color_attachments=[colour])
    transition_pass = TransitionPass(ctx, transition, params, easing)
    try:
        stills = []
        for progress in progresses:
            target.use()
            target.clear(0.0, 0.0, 0.0, 1.0)
            transition_pass.draw(*textures, progress)
            pixels = np.frombuffer(target.read(components=4), np.uint8)
            stills.append(pixels.reshape(height, width, 4)[::-1].copy())
        return stills
    finally:
        if previous is not None and not isinstance(previous.mglo, moderngl.InvalidObject):
            previous.use()
        transition_pass.release()
        target.release()
        for texture in (colour, *textures):
            texture.release()
