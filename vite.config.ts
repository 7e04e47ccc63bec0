import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard UI: sources in src/ui, built into dist/ui, served by the Fastify app (src/api/ui.ts).
// `npm run dev:ui` serves it with hot reload and proxies the API to a running `t5g start`.
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: path.join(here, 'src/ui'),
  publicDir: path.join(here, 'src/ui/public'),
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist/ui'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': 'http://localhost:8080', '/metrics': 'http://localhost:8080' },
  },
});
