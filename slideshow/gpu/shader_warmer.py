"""A low-priority process that fills the driver's on-disk shader cache with the show's
transitions, so that making one ready on the render thread (slideshow/gpu/transition_deck.py)
costs milliseconds even on a cold cache.

Why a process: a driver compiles a program for real at its first draw, on the drawing
thread. On llvmpipe (Mesa 22.3, 2 cores, 1280x720) that JIT took 100-820 ms per transition
with a cold cache, 2.4-3.9 s for the 38; Mesa then keeps the result on disk (as NVIDIA's
driver does), where another process finds it: after this process had drawn them all, the
show's own first draws cost 2-4 ms more than later ones, instead of 2.4-2.8 s more in all.
A thread of the show would hold the GIL through each JIT; a process at nice 19 and
SCHED_IDLE (as the image workers) takes only time no one else wants.

What has to match: Mesa's cache is keyed by the variant the draw needs, and llvmpipe's key
holds the target's format and whether each sampled texture's sides are powers of two.
Measured: a warmer drawing into an EGL renderbuffer served a headless show but not a
windowed one (2.8 s of JIT again: a window's back buffer has another format); one drawing
into its own hidden glfw window on the same display served it; textures of 64x64 did not
serve frames of 1280x720. So this process draws into a surface of the show's kind, between
two frame textures of the display's size, through the same TransitionPass as the show.

Lifecycle: the deck starts it at its first step (a photo is then on screen: it never
competes with the first photo's decode); it dies with its parent, ignores Ctrl-C (the
parent stops it), stops after `WARMER_MAX_S`, and sends back the index of each transition
it has drawn over a pipe the render thread polls without waiting; the pipe's end says it
is gone. `close()` ends and reaps it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from slideshow.errors import SlideshowError
from slideshow.gpu.headless import HeadlessSurface
from slideshow.gpu.surface import Surface
from slideshow.gpu.transition_deck import WARM_VIEWPORT, load_pool
from slideshow.gpu.transitions import TransitionPass
from slideshow.gpu.window import WindowSurface
from slideshow.transitions.files import TransitionError
from slideshow.workers.processes import die_with_parent, lowest_priority, stop_processes

log = logging.getLogger(__name__)

# On a cold cache the 38 took 2.4-3.9 s of CPU here; at SCHED_IDLE on a busy machine it
# gets less. Past this, the render thread compiles what is left itself (forced steps).
WARMER_MAX_S = 60.0
_WINDOW_SIZE = (16, 16)  # its own window's: the frames, not the target, set the texture key


class ShaderWarmer:
    """The warmer of one display: what to draw, in the show's order (`names`), for a
    surface of `kind` ("window" or "headless") and frames of `size`; the pool's settings
    are the config's, read again in the process."""

    def __init__(self, kind: str, size: tuple[int, int], names: list[str],
                 pool: tuple[str, ...], folder: str = "", params: tuple[str, ...] = (),
                 max_s: float = WARMER_MAX_S, scaled: bool = False) -> None:
        """`scaled`: the show also draws transitions into an RGBA8 texture (the governor's
        scaled target, slideshow/gpu/scaled_target.py), another variant to warm."""
        self._args: tuple[Any, ...] = (kind, tuple(size), list(names), pool, folder, params,
                                       max_s, scaled)
        self._names = list(names)
        self._process: BaseProcess | None = None
        self._reader: Connection | None = None
        self._finished: set[str] = set()
        self._ended = False

    def start(self) -> None:
        """Starts the process, once (later calls do nothing); on failure it counts as ended."""
        if self._process is not None or self._ended:
            return
        context = multiprocessing.get_context("spawn")
        reader, writer = context.Pipe(duplex=False)
        process = context.Process(target=run_warmer, name="slideshow-shader-warmer", daemon=True,
                                  args=(*self._args, writer, os.getpid()))
        try:
            process.start()
        except OSError as exc:  # out of memory or file descriptors: the deck compiles itself
            log.warning("the shader warmer could not be started (%s); transitions are "
                        "compiled on the render thread", exc)
            reader.close()
            self._ended = True
            return
        finally:
            writer.close()  # the child's copy alone: its end is the pipe's end
        self._process, self._reader = process, reader

    @property
    def running(self) -> bool:
        """False once it has ended (done, failed, out of time or closed), as `finished`
        last saw; True before it starts."""
        return not self._ended

    def finished(self) -> set[str]:
        """The transitions it has drawn so far; never waits."""
        reader = self._reader
        if reader is None:
            return self._finished
        try:
            while reader.poll(0):
                self._finished.add(self._names[reader.recv()])
        except (EOFError, OSError):
            reader.close()
            self._reader, self._ended = None, True
        return self._finished

    def close(self) -> None:
        """Ends the process if it still runs, and reaps it."""
        if self._process is not None:
            stop_processes([(self._process, None)], timeout_s=0.0)
            self._process = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._ended = True


def run_warmer(kind: str, size: tuple[int, int], names: list[str], pool: tuple[str, ...],
               folder: str, params: tuple[str, ...], max_s: float, scaled: bool,
               conn: Connection, parent_pid: int) -> None:
    """The process's entry: draws each of `names` once, sending its index when done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lowest_priority()
    if not die_with_parent(parent_pid):
        return
    deadline_s = time.monotonic() + max_s
    try:
        surface: Surface = (HeadlessSurface(_WINDOW_SIZE) if kind == "headless" else
                            WindowSurface(_WINDOW_SIZE, False, "slideshow shader warmer",
                                          visible=False))
    except SlideshowError:
        conn.close()
        return  # the render thread compiles on its own
    try:
        # The parent checked the pool; the files are read again here, not compiled twice.
        transitions = {t.name: t for t in load_pool(pool, folder, params)}
        ctx = surface.ctx
        frames = [ctx.texture(size, 4) for _ in range(2)]
        offscreen = ctx.framebuffer(color_attachments=[ctx.texture(_WINDOW_SIZE, 4)]) \
            if scaled else None
        for index, name in enumerate(names):
            if time.monotonic() > deadline_s:
                break
            surface.use()
            try:
                transition_pass = TransitionPass(ctx, transitions[name])
            except (KeyError, TransitionError):
                continue  # the render thread reports it
            transition_pass.warm_up(frames[0], frames[1], WARM_VIEWPORT)
            if offscreen is not None:
                offscreen.use()
                transition_pass.warm_up(frames[0], frames[1], WARM_VIEWPORT)
            ctx.finish()
            transition_pass.release()
            conn.send(index)
    except (SlideshowError, OSError):
        pass  # the parent is gone, or the files changed: what is done is done
    finally:
        conn.close()
        surface.release()
