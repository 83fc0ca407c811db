// Spectrum bars with falling peak caps, while the visualizer fades to or from its idle
// look (with sound, bars_geometry.vert draws them); mirrored puts the lowest band in the
// centre.
uniform int band_count;
uniform bool mirror;
uniform float cap_px;        // thickness of a peak cap, pixels
uniform float pulse;         // 0..1, kick glow: brightens the bars

void main() {
    vec2 px = uv * area_px;
    float slots = float(mirror ? 2 * band_count : band_count);
    float slot = min(floor(uv.x * slots), slots - 1.0);
    int band = int(slot);
    if (mirror) band = band < band_count ? band_count - 1 - band : band - band_count;

    // A gap between bars only where a slot is wide enough to keep one.
    float slot_px = area_px.x / slots;
    float gap_px = slot_px >= 3.0 ? max(1.0, floor(slot_px * 0.2)) : 0.0;
    float in_bar = step(fract(uv.x * slots) * slot_px, slot_px - gap_px);

    float bar_top = band_value(band) * area_px.y;
    float cap_y = min(cap_value(band) * area_px.y, area_px.y - cap_px);
    float lit_bar = step(px.y, bar_top);
    float lit_cap = cap_value(band) > 0.004 ? step(cap_y, px.y) * step(px.y, cap_y + cap_px) : 0.0;

    float t = band_count > 1 ? float(band) / float(band_count - 1) : 0.0;
    vec3 rgb = mix(low_colour, high_colour, t);
    float shade = 0.65 + 0.35 * uv.y;  // a little darker at the base
    vec3 bar = min(rgb * shade * (1.0 + 0.4 * pulse), 1.0);
    vec3 cap = mix(rgb, vec3(1.0), 0.5);
    float a = in_bar * max(lit_bar, lit_cap);
    vec3 c = lit_cap > 0.0 ? cap : bar;
    colour = finish(vec4(c * a, a), px);
}
