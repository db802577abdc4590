/** Wire shapes of files, embeds and reactions as the server sends them (Discord's fields). */
export interface FileAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  width?: number | null;
  height?: number | null;
}

export interface LinkEmbed {
  type: 'link' | 'image' | 'article' | 'rich';
  url?: string;
  title?: string;
  description?: string;
  provider?: { name?: string };
  thumbnail?: { url: string; proxy_url?: string };
  /** Rich embeds (bots, webhooks). */
  color?: number;
  timestamp?: string;
  author?: { name: string; url?: string };
  footer?: { text: string };
  fields?: { name: string; value: string; inline?: boolean }[];
}

export interface ReactionEmoji {
  id: string | null;
  name: string;
  animated?: boolean;
}

/** `name:id` for custom emoji, the character itself otherwise; URL-encoded for reaction routes. */
export const emojiParam = (e: ReactionEmoji) => encodeURIComponent(e.id ? `${e.name}:${e.id}` : e.name);
export const emojiKey = (e: ReactionEmoji) => e.id ?? e.name;
export const customEmojiUrl = (e: ReactionEmoji, size = 48) => `/emojis/${e.id}.${e.animated ? 'gif' : 'webp'}?size=${size}`;

/** Files per message (Discord's limit). */
export const MAX_FILES = 10;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** A guild's custom emoji (GUILD_CREATE `emojis`, GUILD_EMOJIS_UPDATE). */
export interface GuildEmoji {
  id: string;
  name: string;
  animated: boolean;
  user?: { id: string; username: string };
}

/** Reads a picked file as a data URI (avatars, icons and emoji are sent that way). */
export function readDataUri(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
