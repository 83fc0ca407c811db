"""Decoded photos from worker processes to the render thread: named shared-memory segments
and who may unlink them (`shm`), the `FrameRing` of decoded frames and the `LatestValue`
seqlock block (`ring`, `latest`), one photo decoded into display-ready RGBA (`decode`,
`colour`, `fit`, `saliency`), the worker process (`image_worker`), the thread that
supervises it and orders its requests (`supervisor`, `request_order`), `ImagePipeline`,
what the render thread talks to (`pipeline`), and ending processes (`processes`, shared
with slideshow/audio/).

Never imports glfw or moderngl: a worker process starts without GL. Never makes the render
thread wait: its side reads slot states with a few loads and takes no lock, and releasing a
slot sends one byte. The shared-memory rules are docs/architecture.md's "Shared memory".
"""
