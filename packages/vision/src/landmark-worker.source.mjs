// Runs the TypeScript worker from source (tests): registers tsx's loader in this thread first.
// Built code never uses this file; it runs dist/landmark-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./landmark-worker.ts');
