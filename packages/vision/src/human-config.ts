/**
 * The one Human configuration, shared by the server's workers and the browser's guided capture (which
 * only changes where models and wasm come from), so live feedback and stored checks see the same models.
 * Browser-safe: no Node imports.
 */
export function humanConfig(paths: { modelBasePath: string; wasmPath: string }): Record<string, unknown> {
  return {
    backend: 'wasm',
    wasmPath: paths.wasmPath,
    modelBasePath: paths.modelBasePath,
    // Judge every image afresh: with Human's video caching an unchanged neutral frame's smile score
    // climbed from 0 to 0.64 after a few frames (the cached expression answer).
    cacheSensitivity: 0,
    skipAllowed: false,
    // Nothing written to browser storage; the server's cache headers keep the model files.
    cacheModels: false,
    warmup: 'none',
    debug: false,
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 5, minConfidence: 0.3, return: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { enabled: true },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  };
}
