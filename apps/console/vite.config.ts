import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const workspace = fileURLToPath(new URL('../..', import.meta.url));
/** Where `npx nx serve console` sends API calls: a running `npm start`. */
const apiOrigin = process.env.AGENTHUB_API_ORIGIN ?? 'http://127.0.0.1:3000';

/**
 * The console: built to dist/apps/console, which the API serves at /console (apps/api/src/console.ts).
 * Every asset is bundled: the page loads nothing from outside the API's own origin.
 */
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: { '@agenthub/client': `${workspace}libs/client/src/index.ts` },
  },
  build: {
    outDir: `${workspace}dist/apps/console`,
    emptyOutDir: true,
    // Charts and the graph layout make one chunk past Vite's 500 kB warning; it is served once and cached.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': { target: apiOrigin, changeOrigin: false } },
  },
  test: {
    root,
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
  },
});
