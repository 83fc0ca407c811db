"""The photo library: scanning folders (on a thread, with an index cache revalidated by
folder mtimes), confirming formats by signature, and dealing photos out per display in
shuffled cycles without repeats or in name, date or mtime order; the photos as the
displays see them (`display_photos`), the files that failed to decode (`failed`), the
built-in demo set and its standing in for photos that cannot be decoded (`demo`,
`stand_in`), and the format signatures.

Never decodes pixels (slideshow/workers/ does) and never runs on the render thread: photos
are dealt on the image supervisors' threads, folders scanned on the library's own.

    library = PhotoLibrary(["~/Pictures"], order="shuffle")
    library.start()
    path = library.next_path(display=0)   # None until something is found
    ...
    library.close()
"""

from slideshow.library.library import LibraryStats, PhotoLibrary
from slideshow.library.listing import SKIP_REASONS

__all__ = ["SKIP_REASONS", "LibraryStats", "PhotoLibrary"]
