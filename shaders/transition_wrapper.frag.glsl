#version 330 core
// The fragment stage every transition is compiled inside (gl-transitions convention).
// The two frames are display-sized and already composed (fit mode, letterbox, alpha over
// black, GL's bottom-up rows), so getFromColor/getToColor sample them at display uv: a
// transition never needs to know how a photo was fitted. The sampler bound with them
// clamps to the edge, so uv outside 0..1 repeats the border texel, as WebGL does.
uniform sampler2D from_frame;  // the photo shown at progress 0
uniform sampler2D to_frame;    // the photo shown at progress 1
uniform float progress;        // 0..1, eased
uniform float ratio;           // width / height of the target
in vec2 transition_uv;         // 0..1 across the target (or what a vertex stage writes)
out vec4 transition_colour;

vec4 getFromColor(vec2 uv) {
    return texture(from_frame, uv);
}

vec4 getToColor(vec2 uv) {
    return texture(to_frame, uv);
}

#pragma transition_source

void main() {
    transition_colour = transition(transition_uv);
}
