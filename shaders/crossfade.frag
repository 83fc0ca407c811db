#version 330 core
// Two composed frames crossfaded by `progress` (0 = exactly the old one, 1 = exactly the
// new one). Both are display-sized and already letterboxed, so one pixel maps to one
// texel: texelFetch, no filtering, exact, and cheap even on a software renderer.
uniform sampler2D from_tex;
uniform sampler2D to_tex;
uniform float progress;  // 0..1
out vec4 colour;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    colour = mix(texelFetch(from_tex, pixel, 0), texelFetch(to_tex, pixel, 0), progress);
}
