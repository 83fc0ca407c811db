// Blinds: the frame is cut into `count` slats that each open from their middle, showing
// the new photo; horizontal slats open up and down, vertical ones sideways.
// variant horizontal: vertical = false
// variant vertical: vertical = true

uniform int count; // = 8
uniform bool vertical; // = false
uniform float softness; // = 0.1

vec4 transition(vec2 uv) {
    float across = vertical ? uv.x : 1.0 - uv.y;
    float slat = fract(across * float(max(count, 1)));
    float from_middle = abs(slat - 0.5) * 2.0;  // 0 in a slat's middle, 1 at its edges
    float edge = max(softness, 1e-4);
    float open = smoothstep(from_middle, from_middle + edge, progress * (1.0 + edge));
    return mix(getFromColor(uv), getToColor(uv), open);
}
