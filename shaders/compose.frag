#version 330 core
// Composes a photo, once, into a display-sized frame: centred (the letterbox is black),
// transparency shown over black, rows flipped into GL's bottom-up order. Every later frame
// then only copies (blit) or mixes whole frames, with no per-pixel geometry at all.
uniform sampler2D photo_tex;  // the photo as uploaded: top row first, in the top-left corner
uniform ivec2 origin;  // the photo's top-left corner on the display, in pixels
uniform ivec2 size;    // the photo's size in pixels
uniform int display_height;
out vec4 colour;

void main() {
    ivec2 pixel = ivec2(int(gl_FragCoord.x), display_height - 1 - int(gl_FragCoord.y));
    ivec2 local = pixel - origin;
    vec4 c = texelFetch(photo_tex, clamp(local, ivec2(0), size - 1), 0);
    float inside = float(all(greaterThanEqual(local, ivec2(0))) && all(lessThan(local, size)));
    colour = vec4(c.rgb * (c.a * inside), 1.0);
}
