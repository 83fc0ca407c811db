#version 330 core
// Dynamic resolution's upscale: the bottom-left `region` (in texels) of a display-sized
// texture, drawn filtered over the whole target. Sampling is clamped half a texel inside
// the region: the texels beyond it hold an older frame, and a bilinear tap at the edge
// would blend them in (a dark seam along the right and top edges).
uniform sampler2D frame;
uniform vec2 region;
uniform vec2 texel_size;
in vec2 uv;
out vec4 colour;

void main() {
    vec2 texel = clamp(uv * region, vec2(0.5), region - vec2(0.5));
    colour = texture(frame, texel * texel_size);
}
