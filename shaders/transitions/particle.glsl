// Particle: the new photo arrives as a swarm of small particles, each carrying its own
// patch of the picture, that fly in from beyond the frame and settle edge to edge into
// place while the old photo dims beneath them. Directional: a stream heading along
// `direction` that fills the frame from its far side back. Converge: from all round,
// straight in, the middle first. Swirl: as converge, spiralling about the centre.
// duration_s: 2.5
// variant directional: radial = false; spin = 0.0; ragged = 0.35
// variant converge: radial = true; spin = 0.0; ragged = 0.0
// variant swirl: radial = true; spin = 4.0; ragged = 0.0
//
// How a pixel finds its particle without looking at them all: a particle's home has a
// coordinate b (minus its place along `direction`, or its distance from the centre) and a
// cross coordinate c that its flight keeps; it sets off at a time that grows with b (and a
// little with c), and is now at b + reach * (1 - t)^2 along its path, t its flight's share
// done. Along one path that grows with b, so the b under a pixel is the one positive root
// of a quadratic; the pixel then checks the particle whose home lies nearest, at its own
// exact place. So each pixel looks at one particle, not at thousands. (A particle's disc,
// mapped back to homes, stays inside its own cell: the paths only spread particles apart,
// and the wobble is kept under a quarter of a particle.)

uniform bool radial; // = false; from all round (converge, swirl) rather than a stream
uniform vec2 direction; // = vec2(-1.0, 0.0); the stream's heading (directional)
uniform float spin; // = 0.0; how far a particle turns about the centre on its way, about in radians
uniform float ragged; // = 0.35; how unevenly the stream's front advances (directional; radial ones fray with it)
uniform int rows; // = 40; particles across the frame's height
uniform float spread; // = 0.6; the share of the transition over which the particles set off
uniform float wobble; // = 0.2; how far a particle strays from the common path, in particles (at most 0.25)
uniform float dim; // = 0.4; how much the old photo darkens under the swarm

// The turn a particle still has to make, as (cos, sin): by the angle 2 atan(w) for
// w = spin * left^2 / 2, which starts like spin * left^2 and needs no sin or cos (those
// cost as much as a texture read each on a software renderer); (1, 0) at home.
vec2 turn_for(float left) {
    float w = 0.5 * spin * left * left;
    return vec2(1.0 - w * w, 2.0 * w) / (1.0 + w * w);
}

// A smooth wave of period 1, like sin(2 PI x) but from a few multiplications.
float wave(float x) {
    float t = 4.0 * abs(fract(x) - 0.5) - 1.0;
    return t * (1.5 - 0.5 * t * t);
}

// Two numbers -0.5..0.5 for a particle's integer home, scattered evenly (a low
// discrepancy sequence: cheaper than a hash, and random enough for a wobble).
vec2 particle_scatter(vec2 cell) {
    return fract(vec2(dot(cell, vec2(0.7548776662, 0.5698402910)),
                      dot(cell, vec2(0.5698402910, 0.3247179572)) + 0.5)) - 0.5;
}

// 0..1, smooth: how late the particles with cross coordinate `across` set off.
float unevenness(vec2 across) {
    return 0.5 + 0.5 * wave(2.3 * across.x + 1.7 * across.y + 0.13);
}

vec2 rotate(vec2 v, vec2 cs) {
    return vec2(cs.x * v.x - cs.y * v.y, cs.y * v.x + cs.x * v.y);
}

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);
    vec2 p = (uv - 0.5) * square;  // square units, centred
    vec2 heading = normalize(direction + vec2(1e-6, 0.0));
    float cell = 1.0 / float(max(rows, 1));
    // The range of b over the frame, a particle wider each way so edge particles fit in.
    float b_pixel = radial ? length(p) : -dot(p, heading);
    float b_high = (radial ? length(0.5 * square) : dot(0.5 * square, abs(heading))) + cell;
    float b_low = radial ? 0.0 : -b_high;
    float reach = b_high - b_low + cell;  // so every particle sets off beyond the frame
    float lag = clamp(spread, 0.0, 0.95);
    float flight = 1.0 - lag;  // each particle's flight, a share of the transition
    // The cross coordinate's unevenness: a particle sets off up to `ragged` * lag late.
    vec2 across = radial ? p / max(b_pixel, 1e-6) : vec2(dot(p, vec2(-heading.y, heading.x)), 0.0);
    float uneven = unevenness(across);
    float rag = clamp(ragged, 0.0, 1.0);
    float slope = lag * (1.0 - rag) / (b_high - b_low);  // set-off time per unit of b
    float start = progress - lag * rag * uneven;  // so t(b) = (start - slope (b - b_low)) / flight

    // The home coordinate under this pixel: with u = 1 - t, b = b_low + (start - flight (1 - u))
    // / slope, and the pixel at b + reach u^2, so reach u^2 + (flight / slope) u = k: a
    // quadratic, solved in the form that loses no precision.
    float a = flight / max(slope, 1e-6);
    float k = max(b_pixel - b_low - (start - flight) / max(slope, 1e-6), 0.0);
    float u = min(2.0 * k / (a + sqrt(a * a + 4.0 * reach * k)), 1.0);  // 1: not set off yet
    float b_home = b_pixel - reach * u * u;
    vec2 turn = turn_for(u);
    vec2 home = radial ? rotate(p * (b_home / max(b_pixel, 1e-6)), turn * vec2(1.0, -1.0))
                       : p + heading * (b_pixel - b_home);

    // The particle whose home is nearest that point, at its own exact place: is it over the
    // pixel? (Its disc, mapped back to homes, stays inside its own cell, wobble included.)
    vec2 index = floor(home / cell);
    vec2 own = (index + 0.5) * cell;
    vec2 own_across = radial ? own / max(length(own), 1e-6) : vec2(dot(own, vec2(-heading.y, heading.x)), 0.0);
    float own_start = progress - lag * rag * unevenness(own_across);
    float b = radial ? length(own) : -dot(own, heading);
    float t = clamp((own_start - slope * (b - b_low)) / flight, 0.0, 1.0);
    float left = 1.0 - t;
    float away = reach * left * left;
    // Out along its path (straight back against the heading, or out from the centre), and
    // turned about the centre.
    vec2 outward = radial ? own / max(b, 1e-6) : -heading;
    vec2 now = rotate(own + outward * away, turn_for(left));
    now += particle_scatter(index) * (clamp(wobble, 0.0, 0.25) * cell * left);
    now = t >= 1.0 ? own : now;  // home exactly, so the settled ones tile the frame
    // In flight a particle is a small disc; it lands as its whole square.
    vec2 q = (p - now) / (cell * mix(0.25, 0.5, t));
    bool covered = t > 0.0 && all(lessThan(abs(own), 0.5 * square + 0.5 * cell))
                   && (t >= 1.0 ? max(abs(q.x), abs(q.y)) <= 1.0001 : dot(q, q) <= 1.0);
    vec2 sample_at = p - now + own;
    vec4 old = getFromColor(uv);
    old.rgb *= 1.0 - dim * 4.0 * progress * (1.0 - progress);
    vec4 particle = getToColor(sample_at / square + 0.5);
    particle.rgb *= 1.0 + 0.5 * left;  // brighter while flying
    return covered ? particle : old;
}
