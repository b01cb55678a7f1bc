import { defineConfig } from 'vite';

// The daemon serves dist/ from memory (web/embed_assets.cmake embeds it into the binary).
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // ECharts (tree-shaken to the charts we use) is most of the bundle.
    chunkSizeWarningLimit: 1500,
  },
  // `npm run dev` proxies the API to a daemon on 127.0.0.1:8080 (override with BAYESD_URL).
  server: {
    proxy: { '/api': process.env.BAYESD_URL ?? 'http://127.0.0.1:8080' },
  },
});
