// Three layered sine waves across the area: bass, mids and treble. Each wave's height,
// thickness and the soft fill between it and the centre follow its part of the spectrum.
uniform vec3 energy;         // 0..1 mean band energy of the low, mid and high thirds
uniform vec3 phase;          // 0..1 per wave, advanced by the visualizer each update
uniform float pulse;         // 0..1, kick glow: lifts the bass wave
uniform float flash;         // 0..1, snare glow: brightens the treble wave

const vec3 CYCLES = vec3(1.0, 2.0, 3.5);  // periods across the area

vec4 wave(int k, vec2 px, float e, vec3 rgb, float boost) {
    float amp = area_px.y * (0.03 + 0.42 * e);
    float w = 6.2831853 * (CYCLES[k] * uv.x + phase[k]);
    float y = area_px.y * 0.5 + amp * sin(w);
    float slope = amp * cos(w) * 6.2831853 * CYCLES[k] / area_px.x;
    float d = abs(px.y - y) / sqrt(1.0 + slope * slope);
    float line = line_cover(d, 0.8 + 2.0 * e) * (0.55 + 0.45 * e + boost);
    float glow = 0.3 * e * exp(-d * d / 32.0);
    float centre = area_px.y * 0.5;
    float inside = step(min(centre, y), px.y) * step(px.y, max(centre, y));
    float fill = inside * 0.22 * e;
    float a = clamp(max(line, max(glow, fill)), 0.0, 1.0);
    return vec4(mix(rgb, vec3(1.0), 0.3 * clamp(boost, 0.0, 1.0)) * a, a);
}

void main() {
    vec2 px = uv * area_px;
    vec4 c = vec4(0.0);
    vec3 mid_colour = mix(low_colour, high_colour, 0.5);
    vec4 layers[3] = vec4[3](wave(0, px, min(energy.x + 0.3 * pulse, 1.0), low_colour, 0.3 * pulse),
                             wave(1, px, energy.y, mid_colour, 0.0),
                             wave(2, px, energy.z, high_colour, 0.5 * flash));
    for (int k = 0; k < 3; ++k) c = layers[k] + c * (1.0 - layers[k].a);  // "over", premultiplied
    colour = finish(c, px);
}
