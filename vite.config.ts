import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vite';

/**
 * The PWA (web/). `npm start` serves the built web/dist from the relay; `npx vite` serves it in
 * development with /ws, /api and /peerjs proxied to a relay on :8080.
 */
export default defineConfig({
  root: 'web',
  publicDir: 'public',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  plugins: [
    svelte(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Tickmesh',
        short_name: 'Tickmesh',
        description: 'Browser-first trading terminal: live books, trades, charts and order entry',
        theme_color: '#0b0f14',
        background_color: '#0b0f14',
        display: 'standalone',
        start_url: '/',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any maskable' },
        ],
      },
      workbox: {
        // The app shell (HTML, JS, CSS, worker, icons) is precached so the app opens offline;
        // market data and the API never are.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/ws/, /^\/peerjs/, /^\/metrics/, /^\/healthz/, /^\/readyz/],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
      },
    }),
  ],
  server: {
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/api': 'http://127.0.0.1:8080',
      '/peerjs': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
