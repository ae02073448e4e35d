// The array types the runtime works on. Generated code keeps parameters in Float32Array;
// tests and gradient checks use Float64Array, so every numeric routine accepts both.

export type FloatArray = Float32Array | Float64Array;
