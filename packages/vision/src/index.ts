export * from './sniff.js';
export * from './image.js';
export * from './landmarks.js';
export * from './measure.js';
export * from './mesh.js';
export * from './analyze.js';
export * from './landmark-pool.js';
