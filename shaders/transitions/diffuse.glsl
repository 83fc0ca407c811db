// Diffuse: the new photo appears block by block, in random order.

uniform float block_size; // = 0.04
uniform float fade; // = 0.08
uniform int seed; // = 7

// A well-mixed integer hash of a block's position: 0 <= result < 1.
float block_hash(ivec2 block) {
    uint h = uint(block.x) * 0x8da6b343u ^ uint(block.y) * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return float(h >> 8) / 16777216.0;
}

vec4 transition(vec2 uv) {
    // block_size is a fraction of the frame's height, so blocks are square.
    ivec2 block = ivec2(floor(vec2(uv.x * ratio, uv.y) / max(block_size, 1e-3)));
    float turn = max(fade, 1e-4);
    float start = block_hash(block) * (1.0 - turn);  // every block is done by progress 1
    float shown = clamp((progress - start) / turn, 0.0, 1.0);
    return mix(getFromColor(uv), getToColor(uv), shown);
}
