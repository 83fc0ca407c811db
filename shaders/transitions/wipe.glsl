// Wipe: a straight, soft edge sweeps across the frame in `direction`, uncovering the new
// photo behind it. The diagonals run corner to corner on any aspect ratio.
// variant right: direction = vec2(1.0, 0.0)
// variant left: direction = vec2(-1.0, 0.0)
// variant up: direction = vec2(0.0, 1.0)
// variant down: direction = vec2(0.0, -1.0)
// variant down-right: direction = vec2(1.0, -1.0)
// variant up-right: direction = vec2(1.0, 1.0)

uniform vec2 direction; // = vec2(1.0, 0.0)
uniform float softness; // = 0.08

vec4 transition(vec2 uv) {
    vec2 toward = normalize(direction);
    vec2 p = (uv - 0.5) * vec2(ratio, 1.0);  // square units, so a diagonal is 45 degrees
    float reach = abs(toward.x) * ratio + abs(toward.y);  // the frame's extent along toward
    float along = dot(p, toward) / reach + 0.5;  // 0 at the first corner, 1 at the last
    float edge = max(softness, 1e-4);
    // The edge starts just before 0 and ends just past 1, so both ends are exact.
    float uncovered = smoothstep(along, along + edge, progress * (1.0 + edge));
    return mix(getFromColor(uv), getToColor(uv), uncovered);
}
