import { defineConfig } from 'vitest/config'

// Preact through esbuild's automatic JSX runtime: no Babel preset needed.
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { target: 'es2021', sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
})
