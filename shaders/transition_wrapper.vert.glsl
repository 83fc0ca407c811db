#version 330 core
// The vertex stage of a transition. Without a vertex stage of its own a transition gets
// one triangle covering the target, with transition_uv running 0..1 across it. A
// transition that draws geometry (NAME.vert.glsl beside NAME.glsl) is pasted in at the
// pragma with TRANSITION_VERTEX_STAGE defined; it writes gl_Position and transition_uv
// (the uv its fragment's transition(uv) receives), builds its vertices from gl_VertexID
// and gl_InstanceID (there are no vertex buffers) and sees the same uniforms.
uniform float progress;  // 0..1, eased
uniform float ratio;     // width / height of the target
out vec2 transition_uv;

#pragma transition_source

#ifndef TRANSITION_VERTEX_STAGE
void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    transition_uv = corner;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
#endif
