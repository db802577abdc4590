import adapter from '@sveltejs/adapter-static';

/** Single-page app: every route renders in the browser; the server falls back to index.html. */
export default {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false }),
    alias: { '@retrocast/protocol': '../protocol/src/index.ts', $protocol: '../protocol/src' },
    serviceWorker: { register: true },
    // Inline scripts run only by hash (SvelteKit's bootstrap): an injected <script> is refused. The
    // server sends this policy as a header, adding the gateway, LiveKit and S3 origins it knows
    // (server/src/http/csp.ts); styles stay inline-able (Svelte sets style attributes).
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'media-src': ['self', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'worker-src': ['self'],
        'manifest-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};
