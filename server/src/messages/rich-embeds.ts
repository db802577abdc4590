import { EMBED_LIMITS, type RichEmbed } from '@retrocast/protocol';
import { invalidField } from '../http/errors.js';

/** Links in embeds: http(s); images may also name a file of the same message (`attachment://x.png`). */
function checkUrl(path: string, url: string | undefined, media = false) {
  if (url === undefined) return;
  const ok = /^https?:\/\/[^\s]+$/i.test(url) || (media && /^attachment:\/\/[^\s/]+$/.test(url));
  if (!ok) throw invalidField(path, 'URL_TYPE_INVALID_SCHEME', "Scheme must be one of ('http', 'https').");
}

function required(path: string, value: string | undefined) {
  if (!value?.trim()) throw invalidField(path, 'BASE_TYPE_REQUIRED', 'This field is required');
}

/**
 * Rich embeds sent by a bot or a webhook, checked against Discord's limits (the schema bounds each
 * field; this adds the 6000-character total, URL schemes, required field names and timestamps) and
 * normalised to what is stored and returned: `type: "rich"`, images with `proxy_url`, ISO timestamps.
 */
export function checkRichEmbeds(embeds: RichEmbed[] | undefined): RichEmbed[] {
  if (!embeds?.length) return [];
  let total = 0;
  const out = embeds.map((e, i) => {
    const at = `embeds.${i}`;
    checkUrl(`${at}.url`, e.url);
    checkUrl(`${at}.image.url`, e.image?.url, true);
    checkUrl(`${at}.thumbnail.url`, e.thumbnail?.url, true);
    checkUrl(`${at}.author.url`, e.author?.url);
    checkUrl(`${at}.author.icon_url`, e.author?.icon_url, true);
    checkUrl(`${at}.footer.icon_url`, e.footer?.icon_url, true);
    if (e.author) required(`${at}.author.name`, e.author.name);
    if (e.footer) required(`${at}.footer.text`, e.footer.text);
    e.fields?.forEach((f, j) => {
      required(`${at}.fields.${j}.name`, f.name);
      required(`${at}.fields.${j}.value`, f.value);
    });
    let timestamp: string | undefined;
    if (e.timestamp !== undefined) {
      const t = Date.parse(e.timestamp);
      if (!/^\d{4}-\d{2}-\d{2}/.test(e.timestamp) || Number.isNaN(t))
        throw invalidField(`${at}.timestamp`, 'DATE_TYPE_INVALID', 'Could not parse timestamp.');
      timestamp = new Date(t).toISOString().replace('Z', '+00:00');
    }
    total += (e.title ?? '').length + (e.description ?? '').length + (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
    for (const f of e.fields ?? []) total += f.name.length + f.value.length;
    const media = (m: RichEmbed['image']) => (m ? { ...m, proxy_url: m.proxy_url ?? m.url } : undefined);
    const embed: RichEmbed = {
      ...e,
      type: 'rich',
      ...(timestamp ? { timestamp } : {}),
      ...(e.image ? { image: media(e.image) } : {}),
      ...(e.thumbnail ? { thumbnail: media(e.thumbnail) } : {}),
      ...(e.fields ? { fields: e.fields.map((f) => ({ name: f.name, value: f.value, inline: f.inline ?? false })) } : {}),
    };
    if (embed.color === null) delete embed.color;
    return embed;
  });
  if (total > EMBED_LIMITS.total)
    throw invalidField('embeds', 'MAX_EMBED_SIZE_EXCEEDED', `Embed size exceeds maximum size of ${EMBED_LIMITS.total}`);
  return out;
}
