#version 330 core
// One quad covering the viewport, which the visualizer sets to its area: nothing can be
// drawn outside it. `uv` is 0..1 across the area, bottom-left origin.
out vec2 uv;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    uv = corner;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
