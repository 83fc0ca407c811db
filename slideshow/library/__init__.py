"""The photo library: scanning folders (on a thread, with an index cache revalidated by
folder mtimes), confirming formats by signature, and dealing photos out per display in
shuffled cycles without repeats or in name, date or mtime order.

    library = PhotoLibrary(["~/Pictures"], order="shuffle")
    library.start()
    path = library.next_path(display=0)   # None until something is found
    ...
    library.close()
"""

from slideshow.library.library import LibraryStats, PhotoLibrary
from slideshow.library.listing import SKIP_REASONS

__all__ = ["SKIP_REASONS", "LibraryStats", "PhotoLibrary"]
