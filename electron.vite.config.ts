import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // The pure-JS libraries are bundled in: resolving and reading their hundreds
      // of files took the CLI 0.55 s to start, against 0.35 s bundled (every
      // `evalnotes` call pays it, and the tests make hundreds). The native driver
      // stays a package.
      externalizeDeps: { exclude: ['zod', 'commander', 'canonicalize', 'uuid', 'yauzl', 'fzstd', 'ae-cvss-calculator', 'react', 'react-dom', 'react-markdown', 'rehype-sanitize', 'remark-gfm'] },
      rollupOptions: {
        // The CLI shares the services with the shell but must never load `electron`
        // (test/integration/cli checks its bundle).
        input: { index: 'main/index.ts', cli: 'main/cli/index.ts', importWorker: 'main/imports/importWorker.ts' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only `electron`: bundle everything else
      // (zod, the contract) into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: { input: { index: 'preload/index.ts' }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    build: { outDir: 'out/renderer', rollupOptions: { input: 'renderer/index.html' } },
    plugins: [react()],
  },
});
