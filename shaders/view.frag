#version 330 core
// A held frame shown through a Ken Burns view: the part of the frame at `view` (x, y,
// width, height in its texture's 0..1) stretched over the target, filtered. The view
// never leaves 0..1 (slideshow/ken_burns.py), so only the photo is ever sampled.
uniform sampler2D frame;
uniform vec4 view;
in vec2 uv;
out vec4 colour;

void main() {
    colour = texture(frame, view.xy + uv * view.zw);
}
