#version 330 core
// Shared by every visualizer mode (prepended to the mode's fragment shader).
// Values live in one R32F texture: row 0 the bands (0..1), row 1 the peak caps (0..1),
// row 2 the waveform (-1..1); read with texelFetch, never filtered.
uniform sampler2D values;
uniform vec2 area_px;        // the area's size in pixels
uniform vec3 low_colour;     // colour of the low end (first band, left, bass wave)
uniform vec3 high_colour;    // colour of the high end
uniform float opacity;       // 0..1, multiplies everything drawn
uniform float activity;      // 0..1: 1 with sound, 0 after the idle fade
uniform float breath;        // 0..1, the idle line's slow breathing
uniform float idle_y;        // 0..1 of the area's height where the idle line lies
in vec2 uv;
out vec4 colour;             // premultiplied alpha

float band_value(int i) { return texelFetch(values, ivec2(i, 0), 0).r; }
float cap_value(int i) { return texelFetch(values, ivec2(i, 1), 0).r; }
float wave_value(int i) { return texelFetch(values, ivec2(i, 2), 0).r; }

// Anti-aliased coverage of a line `half_px` wide at distance `d_px`.
float line_cover(float d_px, float half_px) {
    return 1.0 - smoothstep(half_px - 0.6, half_px + 0.6, d_px);
}

// The calm look of silence: a thin horizontal line that slowly breathes.
vec4 idle_look(vec2 px) {
    float d = abs(px.y - idle_y * area_px.y);
    float a = (0.18 + 0.17 * breath) * max(line_cover(d, 1.0), 0.35 * exp(-d * d / 8.0));
    return vec4(mix(low_colour, high_colour, uv.x) * a, a);
}

// Mixes a mode's premultiplied colour with the idle look by activity, then opacity.
vec4 finish(vec4 mode_colour, vec2 px) {
    vec4 c = mode_colour * activity;
    if (activity < 1.0) c += idle_look(px) * (1.0 - activity);  // uniform branch: free with sound
    return clamp(c, 0.0, 1.0) * opacity;
}
