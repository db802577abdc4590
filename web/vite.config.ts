import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // Kit's build step imports `cookie` from its own nested 0.6 copy; bundling it avoids picking up
  // the hoisted cookie@2 that the server's dependencies bring.
  ssr: { noExternal: ['cookie'] },
  server: { proxy: { '/api': 'http://127.0.0.1:18080', '/gateway': { target: 'ws://127.0.0.1:18080', ws: true } } },
});
