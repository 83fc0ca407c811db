// Ripple: rain drops fall on the old photo, one after another; from each a ring of waves
// spreads out, bending the picture beneath it and catching the light along its crests,
// and inside each ring lies the new photo. The first drop lands at `first_drop` when the
// transition starts, the others at scattered places while it runs; every ring has grown
// past the frame's far corners by the end.
// duration_s: 2.0

#define MAX_DROPS 8

uniform int drops; // = 4; how many drops fall, 1..8
uniform vec2 first_drop; // = vec2(0.5, 0.5); where the first drop lands, 0..1 of the frame
uniform float stagger; // = 0.5; the share of the transition over which the later drops land
uniform float amplitude; // = 0.018; how far the waves bend the picture, in frame heights
uniform float wavelength; // = 0.07; the distance between wave crests, in frame heights
uniform float highlight; // = 0.35; how brightly the crests catch the light

// Where the later drops land (0..1 of the frame) and when (a share of `stagger`): spread
// out, and in an order that hops about the frame.
const vec2 PLACES[MAX_DROPS] = vec2[MAX_DROPS](vec2(0.5, 0.5), vec2(0.27, 0.68), vec2(0.78, 0.3),
    vec2(0.2, 0.22), vec2(0.66, 0.8), vec2(0.42, 0.14), vec2(0.88, 0.62), vec2(0.1, 0.5));
const float MOMENTS[MAX_DROPS] = float[MAX_DROPS](0.0, 0.3, 0.12, 0.75, 0.5, 1.0, 0.62, 0.2);

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);  // square units: one frame height is 1 in both axes
    vec2 p = uv * square;
    int count = clamp(drops, 1, MAX_DROPS);
    float lambda = max(wavelength, 1e-3);
    float per_wave = 1.0 / lambda;
    float per_edge = 2.0 * per_wave;  // the ring's soft edge is half a wavelength wide
    float per_trail = per_wave / 3.0;  // the waves die away three wavelengths inside it
    float spacing = clamp(stagger, 0.0, 0.9);
    vec2 bend = vec2(0.0);  // the waves' displacements, summed, in units of `amplitude`
    float deepest = -1e9;  // how far inside the ring it is most inside
    // A fixed number of rounds, unrolled by the compiler: a loop bounded by a parameter
    // costs several times as much on a software renderer. Drops past `drops` never land.
    for (int i = 0; i < MAX_DROPS; i++) {
        vec2 place = i == 0 ? first_drop : PLACES[i];
        float lands = spacing * MOMENTS[i];
        float t = clamp((progress - lands) / (1.0 - lands), 0.0, 1.0);  // this drop's own time
        t = i < count ? t : 0.0;
        float reach = length(max(place, 1.0 - place) * square) + 0.5 * lambda;
        vec2 offset = p - place * square;
        float d2 = dot(offset, offset);
        float per_distance = inversesqrt(max(d2, 1e-8));
        // The ring speeds up a little as it grows: several rings would otherwise cover most
        // of the frame early and leave the rest of the transition to the last corners.
        float radius = t * (0.35 + 0.65 * t) * reach;
        float behind = radius - d2 * per_distance;  // how far inside the ring this pixel is
        deepest = max(deepest, behind);
        // The waves: strongest at the ring, fading inside it, none outside; weaker as the
        // ring grows, and gone when it has passed the far corner.
        float envelope = clamp(1.0 - behind * per_trail, 0.0, 1.0) * clamp(1.0 + behind * per_edge, 0.0, 1.0);
        float tri = 4.0 * abs(fract(behind * per_wave) - 0.5) - 1.0;  // a triangle wave...
        float wave = tri * (1.5 - 0.5 * tri * tri);  // ... rounded into a near-sine
        float strength = envelope * envelope * (1.0 - t) * min(1.0, 8.0 * t);
        bend += offset * (per_distance * strength * wave);
    }
    float revealed = clamp(deepest * per_edge, 0.0, 1.0);
    vec2 at = uv + amplitude * bend / square;
    vec4 colour = mix(getFromColor(at), getToColor(at), revealed);
    // Light from the upper left: a slope facing it shines, one facing away is shaded.
    float lit = dot(bend, vec2(-0.6, 0.8));
    return vec4(colour.rgb * (1.0 + highlight * lit), colour.a);
}
