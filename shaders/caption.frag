#version 330 core
// A text panel (slideshow/captions.py: premultiplied RGBA, top row first) drawn one texel
// per pixel into the viewport, which the layer sets to the panel's rectangle; faded by
// `opacity`. texelFetch: exact pixels, no filtering, no blur of the glyphs.
uniform sampler2D panel;
uniform ivec2 origin;  // the rectangle's bottom-left pixel in the framebuffer
uniform ivec2 size;    // the panel image's width and height in pixels
uniform float opacity; // 0..1
out vec4 colour;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy) - origin;
    ivec2 texel = ivec2(pixel.x, size.y - 1 - pixel.y);  // the image's rows run top down
    colour = texelFetch(panel, clamp(texel, ivec2(0), size - 1), 0) * opacity;
}
