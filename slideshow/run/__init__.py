"""Running a show: the composition root that builds every part from the config and closes
them in reverse order (`app`), the main thread with windows (`windowed`), one display's
parts on its own render thread (`display`), what a run reports (`report`) and the signals
that end it cleanly (`signals`).

Never draws, decodes or times a frame itself: it wires the parts that do."""
