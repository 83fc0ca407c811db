// Pixelize: the old photo breaks into square blocks that grow in steps; at the coarsest,
// block by block in random order, they turn into the new photo's blocks, which then
// shrink back, step by step, to the new photo's own pixels.

uniform int blocks; // = 10; blocks across the frame's height at the coarsest (the middle)
uniform int steps; // = 5; block sizes on the way there (and as many on the way back)
uniform int seed; // = 5

// 0 <= result < 1, well mixed, for a block's integer position.
float block_hash(ivec2 block) {
    uint h = uint(block.x) * 0x8da6b343u ^ uint(block.y) * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return float(h >> 8) / 16777216.0;
}

vec4 transition(vec2 uv) {
    float step_count = float(max(steps, 1));
    float coarseness = ceil((1.0 - abs(2.0 * progress - 1.0)) * step_count) / step_count;
    vec2 square = vec2(ratio, 1.0);
    // Blocks are square and laid out from the frame's centre, so they stay symmetric.
    float size = coarseness / float(max(blocks, 1));  // in frame heights; 0 at the ends
    vec2 p = (uv - 0.5) * square;
    vec2 block = floor(p / max(size, 1e-6));
    vec2 sample_uv = size > 0.0 ? (block + 0.5) * size / square + 0.5 : uv;
    // Each block turns over at its own moment between 0.35 and 0.65 (a hash of the block
    // at the coarsest size, so a block keeps its moment while the sizes do not change).
    float moment = 0.35 + 0.25 * block_hash(ivec2(floor(p * float(max(blocks, 1)))));
    float turned = clamp((progress - moment) / 0.05, 0.0, 1.0);
    return mix(getFromColor(sample_uv), getToColor(sample_uv), turned);
}
