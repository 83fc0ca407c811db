#version 330 core
// The blurred background's first step, once per photo: the photo shrunk REDUCE times
// into a small texture, each texel the mean of a 4x4 grid of bilinear samples over its
// footprint (a box filter, so no detail aliases through). Row 0 is the photo's top row,
// as in the staging texture. The compose pass then reads this tiny texture bilinearly:
// a smooth blur for a few fetches a pixel, with no mipmaps (glGenerateMipmap on llvmpipe
// took up to 90 ms a photo).
uniform sampler2D photo_tex;  // the staging texture: the photo in its top-left corner
uniform float reduce;         // photo pixels per small texel
out vec4 colour;

void main() {
    vec2 texture_size = vec2(textureSize(photo_tex, 0));
    vec2 corner = floor(gl_FragCoord.xy) * reduce;  // footprint's top-left, photo pixels
    vec3 sum = vec3(0.0);
    for (int j = 0; j < 4; j++) {
        for (int i = 0; i < 4; i++) {
            vec2 at = corner + (vec2(float(i), float(j)) + 0.5) * (reduce / 4.0);
            sum += texture(photo_tex, at / texture_size).rgb;
        }
    }
    colour = vec4(sum / 16.0, 1.0);
}
