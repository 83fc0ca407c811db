"""What C libraries write to the process's stderr, caught around a call and kept as lines.

PortAudio and the ALSA plugins it loads print their complaints straight to file
descriptor 2 (about 13 lines for each failed open of the PulseAudio device while the
server is away), where Python's logging cannot reach them. The audio worker wraps its
PortAudio calls in `captured_stderr()`: descriptor 2 points at a temporary file for the
call and is restored after it, and the worker puts the first line into its own one log
line instead. Only the calling process's descriptor is redirected, so only the worker
is affected; a thread of the same process writing to stderr meanwhile is caught too
(the worker has only PortAudio's own stream thread, whose lines belong here anyway).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

MAX_CAPTURED_BYTES = 64 * 1024  # more than any open prints; the rest is dropped unread
STDERR_FD = 2


@contextmanager
def captured_stderr() -> Iterator[list[str]]:
    """Within the block, everything written to descriptor 2 goes to a temporary file; when
    the block ends (also by an exception) descriptor 2 is restored and the yielded list
    holds the non-blank lines written, stripped."""
    lines: list[str] = []
    _flush_python_stderr()
    saved = os.dup(STDERR_FD)
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), STDERR_FD)
            try:
                yield lines
            finally:
                _flush_python_stderr()  # Python's own buffered writes of the block
                os.dup2(saved, STDERR_FD)
                sink.seek(0)
                text = sink.read(MAX_CAPTURED_BYTES).decode("utf-8", errors="replace")
                lines.extend(line.strip() for line in text.splitlines() if line.strip())
    finally:
        os.close(saved)


def _flush_python_stderr() -> None:
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except (OSError, ValueError):  # closed or detached: nothing of ours is buffered
        pass
