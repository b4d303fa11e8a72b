export * from './commands.js';
export * from './analyze.js';
