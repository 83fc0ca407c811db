"""The photos one display has shown, in order, and where the show stands in them: what the
previous key steps back through, and what it replays before new photos come again.

Pure bookkeeping (no threads, no I/O): the show reports each photo as its transition in
begins (`shown`), the controls ask where to go back to (`back`). A replay is the run of
paths from the chosen photo to the newest one; the pipeline decodes them first, so while
they arrive each one is the next entry here and only moves the cursor.
"""

from __future__ import annotations

HISTORY_KEPT = 1000  # paths remembered per display (about 100 KB): far more than anyone steps back


class PhotoHistory:
    def __init__(self, kept: int = HISTORY_KEPT) -> None:
        if kept < 1:
            raise ValueError(f"kept must be at least 1, got {kept}")
        self._kept = kept
        self._paths: list[str] = []
        self._cursor = -1  # index of the photo on screen (the one coming in, mid-transition)
        self._replay_at: int | None = None  # index a replay starts at, until it is shown

    @property
    def current(self) -> str | None:
        """The photo on screen (or coming in), None before the first."""
        return self._paths[self._cursor] if self._cursor >= 0 else None

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(self._paths)

    @property
    def cursor(self) -> int:
        return self._cursor

    def shown(self, path: str) -> None:
        """`path` began to come on screen."""
        if self._replay_at is not None:
            # The replay asked for: normally its first path; if that one could not be
            # decoded, a later one of the run.
            start, self._replay_at = self._replay_at, None
            if path in self._paths[start:]:
                self._cursor = self._paths.index(path, start)
                return
        ahead = self._cursor + 1
        if ahead < len(self._paths) and self._paths[ahead] == path:
            self._cursor = ahead  # stepping forward through a replay
            return
        self._paths.append(path)
        self._cursor = len(self._paths) - 1
        if len(self._paths) > self._kept:
            dropped = len(self._paths) - self._kept
            del self._paths[:dropped]
            self._cursor -= dropped

    def back(self) -> list[str] | None:
        """Steps back one photo from the one on screen (or from the replay asked for and
        not shown yet): returns the paths to show from there, in order, up to the newest;
        None when there is no earlier photo."""
        start = (self._replay_at if self._replay_at is not None else self._cursor) - 1
        if start < 0:
            return None
        self._replay_at = start
        return self._paths[start:]
