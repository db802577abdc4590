import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../http/errors.js';
import { loadSharp } from '../images/work.js';

/** Discord's six default avatar colours (index = (user id >> 22) % 6, or discriminator % 5). */
const COLORS = ['#5865f2', '#757e8a', '#3ba55c', '#faa61a', '#ed4245', '#eb459f'];
const rendered = new Map<number, Buffer>();

/** A plain face on the colour, drawn once per index (no font, no external asset). */
async function render(n: number): Promise<Buffer> {
  const cached = rendered.get(n);
  if (cached) return cached;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="${COLORS[n]}"/><circle cx="96" cy="110" r="18" fill="#fff"/><circle cx="160" cy="110" r="18" fill="#fff"/><path d="M84 160 q44 36 88 0" stroke="#fff" stroke-width="14" fill="none" stroke-linecap="round"/></svg>`;
  const sharp = await loadSharp();
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  rendered.set(n, png);
  return png;
}

/** GET /embed/avatars/{0-5}.png: the avatar of users without one, where Discord libraries look for it. */
export const defaultAvatarRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: { file: string } }>('/embed/avatars/:file', { config: { public: true } }, async (req, reply) => {
    const m = /^([0-5])\.png$/.exec(req.params.file);
    if (!m) throw new ApiError({ code: 0, status: 404, message: '404: Not Found' });
    reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    return reply.type('image/png').send(await render(Number(m[1])));
  });
};
