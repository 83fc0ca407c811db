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
// The part of each frame shown (Ken Burns): x, y, width, height in its texture's 0..1;
// (0, 0, 1, 1), the whole frame, leaves every sample exactly where it was.
uniform vec4 from_view = vec4(0.0, 0.0, 1.0, 1.0);
uniform vec4 to_view = vec4(0.0, 0.0, 1.0, 1.0);
// 0..1, the music's bass energy now, for transitions that react to it (audio_motion.energy;
// 0 when that is off). A transition must still be exact at progress 0 and 1 with any value.
uniform float audio_energy = 0.0;
in vec2 transition_uv;         // 0..1 across the target (or what a vertex stage writes)
out vec4 transition_colour;

vec4 getFromColor(vec2 uv) {
    return texture(from_frame, from_view.xy + uv * from_view.zw);
}

vec4 getToColor(vec2 uv) {
    return texture(to_frame, to_view.xy + uv * to_view.zw);
}

#pragma transition_source

void main() {
    transition_colour = transition(transition_uv);
}
