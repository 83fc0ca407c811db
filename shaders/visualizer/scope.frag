// Oscilloscope: the waveform as an anti-aliased polyline with a soft glow, found per pixel
// as the distance to the few segments within the glow's reach.
uniform int wave_count;
uniform float wave_gain;     // waveform value -> fraction of the area's height (auto-scaled)
uniform float line_px;       // half-width of the bright line, pixels
uniform float glow_px;       // sigma of the glow, pixels
uniform float pulse;         // 0..1, kick glow: widens and brightens the glow

const int MAX_SEGMENTS = 96;  // per pixel; the reach shrinks where points are denser

vec2 point(int i, float dx) {
    return vec2(float(i) * dx, area_px.y * (0.5 + wave_gain * wave_value(i)));
}

float segment_distance(vec2 p, vec2 a, vec2 b) {
    vec2 ab = b - a;
    float t = clamp(dot(p - a, ab) / max(dot(ab, ab), 1e-6), 0.0, 1.0);
    return length(p - a - ab * t);
}

void main() {
    vec2 px = uv * area_px;
    float sigma = glow_px * (1.0 + 0.6 * pulse);
    float reach = line_px + 2.5 * sigma;  // the glow is under 2 % beyond
    float dx = area_px.x / float(max(wave_count - 1, 1));
    int first = clamp(int(floor((px.x - reach) / dx)), 0, max(wave_count - 2, 0));
    int last = clamp(int(floor((px.x + reach) / dx)), 0, max(wave_count - 2, 0));
    last = min(last, first + MAX_SEGMENTS - 1);
    float d = 1e6;
    vec2 a = point(first, dx);
    for (int i = first; i <= last; ++i) {
        vec2 b = point(i + 1, dx);
        d = min(d, segment_distance(px, a, b));
        a = b;
    }
    float core = line_cover(d, line_px);
    float glow = (0.35 + 0.3 * pulse) * exp(-d * d / (2.0 * sigma * sigma));
    vec3 rgb = mix(low_colour, high_colour, uv.x);
    float a_core = core;
    float a_glow = glow * (1.0 - core);
    vec3 c = mix(rgb, vec3(1.0), 0.35) * a_core + rgb * a_glow;
    colour = finish(vec4(c, a_core + a_glow), px);
}
