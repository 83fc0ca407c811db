"""`python -m slideshow` runs the same command line as the `slideshow` script."""

import sys

from slideshow.cli import main

sys.exit(main())
