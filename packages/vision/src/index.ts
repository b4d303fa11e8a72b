export * from './sniff.js';
export * from './image.js';
export * from './face-result.js';
export { FaceLandmarker } from './landmarks.js';
export * from './measure.js';
export * from './mesh.js';
export * from './analyze.js';
export * from './landmark-pool.js';
