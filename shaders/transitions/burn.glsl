// Burn: a flame eats through the old photo from `origin` outwards along a ragged, noisy
// front: ahead of it the picture scorches brown, at the edge it chars black and glows
// orange, and behind it lies the new photo, lit warm by the embers, with a little smoke
// rising off the edge.
// duration_s: 2.0

uniform vec2 origin; // = vec2(0.5, 0.35); where the burn starts, 0..1 of the frame
uniform float ragged; // = 0.45; how much the noise bends the front: 0 a clean circle
uniform float scale; // = 5.0; the front's largest wiggles across the frame's height
uniform float edge; // = 0.03; the width of the glowing edge, in units of the burn's travel
uniform vec3 flame; // = vec3(1.0, 0.55, 0.12); the glowing edge's colour
uniform float smoke; // = 0.35; how thick the smoke is, 0 for none
uniform int seed; // = 4

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
    vec2 p = uv * square;
    // When the front reaches a pixel, 0..1: its distance from the origin (as a share of the
    // farthest corner's), bent by three octaves of noise, the finest making it jagged.
    float farthest = length(max(origin, 1.0 - origin) * square);
    float distance_ = length(p - origin * square) / farthest;
    vec2 n = p * scale;
    float rough = 0.55 * noise(n) + 0.3 * noise(n * 2.3 + 5.1) + 0.15 * noise(n * 5.7 + 9.7);
    // Stretched so that the front's first and last touches fall near 0 and 1.
    float r = clamp(ragged, 0.0, 1.0);
    float order = clamp((mix(distance_, rough, r) - 0.2 * r) / (1.0 - 0.35 * r), 0.0, 1.0);
    // Bands around the front, in the same units: glow behind it, char and scorch ahead.
    float glow = max(edge, 1e-3);
    float char_ = 1.2 * glow;
    float scorch = 3.0 * glow;
    float haze = 4.0 * glow;  // how far behind the edge smoke still hangs
    float ahead = char_ + scorch;
    float behind = max(glow, haze);
    // The front sweeps from before the first band touches the frame to past the last.
    float front = progress * (1.0 + ahead + behind) - ahead;
    float e = order - front;  // > 0: not burnt yet; < 0: burnt

    vec4 old = getFromColor(uv);
    vec3 brown = old.rgb * vec3(0.55, 0.38, 0.22);
    float scorched = clamp((ahead - e) / scorch, 0.0, 1.0);
    vec3 paper = mix(old.rgb, brown, scorched);
    float charred = clamp(1.0 - e / char_, 0.0, 1.0);
    paper = mix(paper, vec3(0.05, 0.03, 0.02), charred);

    vec4 new = getToColor(uv);
    float heat = 1.0 - smoothstep(0.0, glow, -e);  // 1 at the edge, 0 a glow width behind
    vec3 lit = new.rgb * (1.0 + 0.6 * heat * flame);  // embers light the new photo
    vec3 edge_colour = mix(flame, vec3(1.0, 0.92, 0.7), heat * heat);
    vec3 burnt = mix(lit, edge_colour, heat * heat * heat);
    // Smoke: a grey veil just behind the edge, thinning out, in wisps from the noise.
    float veil = clamp(1.0 + e / haze, 0.0, 1.0) * clamp(2.5 * rough - 0.9, 0.0, 1.0);
    burnt = mix(burnt, vec3(0.35, 0.34, 0.33), clamp(smoke, 0.0, 1.0) * 0.6 * veil * step(e, 0.0));

    vec3 colour = e > 0.0 ? paper : burnt;
    return vec4(colour, e > 0.0 ? old.a : new.a);
}
