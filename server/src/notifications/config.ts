type Env = Record<string, string | undefined>;

export interface ApnsConfig {
  keyFile: string;
  keyId: string;
  teamId: string;
  topic: string;
  /** https://host[:port] of the APNs API (APNS_HOST, else Apple's production or sandbox host). */
  origin: string;
  /** APNS_CA_FILE: an extra CA to trust for APNS_HOST (a local APNs stand-in in tests). */
  caFile?: string;
}

export interface NotifyConfig {
  /** Hosts / IPs / CIDRs a push endpoint may resolve to although private; plain http allowed for them. */
  pushAllowPrivate: string[];
  /** One push per channel per recipient per this window ("3 new messages in #general"). */
  batchMs: number;
  /** VAPID_PUBLIC_KEY + VAPID_PRIVATE_KEY (base64url), else generated once into DATA_DIR. */
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  /** The contact in the VAPID JWT (`sub`): mailto: or https: URL. */
  vapidSubject: string;
  /** Unset unless APNS_KEY_FILE, APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC are all set. */
  apns?: ApnsConfig;
  /** Names of the APNs settings that are missing (for the one log line saying APNs is off). */
  apnsMissing: string[];
}

const APNS_VARS = ['APNS_KEY_FILE', 'APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC'] as const;

export function loadNotifyConfig(env: Env): NotifyConfig {
  const missing = APNS_VARS.filter((k) => !env[k]);
  const sandbox = env.APNS_SANDBOX === '1' || env.APNS_SANDBOX === 'true';
  const origin = env.APNS_HOST
    ? env.APNS_HOST.replace(/\/$/, '').replace(/^(?!https:\/\/)/, 'https://')
    : sandbox
      ? 'https://api.sandbox.push.apple.com'
      : 'https://api.push.apple.com';
  const batch = Number(env.NOTIFY_BATCH_MS ?? 3000);
  return {
    pushAllowPrivate: (env.PUSH_ALLOW_PRIVATE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    batchMs: Number.isFinite(batch) && batch >= 0 ? batch : 3000,
    vapidPublicKey: env.VAPID_PUBLIC_KEY || undefined,
    vapidPrivateKey: env.VAPID_PRIVATE_KEY || undefined,
    vapidSubject: env.VAPID_SUBJECT || (env.PUBLIC_URL?.startsWith('https://') ? env.PUBLIC_URL : 'mailto:retrocast@localhost'),
    apns: missing.length
      ? undefined
      : {
          keyFile: env.APNS_KEY_FILE as string,
          keyId: env.APNS_KEY_ID as string,
          teamId: env.APNS_TEAM_ID as string,
          topic: env.APNS_TOPIC as string,
          origin,
          caFile: env.APNS_CA_FILE || undefined,
        },
    apnsMissing: missing,
  };
}
