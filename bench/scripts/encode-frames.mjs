// Micro-benchmark of one fan-out's frame building: one ~800 B MESSAGE_CREATE to 1,000 sessions,
// the old way (template string, absoluteUrls regex and UTF-8 encode per session) against
// frameBytes (shared head/tail bytes with `s` spliced in). Needs `npm run build -w server`.
import { frameBytes } from '../../server/dist/gateway/replay-log.js';
import { absoluteUrls } from '../../server/dist/http/discord-compat.js';

const id = '1234567890123456789';
const d = JSON.stringify({
  id,
  channel_id: id,
  guild_id: id,
  author: { id, username: 'someone', global_name: 'Some One', avatar: null },
  content: 'x'.repeat(500),
  timestamp: new Date().toISOString(),
  attachments: [],
  embeds: [],
  mentions: [],
  mention_roles: [],
  pinned: false,
  tts: false,
  type: 0,
  nonce: '123',
});
const SESSIONS = 1000;
const ROUNDS = 200;
const base = 'http://127.0.0.1:8080';
function perSession() {
  for (let s = 1; s <= SESSIONS; s++) Buffer.from(absoluteUrls(`{"op":0,"t":"MESSAGE_CREATE","s":${s},"d":${d}}`, base));
}
function shared() {
  const entry = { pos: 0, at: 0, t: 'MESSAGE_CREATE', d };
  for (let s = 1; s <= SESSIONS; s++) frameBytes(entry, s, base);
}
for (const [name, run] of [
  ['per session', perSession],
  ['shared bytes', shared],
  ['per session', perSession],
  ['shared bytes', shared],
]) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) run();
  console.log(`${name}: ${(Number(process.hrtime.bigint() - t) / 1e6 / ROUNDS).toFixed(2)} ms per event to ${SESSIONS} sessions`);
}
