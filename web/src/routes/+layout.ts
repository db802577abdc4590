// A single-page app: no server rendering, no prerendering of data.
export const ssr = false;
export const prerender = false;
