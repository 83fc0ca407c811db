#version 330 core
// Instanced bars: one quad per band, height from a small uniform array.
uniform float heights[64];  // 0..1
uniform int bar_count;
uniform vec4 area;          // x, y, width, height in clip space (bottom-left origin)
out float level;
void main() {
    vec2 corner = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    float slot = area.z / float(bar_count);
    float h = clamp(heights[gl_InstanceID], 0.0, 1.0);
    float x = area.x + slot * (float(gl_InstanceID) + 0.1 + 0.8 * corner.x);
    float y = area.y + area.w * h * corner.y;
    level = h * corner.y;
    gl_Position = vec4(x, y, 0.0, 1.0);
}
