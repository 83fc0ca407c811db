#version 330 core
// The frame-time graph of the HUD (slideshow/gpu/hud_graph.py): one bar per frame, the
// newest on the right, over a dark panel, with lines at one and two refresh periods.
// The viewport is the graph's rectangle; frame times come from a ring in a 1-row texture.
uniform sampler2D frame_ms;  // R32F, SAMPLES x 1: dt of recent frames in ms (a ring)
uniform int head;            // the ring's oldest sample
uniform int samples;         // SAMPLES
uniform float period_ms;     // one refresh period
uniform vec2 size_px;        // the rectangle's size in pixels
uniform ivec2 origin;        // its bottom-left pixel in the framebuffer
out vec4 colour;

const float PERIODS_TALL = 3.0;  // the graph's height in refresh periods

void main() {
    vec2 pixel = gl_FragCoord.xy - vec2(origin);
    int column = clamp(int(pixel.x / size_px.x * float(samples)), 0, samples - 1);
    float dt_ms = texelFetch(frame_ms, ivec2((head + column) % samples, 0), 0).r;
    float height_ms = pixel.y / size_px.y * PERIODS_TALL * period_ms;
    vec4 panel = vec4(0.0, 0.0, 0.0, 0.55);  // premultiplied
    // Green within a quarter period of one period, amber up to two, red beyond.
    vec3 bar = dt_ms < 1.25 * period_ms ? vec3(0.30, 0.85, 0.40)
             : dt_ms < 2.25 * period_ms ? vec3(0.95, 0.75, 0.20) : vec3(0.95, 0.30, 0.25);
    vec4 result = panel;
    if (dt_ms > 0.0 && height_ms <= dt_ms) {
        result = vec4(bar * 0.9, 0.9);
    }
    float line_ms = 1.0 / size_px.y * PERIODS_TALL * period_ms;  // one pixel, in ms
    float from_line_ms = min(abs(height_ms - period_ms), abs(height_ms - 2.0 * period_ms));
    colour = from_line_ms < line_ms ? vec4(vec3(0.85), 0.85) : result;
}
