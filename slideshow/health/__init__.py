"""The show's health while it runs: live frame metrics in the log and as JSON lines
(`perf`), the on-screen frame-time graph (`hud`), and pictures and comparisons of saved
bench runs (`bench_plot`, `bench_compare`, `bench_report`: Pillow and JSON only).

Reads what the frame path records anyway (FrameStats, PhaseTimer, the show's counters) from
threads of its own; the render thread never formats, rasterises or writes for it. No GL
here: the HUD draws through gpu/hud_graph.py, gpu/caption_layer.py and gpu/frame_timer.py."""
