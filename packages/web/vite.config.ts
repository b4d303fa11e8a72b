import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The browser imports only the pure domain modules it needs. The domain package index also pulls in
 * the audit chain (node:crypto), so its subpaths are mapped straight to their sources here.
 */
const domainModule = (name: string) => fileURLToPath(new URL(`../domain/src/${name}.ts`, import.meta.url));
/**
 * Guided capture measures live camera frames with the same code the server runs on stored photos.
 * These vision modules are pure (no Node built-ins); Human itself is not bundled but loaded at run time
 * from the server's /vendor path.
 */
const visionModule = (name: string) => fileURLToPath(new URL(`../vision/src/${name}.ts`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@contour/domain/policy': domainModule('policy'),
      '@contour/domain/consent': domainModule('consent'),
      '@contour/domain/patient': domainModule('patient'),
      '@contour/domain/photo-protocol': domainModule('photo-protocol'),
      '@contour/domain/face-mesh': domainModule('face-mesh'),
      '@contour/domain/face-analysis': domainModule('face-analysis'),
      '@contour/domain/photo-consistency': domainModule('photo-consistency'),
      '@contour/domain/zone-labels': domainModule('zone-labels'),
      '@contour/domain/treatment-plan': domainModule('treatment-plan'),
      '@contour/domain/treatment-catalogue': domainModule('treatment-catalogue'),
      '@contour/domain/governance': domainModule('governance'),
      '@contour/domain/dose-effect': domainModule('dose-effect'),
      '@contour/vision/face-result': visionModule('face-result'),
      '@contour/vision/measure': visionModule('measure'),
      '@contour/vision/human-config': visionModule('human-config'),
      '@contour/vision/mesh': visionModule('mesh'),
    },
  },
  server: {
    // Human's browser build, its WebAssembly and the face models come from the server, as in production.
    proxy: { '/api': 'http://127.0.0.1:8080', '/vendor': 'http://127.0.0.1:8080', '/models': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
