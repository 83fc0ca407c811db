"""Texture uploads that never stall a frame: a ring of pixel-unpack buffers, strips, fences.

`texture.write(bytes)` makes the driver copy the whole photo inside the call (3.1 ms for
a 3840x2160 RGBA photo on an H100, longer on llvmpipe), and a naive PBO path
(`buffer.write` + `texture.write(buffer)`) adds a second copy (8.2 ms there). Here:

1. `begin` maps a free buffer (invalidated: the driver may hand out fresh storage, which
   is the orphaning), copies the pixels into it once, straight from the shared-memory
   ring slot, and unmaps it. The slot can be released as soon as `begin` returns.
   `flip_rows` copies the rows in reverse in the same pass, so a top-row-first photo
   lands in GL's bottom-up order at no extra cost. That one copy is memory bandwidth:
   33 MB for 3840x2160 RGBA took 4-6 ms on the 2-core llvmpipe machine, over budget in
   one frame; `begin(copy_budget_s=...)` spreads it over the next pumps instead (the
   buffer stays mapped meanwhile, and the slot is held until `job.copied`).
2. `pump` issues `glTexSubImage2D` from the bound buffer in row strips, as many as the
   frame's budget allows (sized from the measured cost of recent strips, and at least one
   strip a call so every upload progresses), then a fence after the last strip.
3. A job is `ready` once its fence has signalled, polled with a zero timeout; only then is
   its buffer reused. When every buffer waits on its fence, `begin` returns None and the
   caller tries again next frame: nothing here ever waits.

GL state: every call leaves GL_PIXEL_UNPACK_BUFFER unbound and the unpack state at GL's
defaults (alignment 4, row length and skips 0); moderngl sets the alignment itself before
each of its transfers. Textures are bound, like moderngl's own `texture.write` does, on
`ctx.default_texture_unit`, which stays the active unit afterwards.
"""

from __future__ import annotations

import ctypes
import functools
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import moderngl
import numpy as np

from slideshow.gpu import gl_calls
from slideshow.gpu.gl_calls import GlCalls

_MAP_FLAGS = (gl_calls.GL_MAP_WRITE_BIT | gl_calls.GL_MAP_INVALIDATE_BUFFER_BIT
              # The buffer is reused only after its fence: the GPU is done with it, so the
              # driver need not check (and must not wait).
              | gl_calls.GL_MAP_UNSYNCHRONIZED_BIT)
_FORMATS = {3: gl_calls.GL_RGB, 4: gl_calls.GL_RGBA}
_COST_WINDOW = 4  # strips whose measured cost sizes the next strip
_COPY_CHUNK_BYTES = 1 << 18  # a budgeted copy checks the clock after each 256 KiB (~30 us)


class Fence(Protocol):
    def signalled(self) -> bool: ...

    def delete(self) -> None: ...


class GlFence:
    """A GL sync object after the commands issued so far; polled, never waited on."""

    __slots__ = ("_gl", "_sync", "_signalled")

    def __init__(self, gl: GlCalls) -> None:
        self._gl = gl
        self._sync = gl.glFenceSync(gl_calls.GL_SYNC_GPU_COMMANDS_COMPLETE, 0)
        if not self._sync:
            raise RuntimeError(f"glFenceSync failed (GL error 0x{gl.glGetError():04x})")
        self._signalled = False

    def signalled(self) -> bool:
        """Whether the GPU has passed the fence (timeout 0; flushes so it gets there)."""
        if self._signalled or self._sync is None:
            return self._signalled
        status = self._gl.glClientWaitSync(self._sync, gl_calls.GL_SYNC_FLUSH_COMMANDS_BIT, 0)
        if status == gl_calls.GL_WAIT_FAILED:
            raise RuntimeError(f"glClientWaitSync failed (GL error 0x{self._gl.glGetError():04x})")
        self._signalled = status in (gl_calls.GL_ALREADY_SIGNALED, gl_calls.GL_CONDITION_SATISFIED)
        return self._signalled

    def delete(self) -> None:
        if self._sync is not None:
            self._gl.glDeleteSync(self._sync)
            self._sync = None


class UploadJob:
    """One photo on its way into a texture region; `ready` once the GPU has it."""

    __slots__ = ("texture", "x", "y", "width", "height", "components", "rows_copied",
                 "rows_issued", "ready", "_buffer_index", "_fence", "_source", "_mapped")

    def __init__(self, texture: moderngl.Texture, x: int, y: int, width: int, height: int,
                 components: int, buffer_index: int) -> None:
        self.texture = texture
        self.x, self.y = x, y  # texel offset of the photo's first row (GL: bottom-up)
        self.width, self.height = width, height  # in pixels
        self.components = components  # 3 (RGB) or 4 (RGBA)
        self.rows_copied = 0  # rows copied into the buffer so far
        self.rows_issued = 0  # rows handed to glTexSubImage2D so far
        self.ready = False  # the fence after the last strip has signalled
        self._buffer_index = buffer_index
        self._fence: Fence | None = None
        self._source: np.ndarray | None = None  # the pixels (rows in buffer order) until copied
        self._mapped: np.ndarray | None = None  # the mapped buffer while copying

    @property
    def copied(self) -> bool:
        """Whether the pixels are all in the buffer: their memory may be freed."""
        return self._source is None

    @property
    def row_bytes(self) -> int:
        return self.width * self.components

    def __repr__(self) -> str:
        state = ("ready" if self.ready else f"{self.rows_issued}/{self.height} rows issued"
                 if self.copied else f"{self.rows_copied}/{self.height} rows copied")
        return f"<UploadJob {self.width}x{self.height}x{self.components} at {self.x},{self.y} {state}>"


_WARM_UP_BUDGET_S = 1.0  # per pump while warming up: the whole image in one strip


class TextureUploader:
    """Owns `buffers` pixel-unpack buffers of `max_bytes` each and the jobs in them.

    `fence_factory()` makes the fence placed after a job's last strip (default: a
    `GlFence`); tests pass fakes, since llvmpipe signals every fence at once.
    `initial_s_per_byte` sizes the first strip, before any strip was measured.
    """

    def __init__(self, ctx: moderngl.Context, max_bytes: int, buffers: int = 2, *,
                 fence_factory: Callable[[], Fence] | None = None, gl: GlCalls | None = None,
                 initial_s_per_byte: float = 1e-9) -> None:
        if buffers < 2:
            raise ValueError(f"buffers must be at least 2 (one filling, one uploading), got {buffers}")
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self._gl = gl or gl_calls.load()
        self._fence_factory = fence_factory or functools.partial(GlFence, self._gl)
        self._texture_unit = gl_calls.GL_TEXTURE0 + ctx.default_texture_unit
        self.max_bytes = max_bytes
        self._buffers = [ctx.buffer(reserve=max_bytes, dynamic=True) for _ in range(buffers)]
        self._holder: list[UploadJob | None] = [None] * buffers  # the job each buffer holds
        self._copying: deque[UploadJob] = deque()  # mapped, rows left to copy, oldest first
        self._issuing: deque[UploadJob] = deque()  # strips left to issue, oldest first
        self._fenced: list[UploadJob] = []  # all strips issued, fence not yet signalled
        self._ready: list[UploadJob] = []  # signalled, not yet returned by pump
        self._initial_s_per_byte = initial_s_per_byte  # until a strip was measured
        self._cost_s = [0.0] * _COST_WINDOW  # the last strips measured: seconds ...
        self._cost_bytes = [0] * _COST_WINDOW  # ... and bytes (0: not measured yet)
        self._cost_next = 0
        self._chunk_s = 0.0  # what the last chunk of a budgeted copy took
        self._released = False

    # -- the frame loop ------------------------------------------------------------------

    def begin(self, pixels: np.ndarray, texture: moderngl.Texture, x: int = 0, y: int = 0,
              flip_rows: bool = False, copy_budget_s: float | None = None,
              now: Callable[[], float] = time.perf_counter) -> UploadJob | None:
        """Copies (h, w, 3 or 4) uint8 `pixels` into a free buffer, bound for the texture
        region at (x, y); None when every buffer is still in use (try next frame).

        Without `copy_budget_s` the pixels are all copied when this returns: their memory
        (the ring slot) may be freed. With it, this copies for about that long and each
        `pump` copies more within its budget (a 3840x2160 RGBA copy is 33 MB, several ms
        of memory bandwidth): keep the pixels until `job.copied`."""
        if self._released:
            raise RuntimeError("TextureUploader.begin after release()")
        height, width, components = self._check(pixels, texture, x, y)
        self._poll()
        index = next((i for i, job in enumerate(self._holder) if job is None), None)
        if index is None:
            return None
        job = UploadJob(texture, x, y, width, height, components, index)
        job._source = pixels[::-1] if flip_rows else pixels
        job._mapped = self._map(index, pixels.shape)
        self._holder[index] = job
        self._copying.append(job)
        if copy_budget_s is None:
            self._copy(job, math.inf, now)
            if not job.copied:  # the store was lost while mapped (rare): try next frame
                self._copying.remove(job)
                self._holder[index] = None
                return None
        else:
            self._copy(job, now() + copy_budget_s, now)
        return job

    def pump(self, budget_s: float, now: Callable[[], float] = time.perf_counter) -> list[UploadJob]:
        """Issues strips, then copies rows of jobs begun with a copy budget, for about
        `budget_s` seconds (at least one strip and one chunk of rows when there are any);
        fences each job after its last strip; returns the jobs that became ready."""
        deadline_s = now() + budget_s
        if self._issuing:
            self._issue(deadline_s, now, at_least_one=True)
        if self._copying:
            for i, job in enumerate(list(self._copying)):
                self._copy(job, deadline_s, now, at_least_one=i == 0)
                if not job.copied:
                    break
            if self._issuing and now() < deadline_s:  # a job just copied: its first strips
                self._issue(deadline_s, now, at_least_one=False)
        self._poll()
        ready, self._ready = self._ready, []
        return ready

    def warm_up(self, texture: moderngl.Texture, timeout_s: float = 5.0) -> None:
        """Sends a blank image the size of `texture` through every buffer and waits until
        the GPU has it: the driver allocates each buffer's storage, the kernel maps its
        pages and the strip sizing starts from a measured cost, all before the first frame.
        The first 3840x2160 upload on the GPU machine spent 19 ms in a frame otherwise.
        Overwrites `texture`; for start-up only, it waits."""
        blank = np.zeros((texture.height, texture.width, 4), np.uint8)[:, :, : texture.components]
        for _ in self._buffers:
            if self.begin(blank, texture) is None:
                break
        give_up_s = time.perf_counter() + timeout_s
        while self.busy and time.perf_counter() < give_up_s:
            self.pump(_WARM_UP_BUDGET_S)
            time.sleep(0.0005)

    @property
    def busy(self) -> bool:
        """Whether any job is still being copied or issued, or waits on its fence."""
        return bool(self._copying or self._issuing or self._fenced)

    # -- internals -----------------------------------------------------------------------

    def _check(self, pixels: np.ndarray, texture: moderngl.Texture, x: int, y: int) -> tuple[int, int, int]:
        if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in _FORMATS:
            raise ValueError(f"pixels must be (height, width, 3 or 4) uint8, got "
                             f"{pixels.shape} {pixels.dtype}")
        height, width, components = pixels.shape
        if not (height and width):
            raise ValueError(f"pixels are empty: {pixels.shape}")
        if pixels.nbytes > self.max_bytes:
            raise ValueError(f"{width}x{height}x{components} pixels are {pixels.nbytes} bytes, "
                             f"over the uploader's max_bytes {self.max_bytes}")
        if texture.dtype != "f1" or texture.samples:
            raise ValueError(f"the texture must be single-sampled uint8 ('f1'), got "
                             f"{texture.dtype!r} with {texture.samples} samples")
        if x < 0 or y < 0 or x + width > texture.width or y + height > texture.height:
            raise ValueError(f"{width}x{height} pixels at ({x}, {y}) do not fit the "
                             f"{texture.width}x{texture.height} texture")
        return height, width, components

    def _map(self, index: int, shape: tuple[int, ...]) -> np.ndarray:
        """Maps buffer `index` (invalidated: orphaned) as an array of `shape`; unbinds it."""
        gl, nbytes = self._gl, math.prod(shape)
        gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, self._buffers[index].glo)
        try:
            address = gl.glMapBufferRange(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0, nbytes, _MAP_FLAGS)
        finally:
            gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0)
        if not address:
            raise RuntimeError(f"glMapBufferRange of {nbytes} bytes failed "
                               f"(GL error 0x{gl.glGetError():04x})")
        # frombuffer, not np.ctypeslib: that module loads lazily, inside the first upload.
        mapped = (ctypes.c_uint8 * nbytes).from_address(address)
        return np.frombuffer(mapped, np.uint8).reshape(shape)

    def _unmap(self, index: int) -> bool:
        """Unmaps buffer `index`; False when its contents were lost while mapped."""
        gl = self._gl
        gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, self._buffers[index].glo)
        try:
            return bool(gl.glUnmapBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER))
        finally:
            gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0)

    def _copy(self, job: UploadJob, deadline_s: float, now: Callable[[], float],
              at_least_one: bool = True) -> None:
        """Copies rows of `job` in chunks while the next chunk fits before `deadline_s`;
        once all are in, unmaps its buffer and queues its strips. numpy releases the GIL
        while it copies."""
        if job._mapped is None:  # its store was lost at the last unmap: copy again
            job._mapped = self._map(job._buffer_index, job._source.shape)
        source, mapped = job._source, job._mapped
        budgeted = not math.isinf(deadline_s)
        rows = max(1, _COPY_CHUNK_BYTES // job.row_bytes) if budgeted else job.height
        while job.rows_copied < job.height:
            if not at_least_one and deadline_s - now() <= self._chunk_s:
                return
            at_least_one = False
            start_s = now()
            first, last = job.rows_copied, min(job.height, job.rows_copied + rows)
            np.copyto(mapped[first:last], source[first:last])
            job.rows_copied = last
            if budgeted:
                self._chunk_s = now() - start_s
        job._mapped = None
        if not self._unmap(job._buffer_index):
            job.rows_copied = 0
            return
        job._source = None
        self._copying.remove(job)
        self._issuing.append(job)

    def _issue(self, deadline_s: float, now: Callable[[], float], at_least_one: bool) -> None:
        gl = self._gl
        for pname in (gl_calls.GL_UNPACK_ROW_LENGTH, gl_calls.GL_UNPACK_SKIP_ROWS,
                      gl_calls.GL_UNPACK_SKIP_PIXELS):
            gl.glPixelStorei(pname, 0)  # rows are packed tightly in the buffer
        gl.glActiveTexture(self._texture_unit)
        bound: UploadJob | None = None
        issued = not at_least_one
        try:
            while self._issuing:
                job = self._issuing[0]
                if job is not bound:
                    gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, self._buffers[job._buffer_index].glo)
                    gl.glBindTexture(gl_calls.GL_TEXTURE_2D, job.texture.glo)
                    gl.glPixelStorei(gl_calls.GL_UNPACK_ALIGNMENT, 4 if job.row_bytes % 4 == 0 else 1)
                    bound = job
                rows = self._rows_fitting(deadline_s - now(), job.row_bytes)
                if rows < 1:
                    if issued:
                        break
                    rows = 1  # every call moves every upload on
                rows = min(rows, job.height - job.rows_issued)
                start_s = now()
                gl.glTexSubImage2D(gl_calls.GL_TEXTURE_2D, 0, job.x, job.y + job.rows_issued,
                                   job.width, rows, _FORMATS[job.components],
                                   gl_calls.GL_UNSIGNED_BYTE,
                                   ctypes.c_void_p(job.rows_issued * job.row_bytes))
                self._measured(now() - start_s, rows * job.row_bytes)
                job.rows_issued += rows
                issued = True
                if job.rows_issued == job.height:
                    job._fence = self._fence_factory()
                    self._issuing.popleft()
                    self._fenced.append(job)
        finally:
            gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0)
            gl.glPixelStorei(gl_calls.GL_UNPACK_ALIGNMENT, 4)

    def _rows_fitting(self, seconds: float, row_bytes: int) -> int:
        if seconds <= 0.0:
            return 0
        measured_bytes = sum(self._cost_bytes)
        s_per_byte = (sum(self._cost_s) / measured_bytes if measured_bytes
                      else self._initial_s_per_byte)
        return int(seconds / (s_per_byte * row_bytes)) if s_per_byte > 0.0 else 1 << 30

    def _measured(self, seconds: float, nbytes: int) -> None:
        self._cost_s[self._cost_next] = max(0.0, seconds)
        self._cost_bytes[self._cost_next] = nbytes
        self._cost_next = (self._cost_next + 1) % _COST_WINDOW

    def _poll(self) -> None:
        """Moves jobs whose fence has signalled to `_ready` and frees their buffers."""
        if not self._fenced:
            return
        waiting = []
        for job in self._fenced:
            fence = job._fence
            if fence is not None and not fence.signalled():
                waiting.append(job)
                continue
            if fence is not None:
                fence.delete()
            job._fence = None
            job.ready = True
            self._holder[job._buffer_index] = None
            self._ready.append(job)
        self._fenced = waiting

    # -- lifetime ------------------------------------------------------------------------

    def release(self) -> None:
        """Frees the buffers and fences; jobs not ready by now never will be. Idempotent."""
        if self._released:
            return
        self._released = True
        for job in self._copying:
            if job._mapped is not None:
                job._mapped = None
                self._unmap(job._buffer_index)
            job._source = None
        self._copying.clear()
        for job in self._fenced:
            if job._fence is not None:
                job._fence.delete()
                job._fence = None
        self._issuing.clear()
        self._fenced.clear()
        self._ready.clear()
        self._holder = [None] * len(self._buffers)
        for buffer in self._buffers:
            buffer.release()
