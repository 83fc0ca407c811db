// Colours bars_geometry.vert's quads: the bar with its ramp colour, a little darker at
// the base and brighter on a kick; the cap paler. Only drawn with sound (activity 1).
uniform float pulse;         // 0..1, kick glow: brightens the bars
flat in int is_cap;
flat in float band_t;

void main() {
    vec3 rgb = mix(low_colour, high_colour, band_t);
    float shade = 0.65 + 0.35 * uv.y;
    vec3 bar = min(rgb * shade * (1.0 + 0.4 * pulse), 1.0);
    vec3 cap = mix(rgb, vec3(1.0), 0.5);
    colour = finish(vec4(is_cap == 1 ? cap : bar, 1.0), uv * area_px);
}
