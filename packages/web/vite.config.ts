import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The browser imports only the pure domain modules it needs. The domain package index also pulls in
 * the audit chain (node:crypto), so its subpaths are mapped straight to their sources here.
 */
const domainModule = (name: string) => fileURLToPath(new URL(`../domain/src/${name}.ts`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: {
      '@contour/domain/policy': domainModule('policy'),
      '@contour/domain/consent': domainModule('consent'),
      '@contour/domain/patient': domainModule('patient'),
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
});
