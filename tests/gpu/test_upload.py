"""The texture uploader on Mesa llvmpipe through EGL: byte-exact read-back across strip
boundaries, odd widths, RGB and RGBA, offsets and flipped rows; buffers reused only after
their fence (with fake, unsignalled fences: llvmpipe signals every fence at once); the GL
state left for moderngl."""

from __future__ import annotations

import numpy as np
import pytest

from slideshow.gpu import gl_calls
from slideshow.gpu.upload import GlFence, TextureUploader, UploadJob

HUGE_BUDGET_S = 1e9


def pattern(width: int, height: int, components: int, seed: int = 0) -> np.ndarray:
    """Every pixel different (and different per seed): a shifted, flipped or dropped row
    cannot pass."""
    return np.random.default_rng(seed).integers(0, 256, (height, width, components), dtype=np.uint8)


def read(texture) -> np.ndarray:
    """The texture's texels, row 0 (GL's bottom row) first."""
    return np.frombuffer(texture.read(), np.uint8).reshape(texture.height, texture.width,
                                                            texture.components)


class FakeUnsignalledFence:
    """A fence the GPU has not passed yet, until the test calls `mark_signalled()`."""

    def __init__(self) -> None:
        self.is_signalled = False
        self.deleted = False

    def mark_signalled(self) -> None:
        self.is_signalled = True

    def signalled(self) -> bool:
        return self.is_signalled

    def delete(self) -> None:
        self.deleted = True


class FakeFences:
    """A fence factory that keeps every fake fence it made, in order."""

    def __init__(self) -> None:
        self.made: list[FakeUnsignalledFence] = []

    def __call__(self) -> FakeUnsignalledFence:
        self.made.append(FakeUnsignalledFence())
        return self.made[-1]


class StripRecorder:
    """The real GL calls, with every glTexSubImage2D noted as (y, rows); when given a fake
    clock, each strip advances it by `s_per_row` a row (what the strip 'cost')."""

    def __init__(self, clock: list[float] | None = None, s_per_row: float = 0.0) -> None:
        self._gl = gl_calls.load()
        self.strips: list[tuple[int, int]] = []
        self._clock, self._s_per_row = clock, s_per_row

    def glTexSubImage2D(self, target, level, x, y, width, rows, *rest) -> None:
        self.strips.append((y, rows))
        if self._clock is not None:
            self._clock[0] += rows * self._s_per_row
        self._gl.glTexSubImage2D(target, level, x, y, width, rows, *rest)

    def __getattr__(self, name: str):
        return getattr(self._gl, name)


def pump_until_ready(uploader: TextureUploader, budget_s: float = HUGE_BUDGET_S,
                     max_pumps: int = 10_000) -> list[UploadJob]:
    ready: list[UploadJob] = []
    for _ in range(max_pumps):
        ready += uploader.pump(budget_s)
        if not uploader.busy:
            return ready
    raise AssertionError(f"not ready after {max_pumps} pumps")


@pytest.fixture
def ctx(egl_surface):
    return egl_surface.ctx


@pytest.fixture
def uploader(ctx):
    uploader = TextureUploader(ctx, max_bytes=64 * 32 * 4)
    yield uploader
    uploader.release()


# -- pixels arrive exactly -----------------------------------------------------------------

@pytest.mark.parametrize("width, height, components", [(64, 32, 4), (64, 32, 3), (33, 17, 4),
                                                       (33, 17, 3), (1, 1, 3), (31, 1, 3)])
def test_upload_reads_back_byte_exact(ctx, uploader, width, height, components):
    texture = ctx.texture((width, height), components)
    pixels = pattern(width, height, components)
    job = uploader.begin(pixels, texture)
    assert pump_until_ready(uploader) == [job]
    assert job.ready
    assert np.array_equal(read(texture), pixels)
    texture.release()


def test_pixels_may_be_freed_once_begin_returns(ctx, uploader):
    texture = ctx.texture((33, 17), 4)
    pixels = pattern(33, 17, 4)
    slot = pixels.copy()
    uploader.begin(slot, texture)
    slot[...] = 0  # the worker decodes the next photo into the released slot
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), pixels)
    texture.release()


def test_read_only_shared_memory_style_view_uploads(ctx, uploader):
    backing = pattern(40, 17, 4)
    view = backing[:, 3:36]  # strided, like a slot wider than the photo
    view.flags.writeable = False
    texture = ctx.texture((33, 17), 4)
    uploader.begin(view, texture)
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), view)
    texture.release()


def test_rgb_into_an_rgba_texture_is_opaque(ctx, uploader):
    texture = ctx.texture((33, 17), 4)
    pixels = pattern(33, 17, 3)
    uploader.begin(pixels, texture)
    pump_until_ready(uploader)
    texels = read(texture)
    assert np.array_equal(texels[..., :3], pixels)
    assert (texels[..., 3] == 255).all()
    texture.release()


@pytest.mark.parametrize("components", [3, 4])
def test_offset_upload_changes_only_its_region(ctx, uploader, components):
    texture = ctx.texture((64, 32), components)
    background = pattern(64, 32, components, seed=1)
    texture.write(background.tobytes())
    pixels = pattern(33, 17, components, seed=2)
    uploader.begin(pixels, texture, x=5, y=7)
    pump_until_ready(uploader)
    expected = background.copy()
    expected[7:24, 5:38] = pixels
    assert np.array_equal(read(texture), expected)
    texture.release()


def test_flip_rows_reverses_the_rows(ctx, uploader):
    texture = ctx.texture((33, 17), 4)
    pixels = pattern(33, 17, 4)
    uploader.begin(pixels, texture, flip_rows=True)
    pump_until_ready(uploader)
    texels = read(texture)
    assert np.array_equal(texels, pixels[::-1])
    assert np.array_equal(texels[-1], pixels[0])  # the photo's top row is GL's top row
    texture.release()


# -- strips --------------------------------------------------------------------------------

@pytest.mark.parametrize("components", [3, 4])
def test_zero_budget_issues_one_row_per_pump_across_every_boundary(ctx, components):
    strips = StripRecorder()
    uploader = TextureUploader(ctx, 64 * 32 * 4, gl=strips)
    texture = ctx.texture((64, 32), components)
    texture.write(bytes(64 * 32 * components))
    pixels = pattern(33, 17, components)
    job = uploader.begin(pixels, texture, x=3, y=9)
    for row in range(17):
        assert job.rows_issued == row
        uploader.pump(0.0)
    assert job.rows_issued == 17
    assert strips.strips == [(9 + row, 1) for row in range(17)]
    pump_until_ready(uploader)
    assert np.array_equal(read(texture)[9:26, 3:36], pixels)
    uploader.release()
    texture.release()


def test_huge_budget_issues_the_whole_photo_in_one_strip(ctx):
    strips = StripRecorder()
    uploader = TextureUploader(ctx, 64 * 32 * 4, gl=strips)
    texture = ctx.texture((33, 17), 3)
    pixels = pattern(33, 17, 3)
    job = uploader.begin(pixels, texture)
    uploader.pump(HUGE_BUDGET_S)
    assert job.rows_issued == 17
    assert strips.strips == [(0, 17)]
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), pixels)
    uploader.release()
    texture.release()


ROW_S = 2.0 ** -13  # a fake strip cost a row (about 0.12 ms): binary, so sums stay exact


def test_strips_are_sized_from_measured_cost_to_fit_the_budget(ctx):
    clock = [0.0]
    strips = StripRecorder(clock, s_per_row=ROW_S)
    # the first strip's guess is 16 times too cheap: it overruns once, then strips are measured
    uploader = TextureUploader(ctx, 64 * 32 * 4, gl=strips, initial_s_per_byte=ROW_S / (64 * 4) / 16)
    texture = ctx.texture((64, 32), 4)
    pixels = pattern(64, 32, 4)
    job = uploader.begin(pixels, texture)
    uploader.pump(10 * ROW_S, now=lambda: clock[0])
    assert strips.strips == [(0, 32)] and clock[0] == 32 * ROW_S  # the bad guess: all at once
    # the next photo, with the cost measured: 10 rows a pump, never over the budget
    strips.strips.clear()
    pump_until_ready(uploader)
    job = uploader.begin(pixels[::-1].copy(), texture)
    pumps = 0
    while job.rows_issued < 32:
        start_s = clock[0]
        uploader.pump(10 * ROW_S, now=lambda: clock[0])
        assert clock[0] - start_s <= 10 * ROW_S
        pumps += 1
    assert [rows for _, rows in strips.strips] == [10, 10, 10, 2]
    assert pumps == 4
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), pixels[::-1])
    uploader.release()
    texture.release()


def test_strips_tile_the_photo_without_gaps_at_uneven_sizes(ctx):
    clock = [0.0]
    strips = StripRecorder(clock, s_per_row=ROW_S)
    uploader = TextureUploader(ctx, 64 * 32 * 4, gl=strips, initial_s_per_byte=ROW_S / (33 * 3))
    texture = ctx.texture((33, 17), 3)
    pixels = pattern(33, 17, 3)
    job = uploader.begin(pixels, texture)
    budgets_rows = iter([3.5, 5.5, 1.5, 7.5, 2.5])
    while job.rows_issued < 17:
        uploader.pump(next(budgets_rows) * ROW_S, now=lambda: clock[0])
    assert [rows for _, rows in strips.strips] == [3, 5, 1, 7, 1]
    covered = [y + i for y, rows in strips.strips for i in range(rows)]
    assert covered == list(range(17))
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), pixels)
    uploader.release()
    texture.release()


def test_one_pump_moves_on_to_the_next_job(ctx, uploader):
    first, second = ctx.texture((33, 17), 4), ctx.texture((20, 10), 3)
    a, b = pattern(33, 17, 4, seed=3), pattern(20, 10, 3, seed=4)
    job_a, job_b = uploader.begin(a, first), uploader.begin(b, second)
    ready = uploader.pump(HUGE_BUDGET_S)
    assert job_a.rows_issued == 17 and job_b.rows_issued == 10
    ready += pump_until_ready(uploader)
    assert ready == [job_a, job_b]
    assert np.array_equal(read(first), a) and np.array_equal(read(second), b)
    first.release()
    second.release()


# -- copies spread over frames (copy_budget_s) -------------------------------------------

def frozen_clock() -> float:
    return 0.0  # no time passes: every budget of 0 allows the minimum, one chunk or strip


def test_budgeted_copy_moves_one_chunk_a_pump_and_reads_back(ctx):
    # 256 RGBA pixels a row: 1 KiB, so a 256 KiB chunk is 256 rows; 600 rows take 3 chunks
    uploader = TextureUploader(ctx, 256 * 600 * 4)
    texture = ctx.texture((256, 600), 4)
    pixels = pattern(256, 600, 4)
    job = uploader.begin(pixels, texture, flip_rows=True, copy_budget_s=0.0, now=frozen_clock)
    assert (job.rows_copied, job.copied, job.rows_issued) == (256, False, 0)
    uploader.pump(0.0, now=frozen_clock)
    assert (job.rows_copied, job.copied, job.rows_issued) == (512, False, 0)
    uploader.pump(0.0, now=frozen_clock)
    assert (job.rows_copied, job.copied, job.rows_issued) == (600, True, 0)  # no time for a strip
    uploader.pump(0.0, now=frozen_clock)
    assert job.rows_issued == 1
    assert pump_until_ready(uploader) == [job]
    assert np.array_equal(read(texture), pixels[::-1])
    uploader.release()
    texture.release()


def test_a_budgeted_copy_does_not_hold_back_strips_of_an_earlier_job(ctx):
    uploader = TextureUploader(ctx, 256 * 600 * 4)
    first, second = ctx.texture((33, 17), 3), ctx.texture((256, 600), 4)
    a, b = pattern(33, 17, 3, seed=5), pattern(256, 600, 4, seed=6)
    job_a = uploader.begin(a, first)
    job_b = uploader.begin(b, second, copy_budget_s=0.0, now=frozen_clock)
    uploader.pump(0.0, now=frozen_clock)  # one strip of the first, one chunk of the second
    assert (job_a.rows_issued, job_b.rows_copied) == (1, 512)
    pump_until_ready(uploader)
    assert np.array_equal(read(first), a) and np.array_equal(read(second), b)
    uploader.release()
    first.release()
    second.release()


def test_release_while_a_buffer_is_mapped_is_clean(ctx):
    uploader = TextureUploader(ctx, 256 * 600 * 4)
    texture = ctx.texture((256, 600), 4)
    job = uploader.begin(pattern(256, 600, 4), texture, copy_budget_s=0.0, now=frozen_clock)
    assert not job.copied and uploader.busy
    uploader.release()
    uploader.release()
    texture.release()


# -- fences and buffer reuse ---------------------------------------------------------------

def test_job_is_not_ready_until_its_fence_signals(ctx):
    fences = FakeFences()
    uploader = TextureUploader(ctx, 64 * 32 * 4, fence_factory=fences)
    texture = ctx.texture((33, 17), 4)
    job = uploader.begin(pattern(33, 17, 4), texture)
    assert uploader.pump(HUGE_BUDGET_S) == []
    assert job.rows_issued == 17 and len(fences.made) == 1  # one fence, after the last strip
    for _ in range(3):
        assert uploader.pump(HUGE_BUDGET_S) == []
        assert not job.ready
    fences.made[0].mark_signalled()
    assert uploader.pump(HUGE_BUDGET_S) == [job]
    assert job.ready and fences.made[0].deleted
    assert uploader.pump(HUGE_BUDGET_S) == []  # reported once
    uploader.release()
    texture.release()


def test_no_fence_until_the_last_strip(ctx):
    fences = FakeFences()
    uploader = TextureUploader(ctx, 64 * 32 * 4, fence_factory=fences)
    texture = ctx.texture((33, 17), 4)
    job = uploader.begin(pattern(33, 17, 4), texture)
    for _ in range(16):
        uploader.pump(0.0)
        assert fences.made == []
    uploader.pump(0.0)
    assert job.rows_issued == 17 and len(fences.made) == 1
    uploader.release()
    texture.release()


def test_begin_returns_none_while_every_buffer_waits_on_its_fence(ctx):
    fences = FakeFences()
    uploader = TextureUploader(ctx, 64 * 32 * 4, buffers=2, fence_factory=fences)
    textures = [ctx.texture((33, 17), 4) for _ in range(3)]
    photos = [pattern(33, 17, 4, seed=i) for i in range(3)]
    first = uploader.begin(photos[0], textures[0])
    second = uploader.begin(photos[1], textures[1])
    assert uploader.begin(photos[2], textures[2]) is None  # both buffers still issuing
    uploader.pump(HUGE_BUDGET_S)
    assert len(fences.made) == 2
    for _ in range(3):
        assert uploader.begin(photos[2], textures[2]) is None  # both fences pending
        assert uploader.pump(HUGE_BUDGET_S) == []
    fences.made[1].mark_signalled()  # the second buffer's fence: that one frees
    third = uploader.begin(photos[2], textures[2])
    assert third is not None
    assert uploader.begin(photos[0], textures[0]) is None  # the first still waits
    ready = uploader.pump(HUGE_BUDGET_S)  # begin found the second ready: reported here
    assert ready == [second] and second.ready and not first.ready
    fences.made[0].mark_signalled()
    fences.made[2].mark_signalled()
    assert uploader.pump(HUGE_BUDGET_S) == [first, third]
    for texture, photo in zip(textures, photos, strict=True):
        assert np.array_equal(read(texture), photo)
        texture.release()
    uploader.release()


def test_a_reused_buffer_carries_the_new_photo(ctx, uploader):
    texture = ctx.texture((33, 17), 4)
    for seed in range(5):  # more photos than buffers
        pixels = pattern(33, 17, 4, seed=seed)
        assert uploader.begin(pixels, texture) is not None
        pump_until_ready(uploader)
        assert np.array_equal(read(texture), pixels)
    texture.release()


def test_gl_fence_signals_on_llvmpipe_and_deletes_twice(ctx):
    fence = GlFence(gl_calls.load())
    ctx.finish()
    assert fence.signalled()
    assert fence.signalled()
    fence.delete()
    fence.delete()


# -- GL state and lifetime -----------------------------------------------------------------

def test_gl_state_is_left_for_moderngl(ctx, uploader):
    gl = gl_calls.load()
    texture = ctx.texture((33, 17), 3)
    uploader.begin(pattern(33, 17, 3), texture, x=0, y=0)
    uploader.pump(0.0)
    assert gl.get_integer(gl_calls.GL_PIXEL_UNPACK_BUFFER_BINDING) == 0
    assert gl.get_integer(gl_calls.GL_UNPACK_ALIGNMENT) == 4
    assert gl.get_integer(gl_calls.GL_UNPACK_ROW_LENGTH) == 0
    assert gl.get_integer(gl_calls.GL_UNPACK_SKIP_ROWS) == 0
    # textures are bound where moderngl's own texture.write binds them
    assert gl.get_integer(gl_calls.GL_ACTIVE_TEXTURE) == gl_calls.GL_TEXTURE0 + ctx.default_texture_unit
    pump_until_ready(uploader)
    texture.release()


def test_moderngl_texture_write_still_works_after_uploads(ctx, uploader):
    uploaded = ctx.texture((33, 17), 3)
    uploader.begin(pattern(33, 17, 3), uploaded, x=0, y=0)
    uploader.pump(0.0)  # mid-upload: strips left for later
    written = ctx.texture((31, 5), 3)
    pixels = pattern(31, 5, 3, seed=9)
    written.write(pixels.tobytes())
    assert np.array_equal(read(written), pixels)
    from_buffer = ctx.buffer(pixels[::-1].tobytes())
    written.write(from_buffer)
    assert np.array_equal(read(written), pixels[::-1])
    pump_until_ready(uploader)
    written.write(pixels.tobytes())
    assert np.array_equal(read(written), pixels)
    for thing in (uploaded, written, from_buffer):
        thing.release()


def test_release_twice_is_fine_and_begin_after_release_raises(ctx):
    fences = FakeFences()
    uploader = TextureUploader(ctx, 64 * 32 * 4, fence_factory=fences)
    texture = ctx.texture((33, 17), 4)
    uploader.begin(pattern(33, 17, 4), texture)
    uploader.pump(HUGE_BUDGET_S)
    uploader.release()
    assert fences.made[0].deleted  # its fence never signalled: deleted all the same
    uploader.release()
    with pytest.raises(RuntimeError, match="after release"):
        uploader.begin(pattern(33, 17, 4), texture)
    texture.release()


@pytest.mark.parametrize("shape, place, message", [
    ((17, 33, 2), (0, 0), "3 or 4"),
    ((40, 64, 4), (0, 0), "max_bytes"),
    ((17, 33, 4), (32, 0), "do not fit"),
    ((17, 33, 4), (0, -1), "do not fit"),
    ((0, 33, 4), (0, 0), "empty"),
])
def test_bad_requests_raise_value_error_naming_the_problem(ctx, uploader, shape, place, message):
    texture = ctx.texture((64, 32), 4)
    with pytest.raises(ValueError, match=message):
        uploader.begin(np.zeros(shape, np.uint8), texture, *place)
    assert not uploader.busy
    texture.release()


def test_a_ring_needs_two_buffers(ctx):
    with pytest.raises(ValueError, match="at least 2"):
        TextureUploader(ctx, 1024, buffers=1)


def test_warm_up_sends_a_blank_image_through_every_buffer_before_the_first_frame(ctx):
    strips = StripRecorder()
    uploader = TextureUploader(ctx, 64 * 32 * 4, buffers=3, gl=strips)
    texture = ctx.texture((64, 32), 4, pattern(64, 32, 4, seed=9).tobytes())
    uploader.warm_up(texture)
    assert not uploader.busy
    assert strips.strips == [(0, 32)] * 3  # each buffer once, the whole image in one strip
    assert not read(texture).any()  # the blank image arrived
    photos = [pattern(64, 32, 4, seed=i) for i in range(3)]
    jobs = [uploader.begin(photo, texture) for photo in photos]
    assert all(job is not None for job in jobs)  # every buffer is free again
    pump_until_ready(uploader)
    assert np.array_equal(read(texture), photos[-1])
    texture.release()
    uploader.release()
