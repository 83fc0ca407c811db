// The geometry of crumble: one instance per piece of the broken photo, a fan of up to
// twelve triangles from its seed over its Voronoi cell (the points nearer its seed than
// any neighbour's, found by clipping a square by the eight neighbours' bisectors); the
// last instance also draws the new photo behind all the pieces. At rest the pieces tile
// the frame, each grown by a hair so that rounding leaves no pixel between two of them;
// falling, each drops, drifts, turns and recedes until it has left the frame.
// vertices: 42
// instances: pieces

// The parameters (described in crumble.glsl):
uniform int pieces; // = 40
uniform float jitter; // = 0.75
uniform float spread; // = 0.55
uniform vec2 origin; // = vec2(0.5, 1.0)
uniform int seed; // = 11

const float CRACKING = 0.08;  // the share of the transition the cracks take to open
const float OVERLAP = 1e-4;  // how far each piece reaches past its cell's edges, in frame heights
const float FAR_Z = 0.9;  // the new photo's depth; pieces lie in front of it

flat out int piece;  // 1 for a piece of the old photo, 0 for the new photo behind
out float shade;  // 1 at rest, darker as a piece falls away
out float to_edge;  // distance from the piece's edge, in frame heights, for the cracks

// Two numbers 0..1, well mixed, for a cell.
vec2 cell_hash(ivec2 cell) {
    uint h = uint(cell.x) * 0x8da6b343u ^ uint(cell.y) * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    return vec2(float(h >> 16), float(h & 0xffffu)) / 65536.0;
}

// A cell's seed, in cells (cell (i, j) spans i..i+1, j..j+1).
vec2 seed_of(ivec2 cell) {
    return vec2(cell) + 0.5 + clamp(jitter, 0.0, 0.9) * (cell_hash(cell) - 0.5);
}

void main() {
    // Near-square cells, as many as `pieces` allows, whatever the frame's shape; the
    // Voronoi cells are worked out in cells, where a 3 x 3 neighbourhood is enough.
    int most = max(pieces, 1);
    int rows = clamp(int(floor(sqrt(float(most) / ratio) + 0.5)), 1, most);
    ivec2 cells = ivec2(clamp(int(floor(float(rows) * ratio + 0.5)), 1, most / rows), rows);
    vec2 square = vec2(ratio, 1.0);
    vec2 cell_size = square / vec2(cells);  // one cell in square units
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: nothing drawn
    piece = 1;
    shade = 1.0;
    to_edge = 1.0;
    transition_uv = vec2(0.0);
    if (gl_VertexID >= 36) {  // the new photo, behind everything: drawn by the last instance
        if (gl_InstanceID == most - 1) {
            int corner = gl_VertexID - 36;
            vec2 at = vec2(corner == 1 || corner == 2 || corner == 4 ? 1.0 : 0.0,
                           corner == 2 || corner == 4 || corner == 5 ? 1.0 : 0.0);
            gl_Position = vec4(at * 2.0 - 1.0, FAR_Z, 1.0);
            transition_uv = at;
            piece = 0;
        }
        return;
    }
    if (gl_InstanceID >= cells.x * cells.y) {
        return;  // more instances than the frame's shape has room for
    }
    ivec2 cell = ivec2(gl_InstanceID % cells.x, gl_InstanceID / cells.x);
    vec2 own = seed_of(cell);
    // When the piece falls: those near `origin` first, with some disorder.
    float farthest = length(max(origin, 1.0 - origin) * square);
    float order = 0.7 * length(own * cell_size - origin * square) / farthest + 0.3 * cell_hash(cell + 7).x;
    float lag = clamp(spread, 0.0, 0.85) * (1.0 - CRACKING);
    float t = clamp((progress - CRACKING - lag * order) / (1.0 - CRACKING - lag), 0.0, 1.0);
    int side = gl_VertexID / 3;  // this vertex's triangle: the seed and polygon edge `side`
    if (t >= 1.0) {
        return;  // gone
    }
    // The cell: a square round the seed, cut down by each neighbour's bisector.
    vec2 polygon[12];
    vec2 clipped[12];
    int n = 4;
    polygon[0] = own + vec2(-1.6, -1.6);
    polygon[1] = own + vec2(1.6, -1.6);
    polygon[2] = own + vec2(1.6, 1.6);
    polygon[3] = own + vec2(-1.6, 1.6);
    for (int k = 0; k < 9; k++) {
        ivec2 other = cell + ivec2(k % 3 - 1, k / 3 - 1);
        if (k == 4 || any(lessThan(other, ivec2(0))) || any(greaterThanEqual(other, cells))) {
            continue;
        }
        vec2 neighbour = seed_of(other);
        vec2 normal = neighbour - own;
        float limit = dot(0.5 * (neighbour + own), normal);  // keep points with x.normal <= limit
        int m = 0;
        for (int v = 0; v < 12; v++) {
            if (v >= n) {
                break;
            }
            vec2 a = polygon[v];
            vec2 b = polygon[(v + 1) % n];
            float da = dot(a, normal) - limit;
            float db = dot(b, normal) - limit;
            if (da <= 0.0 && m < 12) {
                clipped[m++] = a;
            }
            if ((da <= 0.0) != (db <= 0.0) && m < 12) {
                clipped[m++] = a + (b - a) * (da / (da - db));
            }
        }
        n = m;
        for (int v = 0; v < 12; v++) {
            polygon[v] = clipped[v];
        }
    }
    if (side >= n) {
        return;
    }
    // This vertex: the seed, or an end of edge `side`, in square units from here on,
    // pushed out a hair from the seed.
    int corner = gl_VertexID % 3;
    vec2 a = polygon[side] * cell_size;
    vec2 b = polygon[(side + 1) % n] * cell_size;
    own *= cell_size;
    vec2 point = corner == 0 ? own : (corner == 1 ? a : b);
    point += corner == 0 ? vec2(0.0) : normalize(point - own) * OVERLAP;
    transition_uv = point / square;
    vec2 along = normalize(b - a);
    to_edge = corner == 0 ? abs(along.x * (own.y - a.y) - along.y * (own.x - a.x)) : 0.0;

    // The fall: down under gravity (out of the frame at t = 1), drifting sideways,
    // turning, and away from the viewer.
    vec2 wander = cell_hash(cell + 13) - 0.5;
    float angle = 1.6 * wander.y * t;
    float c = cos(angle);
    float s = sin(angle);
    float scale = 1.0 - 0.35 * t;
    vec2 arm = (point - own) * scale;
    vec2 moved = own + vec2(c * arm.x - s * arm.y, s * arm.x + c * arm.y)
                 + vec2(0.35 * wander.x * t, -(own.y + 0.45) * t * (0.25 + 0.75 * t));
    gl_Position = vec4(moved / square * 2.0 - 1.0, 0.5 * t, 1.0);  // later fallers behind
    shade = (1.0 - 0.55 * t) * (0.9 + 0.1 * c);
    shade = t > 0.0 ? shade : 1.0;
}
