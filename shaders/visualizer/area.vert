#version 330 core
// One quad covering the viewport, which the visualizer sets to its area (or, for bars,
// to the part of it below the tallest bar): nothing can be drawn outside the area. `uv`
// is 0..1 across the whole area, bottom-left origin; `uv_top` is the top of the viewport.
uniform float uv_top;
out vec2 uv;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    uv = vec2(corner.x, corner.y * uv_top);
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
