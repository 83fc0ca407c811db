#version 330 core
// Bars with sound, as geometry: one instance per bar slot, two quads each (the bar from
// the base to its height, then its peak cap), so a software renderer shades only the lit
// pixels. The area is the viewport; `uv` is 0..1 across it, bottom-left origin.
// Mirrored, the lowest band is in the centre (as bars.frag draws it while idle).
uniform sampler2D values;    // row 0 the bands, row 1 the peak caps (see common.glsl)
uniform vec2 area_px;
uniform int band_count;
uniform bool mirror;
uniform float cap_px;        // thickness of a peak cap, pixels
out vec2 uv;
flat out int is_cap;
flat out float band_t;       // 0 for the first band, 1 for the last: the colour ramp

const vec2 CORNERS[6] = vec2[6](vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(1.0, 1.0),
                                vec2(0.0, 0.0), vec2(1.0, 1.0), vec2(0.0, 1.0));

void main() {
    int slot = gl_InstanceID;
    int band = slot;
    if (mirror) band = slot < band_count ? band_count - 1 - slot : slot - band_count;
    float slots = float(mirror ? 2 * band_count : band_count);
    float slot_px = area_px.x / slots;
    // A gap between bars only where a slot is wide enough to keep one.
    float gap_px = slot_px >= 3.0 ? max(1.0, floor(slot_px * 0.2)) : 0.0;
    float x0 = float(slot) * slot_px;
    float x1 = x0 + slot_px - gap_px;
    float y0 = 0.0;
    float y1 = texelFetch(values, ivec2(band, 0), 0).r * area_px.y;
    is_cap = gl_VertexID / 6;
    if (is_cap == 1) {
        float cap = texelFetch(values, ivec2(band, 1), 0).r;
        y0 = min(cap * area_px.y, area_px.y - cap_px);
        y1 = cap > 0.004 ? y0 + cap_px : y0;  // no cap on an empty band: a quad of no area
    }
    vec2 corner = CORNERS[gl_VertexID % 6];
    uv = vec2(mix(x0, x1, corner.x), mix(y0, y1, corner.y)) / area_px;
    band_t = band_count > 1 ? float(band) / float(band_count - 1) : 0.0;
    gl_Position = vec4(uv * 2.0 - 1.0, 0.0, 1.0);
}
