// Circle: a soft-edged circle grows from `centre` and shows the new photo inside it
// (open), or the old photo shrinks to a disc at `centre` and vanishes (close). The radius
// runs to the farthest corner, so any centre and any aspect ratio end exactly.
// variant open: closing = false
// variant close: closing = true

uniform vec2 centre; // = vec2(0.5, 0.5); where the circle opens or closes, 0..1 of the frame
uniform bool closing; // = false
uniform float softness; // = 0.05; width of the soft edge, in frame heights

vec4 transition(vec2 uv) {
    vec2 square = vec2(ratio, 1.0);  // square units: one frame height is 1 in both axes
    float farthest = length(max(centre, 1.0 - centre) * square);
    float edge = max(softness, 1e-4);
    float d = length((uv - centre) * square);
    // The radius sweeps 0..farthest + edge, so the soft edge starts and ends off the frame.
    float grown = closing ? 1.0 - progress : progress;
    float radius = grown * (farthest + edge);
    float inside = 1.0 - smoothstep(radius - edge, radius, d);
    float shown = closing ? 1.0 - inside : inside;  // how much of the new photo shows
    return mix(getFromColor(uv), getToColor(uv), shown);
}
