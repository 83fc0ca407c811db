#version 330 core
uniform vec4 low_colour;
uniform vec4 high_colour;
in float level;
out vec4 colour;
void main() {
    colour = mix(low_colour, high_colour, level);
}
