import adapter from '@sveltejs/adapter-static';

/** Single-page app: every route renders in the browser; the server falls back to index.html. */
export default {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    alias: { '@retrocast/protocol': '../protocol/src/index.ts', $protocol: '../protocol/src' },
    serviceWorker: { register: true },
  },
};
