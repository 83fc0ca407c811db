// Cube: the two photos are adjacent faces of a box that turns a quarter turn in
// perspective, the old face leaving towards `direction` and the new one coming round from
// the opposite side; the box backs away a little as it turns so its edge stays in frame.
// Each face is lit by how squarely it faces the viewer.
// variant left: direction = vec2(-1.0, 0.0)
// variant right: direction = vec2(1.0, 0.0)
// variant up: direction = vec2(0.0, 1.0)
// variant down: direction = vec2(0.0, -1.0)

#define HALF_PI 1.57079632679

uniform vec2 direction; // = vec2(-1.0, 0.0); where the old face goes
uniform float eye; // = 3.5; the viewer's distance from the screen, in half frame heights
uniform float back_off; // = 0.45; how far the box backs away at the middle, in half faces
uniform float shading; // = 0.55; how much a face darkens as it turns edge-on
uniform vec3 background; // = vec3(0.0, 0.0, 0.0)

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

// Where the ray from the eye through screen point `s` meets the face turned by angle
// (cos c, sin sn) about the box's axis at depth `axis_z`: the face's own coordinates
// (-half.x..half.x, -half.y..half.y), and whether the ray hits it from the front.
vec2 face_point(vec2 s, float c, float sn, float axis_z, vec2 half_size, out bool hit) {
    vec3 normal = vec3(-sn, 0.0, c);
    vec3 tangent = vec3(c, 0.0, sn);
    vec3 centre = vec3(-half_size.x * sn, 0.0, axis_z + half_size.x * c);
    vec3 ray = vec3(s, -eye);
    vec3 from_eye = centre - vec3(0.0, 0.0, eye);
    float facing = dot(ray, normal);
    float t = dot(from_eye, normal) / min(facing, -1e-6);
    vec3 point = vec3(0.0, 0.0, eye) + t * ray - centre;
    vec2 face = vec2(dot(point, tangent), point.y);
    hit = facing < 0.0 && all(lessThanEqual(abs(face), half_size));
    return face;
}

vec4 transition(vec2 uv) {
    // Work in a frame where the box turns about the vertical axis and the old face leaves
    // to the left: swap the axes for up / down, mirror for right / up.
    bool vertical = abs(direction.y) > abs(direction.x);
    float mirror = (vertical ? direction.y : direction.x) > 0.0 ? -1.0 : 1.0;
    vec2 s = (uv * 2.0 - 1.0) * vec2(ratio, 1.0);  // -ratio..ratio, -1..1
    vec2 half_size = vertical ? vec2(1.0, ratio) : vec2(ratio, 1.0);
    s = vertical ? s.yx : s;
    s.x *= mirror;

    float angle = progress * HALF_PI;  // the old face's turn; the new face's is angle - 90
    vec2 turned = cos_sin(angle);
    float c = turned.x;
    float sn = turned.y;
    float depth = half_size.x * back_off * 4.0 * progress * (1.0 - progress);
    float axis_z = -half_size.x - depth;  // the box's axis, behind the screen

    bool on_old;
    bool on_new;
    vec2 old_face = face_point(s, c, sn, axis_z, half_size, on_old);
    // The new face is turned a quarter turn further back: cos(a - 90) = sin a, sin(a - 90) = -cos a.
    vec2 new_face = face_point(s, sn, -c, axis_z, half_size, on_new);
    vec2 face = on_new ? new_face : old_face;
    face.x *= mirror;
    face = vertical ? face.yx : face;
    vec2 face_uv = face / vec2(ratio, 1.0) * 0.5 + 0.5;
    float facing = on_new ? sn : c;  // how squarely the face looks at the viewer
    float light = 1.0 - shading * (1.0 - facing);
    vec4 colour = on_new ? getToColor(face_uv) : getFromColor(face_uv);
    return on_old || on_new ? vec4(colour.rgb * light, colour.a) : vec4(background, 1.0);
}
