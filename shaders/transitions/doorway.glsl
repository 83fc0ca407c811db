// Doorway: the old photo splits down the middle into two doors that swing open, away from
// the viewer and in perspective, until each is edge-on at its side of the frame; behind
// them the new photo comes forward out of the dark into place.

#define HALF_PI 1.57079632679

uniform float depth; // = 0.6; the new photo's size, a share of the frame, while the doors are shut
uniform float shading; // = 0.6; how much a door darkens as it swings
uniform float darkness; // = 0.75; how dark the new photo is behind the shut doors

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

vec4 transition(vec2 uv) {
    // Square units, x mirrored so the door on this pixel's side is always the left one:
    // hinged at x = -ratio, its free edge at the middle while shut.
    vec2 s = (uv * 2.0 - 1.0) * vec2(ratio, 1.0);
    float side = s.x < 0.0 ? 1.0 : -1.0;
    s.x *= side;
    float eye = 2.0 * ratio + 1.0;
    // A door is edge-on to the viewer, and so gone, once it has swung past a right angle by
    // the angle at which the viewer sees its hinge.
    float swung = min(progress * 1.25, 1.0);  // the doors are gone at progress 0.8
    float k = ratio / eye;  // < 0.5: atan from its series, to 1e-4
    float k2 = k * k;
    float hinge_angle = k * (1.0 - k2 * (1.0 / 3.0 - k2 * (0.2 - k2 * (1.0 / 7.0 - k2 / 9.0))));
    vec2 turned = cos_sin(swung * (HALF_PI + hinge_angle));
    float c = turned.x;
    float sn = turned.y;
    // The ray from the eye (0, 0, eye) through (s, 0) meets the door's plane, which holds
    // the hinge (-ratio, 0, 0) and runs into the picture along (c, 0, -sn).
    vec3 ray = vec3(s, -eye);
    vec3 normal = vec3(sn, 0.0, c);
    float t = dot(vec3(-ratio, 0.0, -eye), normal) / min(dot(ray, normal), -1e-6);
    vec3 point = vec3(0.0, 0.0, eye) + t * ray;
    float across = dot(point.xz - vec2(-ratio, 0.0), vec2(c, -sn));  // 0 at the hinge
    bool on_door = swung < 1.0 && across >= 0.0 && across <= ratio && abs(point.y) <= 1.0;
    vec2 door_uv = vec2(0.5 + side * (across / ratio - 1.0) * 0.5, point.y * 0.5 + 0.5);
    vec4 door = getFromColor(door_uv);
    door.rgb *= 1.0 - shading * (1.0 - c * c);

    float coming = smoothstep(0.0, 1.0, progress);
    float size = mix(depth, 1.0, coming);
    vec4 behind = getToColor((uv - 0.5) / size + 0.5);
    bool in_photo = all(lessThanEqual(abs(uv - 0.5), vec2(0.5 * size)));
    behind.rgb *= in_photo ? mix(1.0 - darkness, 1.0, coming) : 0.0;
    return on_door ? door : behind;
}
