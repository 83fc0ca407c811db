"""Tests of slideshow/gpu/: GL passes on Mesa's llvmpipe through EGL, and windows under Xvfb."""
