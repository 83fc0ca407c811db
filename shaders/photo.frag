#version 330 core
// One photo, letterboxed: what the display shows while a photo is held (most frames).
// A program of its own because a software renderer pays for both texture fetches of the
// crossfade even when progress is 0.
uniform sampler2D photo_tex;
uniform ivec2 origin;  // the photo's top-left corner on the display, in pixels
uniform ivec2 size;    // the photo's size in pixels (it fills the texture's top-left part)
uniform int display_height;
out vec4 colour;

void main() {
    ivec2 pixel = ivec2(int(gl_FragCoord.x), display_height - 1 - int(gl_FragCoord.y));
    ivec2 local = pixel - origin;
    vec4 c = texelFetch(photo_tex, clamp(local, ivec2(0), size - 1), 0);
    float inside = float(all(greaterThanEqual(local, ivec2(0))) && all(lessThan(local, size)));
    colour = vec4(c.rgb * (c.a * inside), 1.0);
}
