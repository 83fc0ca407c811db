// Page curl: the old photo is a sheet of paper peeled back from `corner`, curling over a
// cylinder whose fold line sweeps across the frame; the paper's back shows faintly through,
// the curl casts a soft shadow, and the new photo lies underneath.

#define PI 3.14159265359

uniform vec2 corner; // = vec2(1.0, 0.0); where the peel starts, 0..1 of the frame (here bottom right)
uniform float radius; // = 0.12; the curl's radius, in frame heights
uniform float shadow; // = 0.5; how dark the curl's shadow is on the new photo
uniform vec3 paper; // = vec3(0.93, 0.92, 0.89); the colour of the paper's back

bool on_page(vec2 p) {
    return all(greaterThanEqual(p, vec2(0.0))) && all(lessThanEqual(p, vec2(ratio, 1.0)));
}

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);
    vec2 p = uv * square;
    vec2 toward = normalize((corner - 0.5) * square + vec2(1e-6, 0.0));  // where the peel comes from
    // The page's extent along `toward`, and the fold line's position on it: from past the
    // near end (nothing curled) to where even the paper folded back has left the frame.
    vec2 far_corner = step(vec2(0.0), toward) * square;
    float high = dot(far_corner, toward);
    float low = dot(square - far_corner, toward);
    float r = max(radius, 1e-3);
    float shadow_width = 0.6 * r;
    float fold = mix(high + 1e-3, low - 0.5 * PI * r - shadow_width - 1e-3, progress);
    float x = dot(p, toward) - fold;  // distance past the fold line, towards the corner

    // The paper a pixel may see, topmost first: the part folded right back (arc length
    // PI r - x past the fold), the far half of the cylinder, its near half, the flat page.
    float a = asin(clamp(x / r, -1.0, 1.0));
    bool in_curl = x >= 0.0 && x <= r;
    vec2 folded_back = p + toward * (PI * r - 2.0 * x);
    vec2 far_half = p + toward * (r * (PI - a) - x);
    vec2 near_half = p + toward * (r * a - x);
    bool show_folded = x < 0.0 && on_page(folded_back);
    bool show_far = !show_folded && in_curl && on_page(far_half);
    bool show_near = !show_folded && !show_far && in_curl && on_page(near_half);
    bool show_flat = !show_folded && !show_far && !show_near && x < 0.0;
    bool back = show_folded || show_far;

    vec2 source = show_folded ? folded_back : show_far ? far_half : show_near ? near_half : p;
    vec4 old = getFromColor(source / square);
    float bend = sqrt(max(1.0 - (x / r) * (x / r), 0.0));  // cos of the angle round the cylinder
    float light = show_near ? 0.75 + 0.25 * bend : show_far ? 0.8 + 0.2 * bend : show_folded ? 0.97 : 1.0;
    vec3 paper_colour = mix(old.rgb, paper, 0.8) * light;  // the photo showing through the back
    vec3 front = old.rgb * light;

    vec4 under = getToColor(uv);
    // The curl's shadow on the new photo, just ahead of the cylinder.
    float shade = x > r ? shadow * (1.0 - smoothstep(0.0, shadow_width, x - r)) : 0.0;
    under.rgb *= 1.0 - shade;
    vec4 paper_px = vec4(back ? paper_colour : front, old.a);
    return show_folded || show_far || show_near || show_flat ? paper_px : under;
}
