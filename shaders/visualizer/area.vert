#version 330 core
// One quad covering the viewport, which the visualizer sets to its area (or, when only
// the idle line shows, to the rows around it): nothing can be drawn outside the area.
// `uv` is 0..1 across the whole area, bottom-left origin; `uv_rows` says which rows of
// the area (as parts of its height) the viewport covers.
uniform vec2 uv_rows = vec2(0.0, 1.0);
out vec2 uv;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    uv = vec2(corner.x, mix(uv_rows.x, uv_rows.y, corner.y));
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
