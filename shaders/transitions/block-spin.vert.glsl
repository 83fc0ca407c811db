// The geometry of block-spin: one box per grid cell (an instance), 36 vertices each (six
// faces of two triangles), built from gl_VertexID; no vertex buffers.
// vertices: 36
// instances: grid

#define PI 3.14159265359

uniform ivec2 grid; // = ivec2(4, 3)
uniform float stagger; // = 0.5
uniform float thickness; // = 0.2

const float EYE = 3.0;  // the camera's distance from the screen plane, in half frame heights
const float NEAR_W = 0.5;  // clip w (depth / EYE) mapped to the near and far depth planes
const float FAR_W = 16.0;
const vec3 LIGHT = vec3(-0.45, 0.55, 0.70);  // towards the light: upper left, in front
const vec2 CORNERS[6] = vec2[6](vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(1.0, 1.0),
                                vec2(0.0, 0.0), vec2(1.0, 1.0), vec2(0.0, 1.0));

flat out int face_kind;
out float shade;

// A point of face `face` (0 front +z, 1 back, 2 right, 3 left, 4 top, 5 bottom) of the
// box -1..1, at st (-1..1 across the face), and the face's normal.
vec3 box_point(int face, vec2 st, out vec3 normal) {
    if (face == 0) { normal = vec3(0.0, 0.0, 1.0); return vec3(st, 1.0); }
    if (face == 1) { normal = vec3(0.0, 0.0, -1.0); return vec3(-st.x, st.y, -1.0); }
    if (face == 2) { normal = vec3(1.0, 0.0, 0.0); return vec3(1.0, st.y, -st.x); }
    if (face == 3) { normal = vec3(-1.0, 0.0, 0.0); return vec3(-1.0, st.y, st.x); }
    if (face == 4) { normal = vec3(0.0, 1.0, 0.0); return vec3(st.x, 1.0, -st.y); }
    normal = vec3(0.0, -1.0, 0.0);
    return vec3(st.x, -1.0, st.y);
}

vec3 turn_about_y(vec3 v, float c, float s) {
    return vec3(v.x * c + v.z * s, v.y, -v.x * s + v.z * c);
}

void main() {
    ivec2 cells = max(grid, ivec2(1));
    ivec2 cell = ivec2(gl_InstanceID % cells.x, gl_InstanceID / cells.x);
    int face = gl_VertexID / 6;
    vec2 corner = CORNERS[gl_VertexID % 6];
    vec3 normal;
    vec3 p = box_point(face, corner * 2.0 - 1.0, normal);

    // The cell in 0..1; neighbours compute a shared edge from the same integer, so at rest
    // the fronts tile the frame with no gap and no overlap.
    vec2 lo = vec2(cell) / vec2(cells);
    vec2 hi = vec2(cell + 1) / vec2(cells);
    vec2 on_screen = vec2(corner.x < 0.5 ? lo.x : hi.x, corner.y < 0.5 ? lo.y : hi.y);
    transition_uv = on_screen;

    // The wave: 0 for the top-left slab, 1 for the bottom-right one.
    float wave = float(cell.x + (cells.y - 1 - cell.y)) / float(max(cells.x + cells.y - 2, 1));
    float lag = clamp(stagger, 0.0, 0.95);
    float turn = smoothstep(0.0, 1.0, clamp((progress - wave * lag) / (1.0 - lag), 0.0, 1.0));
    float angle = turn * PI;
    float c = cos(angle);
    float s = max(sin(angle), 0.0);

    // Frame units: x -ratio..ratio, y -1..1, z towards the viewer; the screen plane is z = 0.
    vec2 half_size = (hi - lo) * vec2(ratio, 1.0);
    vec2 centre = ((lo + hi) - 1.0) * vec2(ratio, 1.0);
    float half_depth = max(thickness, 0.0) * half_size.x;
    vec3 q = turn_about_y(p * vec3(half_size, half_depth), c, s);
    q.z -= half_depth + s * half_size.x;  // front on the screen at rest; back away while turning
    vec3 world = vec3(centre + q.xy, q.z);
    float w = 1.0 - world.z / EYE;
    float b = -2.0 / (1.0 / NEAR_W - 1.0 / FAR_W);
    float a = 1.0 - b / FAR_W;  // depth a + b / w: -1 at NEAR_W, 1 at FAR_W
    gl_Position = vec4(world.x / ratio, world.y, a * w + b, w);

    float lambert = max(dot(turn_about_y(normal, c, s), normalize(LIGHT)), 0.0);
    float lit = 0.3 + 0.7 * lambert;
    face_kind = min(face, 2);
    shade = face < 2 ? mix(1.0, lit, s) : lit;
    // At rest a slab is only its face towards the viewer, exactly on its cell: exact pixels
    // at 0 and 1, and no side face of a neighbour can tie with it in depth on a shared edge.
    if (turn <= 0.0 || turn >= 1.0) {
        bool facing = face == (turn <= 0.0 ? 0 : 1);
        gl_Position = facing ? vec4(on_screen * 2.0 - 1.0, a + b, 1.0) : vec4(2.0, 2.0, 2.0, 1.0);
        shade = 1.0;
    }
}
