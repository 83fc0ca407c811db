"""What a frame cost, where the driver has no GPU timer to say: the measured finish time.

On a software renderer (Mesa's llvmpipe) the frame is rasterised on this machine's CPUs
when the loop asks the GPU to finish, so the time from the frame's start to the end of
`finish` is what the frame costs, and it is known as soon as the frame is presented.
(Timer queries there time little of the real work, and asking whether one is ready makes
llvmpipe rasterise the frame so far: slideshow/gpu/frame_timer.py is for real GPUs.)
"""

from __future__ import annotations


class FinishTimeCost:
    """slideshow/loop.py's CostSource from the frame's own start-to-finish time."""

    def __init__(self) -> None:
        self._frame = -1

    def begin(self, frame: int) -> None:
        self._frame = frame

    def end(self) -> None:
        pass

    def samples(self, frame_ms: float) -> list[tuple[int, float]]:
        return [(self._frame, frame_ms)] if self._frame >= 0 else []
