// Crumble: the old photo cracks into irregular pieces, which break loose one after
// another, starting near `origin`, and fall away, turning as they drop out of the frame,
// to leave the new photo behind. The pieces (and the new photo behind them) are drawn by
// crumble.vert.glsl; this stage colours them. The parameters above `crack_width` shape
// the geometry: they are read by the vertex stage, and described here.
// duration_s: 2.2

uniform int pieces; // = 40; how many pieces, about: the frame's shape decides rows and columns
uniform float jitter; // = 0.75; how irregular the pieces are, 0 (squares) .. 0.9
uniform float spread; // = 0.55; the share of the transition over which pieces break loose
uniform vec2 origin; // = vec2(0.5, 1.0); where the first pieces break loose, 0..1 of the frame
uniform int seed; // = 11; another seed, other pieces
uniform float crack_width; // = 0.006; the cracks' width, in frame heights

const float CRACKING = 0.08;  // as in crumble.vert.glsl

flat in int piece;
in float shade;
in float to_edge;

vec4 transition(vec2 uv) {
    vec4 old = getFromColor(uv);
    vec4 new = getToColor(uv);
    float opening = smoothstep(0.0, CRACKING, progress);  // no cracks at the start: exact
    float width = max(crack_width, 1e-4);
    float crack = opening * (1.0 - smoothstep(0.5 * width, width, to_edge));
    vec3 broken = old.rgb * shade * (1.0 - 0.85 * crack);
    return piece == 1 ? vec4(broken, old.a) : new;
}
