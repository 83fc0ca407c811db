// Warp dissolve: a vortex takes hold of the old photo, winding it round and drawing it in
// towards `centre`; at its strongest the picture dissolves, in swirling grains, into the
// new photo, and the vortex lets go, unwinding it exactly into place.

#define TAU 6.28318530718

uniform vec2 centre; // = vec2(0.5, 0.5); the vortex's eye, 0..1 of the frame
uniform float turns; // = 0.25; how far the eye turns at the vortex's height, in whole turns
uniform float size; // = 0.5; the vortex's core, in frame heights: twist falls off beyond it
uniform float pull; // = 0.6; how strongly the vortex draws the picture in
uniform float grain; // = 22.0; the dissolve's grains across the frame's height
uniform int seed; // = 21

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

float lattice_hash(vec2 cell) {
    uint h = uint(int(cell.x)) * 0x8da6b343u ^ uint(int(cell.y)) * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return float(h >> 8) / 16777216.0;
}

// Smooth value noise, 0..1.
float noise(vec2 x) {
    vec2 cell = floor(x);
    vec2 f = x - cell;
    f = f * f * (3.0 - 2.0 * f);
    float a = lattice_hash(cell);
    float b = lattice_hash(cell + vec2(1.0, 0.0));
    float c = lattice_hash(cell + vec2(0.0, 1.0));
    float d = lattice_hash(cell + vec2(1.0, 1.0));
    return mix(mix(a, b, f.x), mix(c, d, f.x), f.y);
}

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);
    vec2 p = (uv - centre) * square;
    float strength = 4.0 * progress * (1.0 - progress);  // 0 at both ends, 1 in the middle
    float core = max(size, 1e-3);
    float near = 1.0 / (1.0 + dot(p, p) / (core * core));  // 1 at the eye, falling off outwards
    vec2 turn = cos_sin(TAU * turns * strength * near);
    // Sampling farther out than the pixel draws the picture in towards the eye.
    vec2 q = vec2(turn.x * p.x - turn.y * p.y, turn.y * p.x + turn.x * p.y) * (1.0 + pull * strength * near);
    vec2 at = q / square + centre;
    // The dissolve's grains are carried round by the vortex too; the outskirts go first.
    float order = 0.7 * noise(q * grain + 17.0) + 0.3 * (1.0 - near);
    float width = 0.15;
    float shown = smoothstep(order - width, order + width, progress * (1.0 + 2.0 * width) - width);
    return mix(getFromColor(at), getToColor(at), shown);
}
