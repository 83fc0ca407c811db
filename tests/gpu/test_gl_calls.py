"""The ctypes GL calls, each made for real on the shared EGL context (Mesa llvmpipe)."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from slideshow.errors import SurfaceError
from slideshow.gpu import gl_calls
from slideshow.gpu.gl_calls import GlCalls


@pytest.fixture
def gl(egl_surface) -> GlCalls:
    return gl_calls.load()


def test_load_resolves_once_per_process(gl):
    assert gl_calls.load() is gl


def test_missing_function_raises_surface_error_naming_it():
    def resolve(name: str) -> int | None:
        return None if name == "glFenceSync" else 1  # never called, only wrapped

    with pytest.raises(SurfaceError, match=r"glFenceSync \(OpenGL 3.2\).*nowhere"):
        GlCalls(resolve, "nowhere")


def test_get_error_is_clean_and_reports_an_error(gl):
    assert gl.glGetError() == gl_calls.GL_NO_ERROR
    gl.glPixelStorei(gl_calls.GL_UNPACK_ALIGNMENT, 3)  # not 1, 2, 4 or 8: GL_INVALID_VALUE
    assert gl.glGetError() == 0x0501
    assert gl.glGetError() == gl_calls.GL_NO_ERROR


def test_pixel_store_sets_unpack_state(gl):
    for pname, value in ((gl_calls.GL_UNPACK_ROW_LENGTH, 7), (gl_calls.GL_UNPACK_SKIP_ROWS, 2),
                         (gl_calls.GL_UNPACK_ALIGNMENT, 1)):
        gl.glPixelStorei(pname, value)
        assert gl.get_integer(pname) == value
    for pname, default in ((gl_calls.GL_UNPACK_ROW_LENGTH, 0), (gl_calls.GL_UNPACK_SKIP_ROWS, 0),
                           (gl_calls.GL_UNPACK_ALIGNMENT, 4)):
        gl.glPixelStorei(pname, default)


def test_mapped_buffer_write_reaches_the_buffer(egl_surface, gl):
    buffer = egl_surface.ctx.buffer(reserve=256)
    data = bytes(range(256))
    gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, buffer.glo)
    assert gl.get_integer(gl_calls.GL_PIXEL_UNPACK_BUFFER_BINDING) == buffer.glo
    address = gl.glMapBufferRange(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0, 256,
                                  gl_calls.GL_MAP_WRITE_BIT | gl_calls.GL_MAP_INVALIDATE_BUFFER_BIT
                                  | gl_calls.GL_MAP_UNSYNCHRONIZED_BIT)
    assert address
    ctypes.memmove(address, data, 256)
    assert gl.glUnmapBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER) == 1
    gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0)
    assert buffer.read() == data
    buffer.release()


def test_tex_sub_image_from_a_buffer_offset(egl_surface, gl):
    ctx = egl_surface.ctx
    texture = ctx.texture((4, 2), 4)
    texture.write(bytes(32))
    buffer = ctx.buffer(bytes(range(64)))
    ctx.finish()
    gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, buffer.glo)
    gl.glActiveTexture(gl_calls.GL_TEXTURE0 + ctx.default_texture_unit)
    gl.glBindTexture(gl_calls.GL_TEXTURE_2D, texture.glo)
    gl.glPixelStorei(gl_calls.GL_UNPACK_ALIGNMENT, 4)
    # one row of 4 RGBA pixels from byte 16 of the buffer into the texture's second row
    gl.glTexSubImage2D(gl_calls.GL_TEXTURE_2D, 0, 0, 1, 4, 1, gl_calls.GL_RGBA,
                       gl_calls.GL_UNSIGNED_BYTE, ctypes.c_void_p(16))
    gl.glBindBuffer(gl_calls.GL_PIXEL_UNPACK_BUFFER, 0)
    assert texture.read() == bytes(16) + bytes(range(16, 32))
    texture.release()
    buffer.release()


def test_fence_signals_after_finish_and_deletes(egl_surface, gl):
    sync = gl.glFenceSync(gl_calls.GL_SYNC_GPU_COMMANDS_COMPLETE, 0)
    assert sync
    egl_surface.ctx.finish()
    status = gl.glClientWaitSync(sync, gl_calls.GL_SYNC_FLUSH_COMMANDS_BIT, 0)
    assert status in (gl_calls.GL_ALREADY_SIGNALED, gl_calls.GL_CONDITION_SATISFIED)
    gl.glDeleteSync(sync)


def test_texture_binding_is_visible_to_state_queries(egl_surface, gl):
    texture = egl_surface.ctx.texture((2, 2), 4)
    gl.glActiveTexture(gl_calls.GL_TEXTURE0 + egl_surface.ctx.default_texture_unit)
    gl.glBindTexture(gl_calls.GL_TEXTURE_2D, texture.glo)
    assert gl.get_integer(gl_calls.GL_TEXTURE_BINDING_2D) == texture.glo
    assert np.frombuffer(texture.read(), np.uint8).size == 16
    texture.release()
