// Swirl: the old photo twists around `centre`, most in the middle of the disc and not at
// all at its rim; at the height of the twist it fades into the new photo, which untwists
// into place.

#define TAU 6.28318530718

uniform vec2 centre; // = vec2(0.5, 0.5); the twist's centre, 0..1 of the frame
uniform float radius; // = 0.9; the twisting disc's radius, in frame heights
uniform float turns; // = 0.5; how far the centre turns at the height of the twist

// cos and sin of `angle` (radians, any size) from short polynomials: on a software
// renderer the built-in sin and cos cost as much as a texture read each. Within 1e-5, and
// exactly (1, 0) at 0, so a transition at rest is exact.
vec2 cos_sin(float angle) {
    float r = angle - 6.28318530718 * floor(angle * 0.159154943092 + 0.5);  // -PI..PI
    float h = 0.5 * r;  // the half angle: -PI/2..PI/2, where the series converge fast
    float h2 = h * h;
    float s = h * (1.0 - h2 / 6.0 * (1.0 - h2 / 20.0 * (1.0 - h2 / 42.0 * (1.0 - h2 / 72.0))));
    float c = 1.0 - h2 / 2.0 * (1.0 - h2 / 12.0 * (1.0 - h2 / 30.0 * (1.0 - h2 / 56.0 * (1.0 - h2 / 90.0))));
    return vec2(1.0 - 2.0 * s * s, 2.0 * s * c);
}

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);
    vec2 p = (uv - centre) * square;
    float rim = max(radius, 1e-3);
    float inward = max(rim - length(p), 0.0) / rim;  // 1 at the centre, 0 at the rim
    float rise = 4.0 * progress * (1.0 - progress);
    float twist = rise * rise;  // 0 at both ends, 1 in the middle: gently in, gently out
    float angle = TAU * turns * twist * inward * inward;
    vec2 cs = cos_sin(angle);
    vec2 turned = vec2(cs.x * p.x - cs.y * p.y, cs.y * p.x + cs.x * p.y);
    vec2 sample_uv = turned / square + centre;
    return mix(getFromColor(sample_uv), getToColor(sample_uv), smoothstep(0.3, 0.7, progress));
}
