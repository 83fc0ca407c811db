// Slide: the new photo pushes the old one out of the frame; both move together, the
// new one entering from the side opposite `direction`.
// variant left: direction = vec2(-1.0, 0.0)
// variant right: direction = vec2(1.0, 0.0)
// variant up: direction = vec2(0.0, 1.0)
// variant down: direction = vec2(0.0, -1.0)

uniform vec2 direction; // = vec2(-1.0, 0.0)

bool on_frame(vec2 p) {
    return all(greaterThanEqual(p, vec2(0.0))) && all(lessThanEqual(p, vec2(1.0)));
}

vec4 transition(vec2 uv) {
    vec2 travel = sign(direction);  // one whole frame along each axis that moves
    vec2 old_uv = uv - travel * progress;
    if (on_frame(old_uv)) {
        return getFromColor(old_uv);
    }
    return getToColor(old_uv + travel);
}
