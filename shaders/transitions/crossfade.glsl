// Crossfade: the old photo fades into the new one, pixel for pixel.

vec4 transition(vec2 uv) {
    return mix(getFromColor(uv), getToColor(uv), progress);
}
