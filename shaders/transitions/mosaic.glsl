// Mosaic: the camera pulls back from the old photo until it is one tile of a wall of
// photos (old and new ones, with grout between them), glides across the wall to a tile
// that holds the new photo, and moves in until that tile fills the frame.

uniform ivec2 travel; // = ivec2(2, 1); tiles the camera travels, across and up
uniform float zoom; // = 3.0; how many tiles fill the frame's height farthest out
uniform float grout; // = 0.04; the gap between tiles farthest out, a share of a tile
uniform vec3 grout_colour; // = vec3(0.05, 0.05, 0.05)
uniform int seed; // = 9

float tile_hash(ivec2 tile) {
    uint h = uint(tile.x) * 0x8da6b343u ^ uint(tile.y) * 0xd8163841u ^ uint(seed) * 0xcb1ab31fu;
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    return float(h >> 8) / 16777216.0;
}

vec4 transition(vec2 uv) {
    float away = 4.0 * progress * (1.0 - progress);  // 0 at both ends, 1 in the middle
    float scale = 1.0 + (max(zoom, 1.0) - 1.0) * away * (2.0 - away);  // out fast, in slow
    vec2 camera = vec2(travel) * smoothstep(0.2, 0.8, progress);
    vec2 world = camera + 0.5 + (uv - 0.5) * scale;  // in tiles; tile (0, 0) is the old photo
    vec2 tile = floor(world);
    vec2 local = world - tile;
    ivec2 index = ivec2(tile);
    bool is_new = index == travel || (index != ivec2(0) && tile_hash(index) < 0.5);
    vec4 colour = is_new ? getToColor(local) : getFromColor(local);
    // Tiles other than the two the camera starts and ends on are a little darker.
    bool own = index == ivec2(0) || index == travel;
    colour.rgb *= own ? 1.0 : 0.75;
    float gap = 0.5 * grout * (scale - 1.0) / max(zoom - 1.0, 1e-3);  // 0 at both ends
    vec2 to_edge = min(local, 1.0 - local) * vec2(ratio, 1.0);  // grout as wide as it is high
    bool in_grout = min(to_edge.x, to_edge.y) < gap;
    return in_grout ? vec4(grout_colour, 1.0) : colour;
}
