#version 330 core
// Composes a photo, once, into a display-sized frame: centred, transparency shown over
// what is behind it, rows flipped into GL's bottom-up order. Behind the photo is black
// (the letterbox), or, compiled with BLUR_BACKGROUND defined, the photo itself scaled to
// cover the display, blurred and darkened. (A define, not a uniform branch: llvmpipe paid
// for the blur code even with the branch off, 3x the cost of the plain compose.)
// Every later frame then only copies (blit) or mixes whole frames, with no per-pixel
// geometry at all.
uniform sampler2D photo_tex;  // the photo as uploaded: top row first, in the top-left corner
uniform ivec2 origin;  // the photo's top-left corner on the display, in pixels
uniform ivec2 size;    // the photo's size in pixels
uniform int display_height;
uniform sampler2D small_tex;   // the photo shrunk `reduce` times (blur_reduce.frag)
uniform float reduce;
uniform float darken;          // background brightness, 0..1
out vec4 colour;

vec3 background(ivec2 pixel) {
#ifndef BLUR_BACKGROUND
    return vec3(0.0);
#else
    // Cover: the photo scaled up until it fills the display, centred.
    vec2 photo_size = vec2(size);
    vec2 display_size = vec2(origin) * 2.0 + photo_size;
    float scale = max(display_size.x / photo_size.x, display_size.y / photo_size.y);
    vec2 at = (vec2(pixel) + 0.5 - display_size * 0.5) / scale + photo_size * 0.5;
    // In small texels, kept half a texel inside the photo's part of the small texture.
    vec2 small_size = vec2(textureSize(small_tex, 0));
    vec2 used = max(photo_size / reduce, vec2(1.0));
    vec3 sum = vec3(0.0);
    for (int i = 0; i < 4; i++) {  // four bilinear taps a texel apart: no visible cells
        vec2 offset = vec2(float(i & 1), float(i >> 1)) - 0.5;
        vec2 tap = clamp(at / reduce + offset, vec2(0.5), used - 0.5);
        sum += texture(small_tex, tap / small_size).rgb;
    }
    return sum * 0.25 * darken;
#endif
}

void main() {
    ivec2 pixel = ivec2(int(gl_FragCoord.x), display_height - 1 - int(gl_FragCoord.y));
    ivec2 local = pixel - origin;
    vec4 c = texelFetch(photo_tex, clamp(local, ivec2(0), size - 1), 0);
    float inside = float(all(greaterThanEqual(local, ivec2(0))) && all(lessThan(local, size)));
    float alpha = c.a * inside;
#ifdef BLUR_BACKGROUND
    colour = vec4(c.rgb * alpha + background(pixel) * (1.0 - alpha), 1.0);
#else
    colour = vec4(c.rgb * alpha, 1.0);
#endif
}
