// Block puzzle flip: the frame breaks into square tiles that flip over one after another,
// in a wave that starts at one edge, and show the new photo on their backs. Each tile is a
// flat card turned in 2D with a hint of perspective and shading.

#define PI 3.14159265359

uniform int rows; // = 5
uniform vec2 direction; // = vec2(1.0, 0.0)
uniform float spread; // = 0.6
uniform float jitter; // = 0.3
uniform vec3 gap_colour; // = vec3(0.0, 0.0, 0.0)

// Where along the wave a tile's centre lies: 0 for the first tile reached, 1 for the last.
float wave_position(vec2 centre, vec2 tiles, vec2 toward) {
    vec2 half_extent = 0.5 - 0.5 / tiles;  // how far tile centres reach from the middle
    float reach = abs(toward.x) * half_extent.x + abs(toward.y) * half_extent.y;
    return dot(centre - 0.5, toward) / max(2.0 * reach, 1e-6) + 0.5;
}

// 0..1, different for each tile: a little disorder, so the wave looks like loose pieces.
float tile_jitter(vec2 cell) {
    uint h = uint(cell.x) * 0x9e3779b1u ^ uint(cell.y) * 0x85ebca77u;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return float(h >> 8) / 16777216.0;
}

vec4 transition(vec2 uv) {
    float row_count = float(max(rows, 1));
    vec2 tiles = vec2(max(1.0, floor(row_count * ratio + 0.5)), row_count);
    vec2 cell = min(floor(uv * tiles), tiles - 1.0);
    vec2 centre = (cell + 0.5) / tiles;
    vec2 toward = normalize(direction);
    float lag = clamp(spread, 0.0, 0.95);
    float position = mix(wave_position(centre, tiles, toward), tile_jitter(cell), jitter);
    float t = clamp((progress - position * lag) / (1.0 - lag), 0.0, 1.0);
    // Tiles at rest show their photo as it is (exact at progress 0 and 1); the others are a
    // card seen turning. One texture read per pixel either way: on a software renderer the
    // reads are most of the cost.
    vec2 source_uv = uv;
    bool back = t >= 1.0;
    float light = 1.0;
    if (t > 0.0 && t < 1.0) {
        float angle = smoothstep(0.0, 1.0, t) * PI;
        float squeeze = cos(angle);  // the card's apparent width: 1, 0 edge-on, -1 turned over
        float turning = sin(angle);
        bool turns_sideways = abs(toward.x) >= abs(toward.y);
        vec2 local = (uv - centre) * tiles * 2.0;  // -1..1 across the tile
        float across = turns_sideways ? local.x : local.y;
        float along = turns_sideways ? local.y : local.x;
        float card_x = across / max(abs(squeeze), 1e-4);  // where on the card this pixel is
        // Perspective, roughly: the edge swinging away from the viewer looks shorter.
        float far_side = 0.5 - 0.5 * card_x * sign(squeeze);  // 0 at the near edge, 1 at the far
        float card_y = along / (1.0 - 0.3 * turning * far_side);
        if (abs(card_x) > 1.0 || abs(card_y) > 1.0) {
            return vec4(gap_colour, 1.0);
        }
        vec2 card = turns_sideways ? vec2(card_x, card_y) : vec2(card_y, card_x);
        source_uv = centre + card / (tiles * 2.0);
        back = squeeze < 0.0;
        light = 1.0 - 0.45 * turning;  // darker as the card turns away from the light
    }
    vec4 colour = back ? getToColor(source_uv) : getFromColor(source_uv);
    return vec4(colour.rgb * light, colour.a);
}
