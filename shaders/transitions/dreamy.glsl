// Dreamy: the old photo ripples like a reflection in water and blooms into a soft, bright
// haze, through which the new photo appears, settling as the ripples calm.

uniform float waves; // = 6.0; ripples across the frame's height
uniform float amplitude; // = 0.016; how far the ripples shift the picture, in frame heights
uniform float glow; // = 0.45; how bright and soft the haze is at the middle
uniform float spread; // = 0.012; how far apart the haze's two samples lie, in frame heights

// A smooth wave of period 1, like sin(2 PI x) but from a few multiplications: on a
// software renderer the built-in sin costs as much as a texture read.
float wave(float x) {
    float t = 4.0 * abs(fract(x) - 0.5) - 1.0;  // a triangle wave, -1..1
    return t * (1.5 - 0.5 * t * t);  // rounded off into a near-sine
}

vec4 transition(vec2 uv) {
    float dream = 4.0 * progress * (1.0 - progress);  // 0 at both ends, 1 in the middle
    // Horizontal ripples, drifting upwards as the transition runs.
    float phase = uv.y * waves - progress * 1.5;
    vec2 shift = vec2(amplitude * dream * wave(phase) / ratio, 0.0);
    // Two samples per photo, one above and one below, soften it into a haze.
    vec2 soft = vec2(0.0, spread * dream * (0.6 + 0.4 * wave(phase + 0.25)));
    vec4 old = 0.5 * (getFromColor(uv + shift + soft) + getFromColor(uv + shift - soft));
    vec4 new = 0.5 * (getToColor(uv - shift + soft) + getToColor(uv - shift - soft));
    vec4 colour = mix(old, new, smoothstep(0.25, 0.75, progress));
    // The bloom: lift everything towards white, the bright parts most.
    float luma = dot(colour.rgb, vec3(0.299, 0.587, 0.114));
    vec3 haze = mix(colour.rgb, vec3(1.0, 0.97, 0.92), 0.35 + 0.65 * luma);
    return vec4(mix(colour.rgb, haze, glow * dream), colour.a);
}
