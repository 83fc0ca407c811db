"""Transitions without a GPU: finding and parsing transition files in the gl-transitions
convention into `Transition`s, the library of them (built-ins, a user folder, named files),
choosing one, and the easing curves applied to progress.

Never imports moderngl: compiling and drawing are `gpu/transitions.py`'s."""
