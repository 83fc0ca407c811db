// Glitch: the picture breaks up like a failing digital signal: bands of rows jump
// sideways, the red channel tears away from the others, blocks flicker between the two
// photos, and a few blocks smear and swap their colours as a broken decoder would; the new
// photo wins through and the signal steadies. Everything follows from the progress, so a
// given moment always looks the same.

uniform float strength; // = 1.0; how wild it gets at the middle
uniform float rate; // = 24.0; how many different glitch states the transition runs through
uniform int seed; // = 17

// 0 <= result < 1, well mixed.
float hash(uint a, uint b) {
    uint h = a * 0x8da6b343u ^ b * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return float(h >> 8) / 16777216.0;
}

vec4 transition(vec2 uv) {
    float wild = clamp(strength, 0.0, 2.0) * 4.0 * progress * (1.0 - progress);  // 0 at both ends
    uint state = uint(floor(progress * max(rate, 1.0)));  // which glitch frame this is
    // Rows fall into bands of a height that changes with the state; some bands jump.
    float band_count = 6.0 + 20.0 * hash(state, 1u);
    uint band = uint(floor(uv.y * band_count));
    float jump = hash(state, band + 2u);
    float shift = jump > 0.55 ? (jump - 0.775) * 0.5 * wild : 0.0;
    // Blocks pick a photo, the new one more often as the transition goes on; a few smear.
    vec2 blocks = vec2(16.0, 9.0);
    vec2 block = floor(uv * blocks);
    float chance = hash(state * 131u + uint(block.x), uint(block.y) + 5u);
    bool newer = chance < smoothstep(0.2, 0.8, progress);
    bool smeared = fract(chance * 97.0) < 0.08 * wild;
    vec2 at = vec2(uv.x + shift, smeared ? (block.y + 0.5) / blocks.y : uv.y);
    vec2 torn = vec2(at.x + 0.012 * wild * (1.0 + hash(state, 7u)), at.y);  // the red channel's place
    vec4 old = vec4(getFromColor(torn).r, getFromColor(at).gba);
    vec4 new = vec4(getToColor(torn).r, getToColor(at).gba);
    vec4 colour = newer ? new : old;
    colour.rgb = smeared ? colour.gbr : colour.rgb;
    // Faint scan lines, on alternate rows of pixels.
    float line = mod(floor(gl_FragCoord.y), 2.0);
    colour.rgb *= 1.0 - 0.2 * wild * line;
    return colour;
}
