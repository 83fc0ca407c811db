// Zoom blur: the camera rushes into the old photo, which streaks outwards from `centre`;
// at full speed it cuts to the new photo, streaked as much, which slows to a stop in place.
// Each pixel averages a few samples along its streak, spaced with a per-pixel offset so
// the few read as a smooth blur rather than as copies.

#define TAPS 3  // samples of each photo per pixel: most of the cost, on a software renderer

uniform vec2 centre; // = vec2(0.5, 0.5); the point the camera rushes towards, 0..1 of the frame
uniform float zoom; // = 0.5; how much larger the photos are at the cut
uniform float streak; // = 0.3; the streaks' length at the cut, a share of the distance to the centre

// 0..1 per pixel, in a fine, even pattern (interleaved gradient noise): neighbours get
// offsets far apart, so a few samples per pixel read as a smooth blur, not as grain.
float pixel_offset() {
    return fract(52.9829189 * fract(dot(gl_FragCoord.xy, vec2(0.06711056, 0.00583715))));
}

vec4 transition(vec2 uv) {
    float speed = 4.0 * progress * (1.0 - progress);  // 0 at both ends, 1 at the cut
    float cut = smoothstep(0.4, 0.6, progress);
    vec2 from_centre = uv - centre;
    // Each photo is scaled about `centre`: the old one grows towards the cut, the new one
    // starts that large and shrinks back to its own size.
    vec2 old_at = centre + from_centre / (1.0 + zoom * progress * progress);
    vec2 new_at = centre + from_centre / (1.0 + zoom * (1.0 - progress) * (1.0 - progress));
    float length_ = streak * speed / float(TAPS);
    float offset = pixel_offset();
    vec4 old = vec4(0.0);
    vec4 new = vec4(0.0);
    for (int i = 0; i < TAPS; i++) {
        float along = 1.0 - length_ * (float(i) + offset);  // towards the centre
        old += getFromColor(centre + (old_at - centre) * along);
        new += getToColor(centre + (new_at - centre) * along);
    }
    return mix(old, new, cut) / float(TAPS);
}
