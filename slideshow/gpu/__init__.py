"""Everything that talks to GL or glfw: surfaces (a glfw window, a headless EGL context, a
window embedded into a screensaver host's), the desktop's events and monitors, the GL calls
moderngl lacks, the texture uploader, the photo pass, the transitions compiled and drawn,
the visualizer and the caption layer.

The only package that imports moderngl or glfw (tests/test_imports.py checks it). Never
creates a GL object or loads a GL library at import: contexts, programs and libraries are
made when a surface or a pass is built. Never decides which photo shows or when (that is
slideshow/show/), and never reads GL state back on the frame path.
"""

from slideshow.gpu.glfw_library import choose_glfw_library

choose_glfw_library()  # before any module here imports glfw: skips pyGLFW's slow probe
