// 3D block spin: the frame is a grid of slabs (or one slab) with the old photo on their
// fronts and the new one on their backs; they spin half a turn about their vertical
// axes, in perspective and lit from the upper left, in a wave from the top-left corner.
// The geometry is drawn by block-spin.vert.glsl; this stage colours it.
// duration_s: 2.0
// variant grid: grid = ivec2(4, 3); stagger = 0.5
// variant slab: grid = ivec2(1, 1); stagger = 0.0

uniform vec3 side_colour; // = vec3(0.5, 0.5, 0.52)

flat in int face_kind;  // 0: front (the old photo), 1: back (the new one), 2: a side
in float shade;         // 1 when facing the viewer at rest; less as a face turns away

vec4 transition(vec2 uv) {
    if (face_kind == 0) {
        return getFromColor(uv) * vec4(vec3(shade), 1.0);
    }
    if (face_kind == 1) {
        return getToColor(uv) * vec4(vec3(shade), 1.0);
    }
    return vec4(side_colour * shade, 1.0);
}
