"""What is on screen over time: the show's timeline (hold, transition, progress, in fixed
steps), the keys that steer it, each display's history, Ken Burns motion, captions and the
audio values the visualizer reads.

Never waits: every input (a decoded photo, an audio value, a key) is taken when ready and
the show carries on without it otherwise. No GL here: drawing goes through `gpu/`."""
