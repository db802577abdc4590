/**
 * Desktop notifications and the mention sound, for the open tab: when a message that notifies us
 * (notification-settings.ts `messageNotifies`: settings, mutes, DND) arrives while the page is
 * hidden or shows another channel. Also this device's preferences and its Web Push subscription.
 * The permission is only ever asked from a click (the banner or the settings toggle).
 */
import { desktopBridge } from '../desktop/bridge';

const DESKTOP_KEY = 'retrocast.notify.desktop';
const SOUND_KEY = 'retrocast.notify.sound';
const BANNER_KEY = 'retrocast.notify.banner-dismissed';

export interface ShownNotification {
  title: string;
  body: string;
  icon?: string;
  /** Path to open on click. */
  url: string;
  tag: string;
}

function readFlag(key: string, fallback: boolean): boolean {
  try {
    const v = localStorage.getItem(key);
    return v === null ? fallback : v === '1';
  } catch {
    return fallback;
  }
}

function writeFlag(key: string, value: boolean) {
  try {
    localStorage.setItem(key, value ? '1' : '0');
  } catch {
    /* private mode */
  }
}

const supported = () => typeof Notification !== 'undefined';

class Notifier {
  desktop = $state(readFlag(DESKTOP_KEY, true));
  sound = $state(readFlag(SOUND_KEY, true));
  bannerDismissed = $state(readFlag(BANNER_KEY, false));
  permission: NotificationPermission | 'unsupported' = $state(supported() ? Notification.permission : 'unsupported');
  private audio: AudioContext | null = null;
  /** Open notifications by tag, closed when their channel is viewed. */
  private open = new Map<string, Notification>();

  setDesktop(on: boolean) {
    this.desktop = on;
    writeFlag(DESKTOP_KEY, on);
  }

  setSound(on: boolean) {
    this.sound = on;
    writeFlag(SOUND_KEY, on);
  }

  dismissBanner() {
    this.bannerDismissed = true;
    writeFlag(BANNER_KEY, true);
  }

  /** Must run inside a user gesture (click). */
  async requestPermission(): Promise<NotificationPermission | 'unsupported'> {
    if (!supported()) return 'unsupported';
    this.permission = await Notification.requestPermission();
    return this.permission;
  }

  /** Shows one notification (and plays the sound) — callers decided it is wanted. */
  show(n: ShownNotification, navigate: (url: string) => void) {
    if (this.sound) this.beep();
    if (!this.desktop) return;
    const bridge = desktopBridge();
    if (bridge) {
      bridge.send({ type: 'notify', title: n.title, body: n.body, path: n.url }).catch(() => {});
      return;
    }
    if (!supported() || Notification.permission !== 'granted') return;
    this.open.get(n.tag)?.close();
    const shown = new Notification(n.title, { body: n.body, icon: n.icon, tag: n.tag, data: { url: n.url } });
    shown.onclick = () => {
      window.focus();
      navigate(n.url);
      shown.close();
    };
    this.open.set(n.tag, shown);
  }

  /** The channel is on screen now: its notifications have done their job. */
  seen(channelId: string) {
    const tag = `ch-${channelId}`;
    this.open.get(tag)?.close();
    this.open.delete(tag);
  }

  /** A short two-tone ping made with Web Audio (no sound file to load). */
  beep() {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const gain = ctx.createGain();
      gain.connect(ctx.destination);
      gain.gain.setValueAtTime(0.0001, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
      for (const [freq, at] of [
        [880, 0],
        [1320, 0.08],
      ]) {
        const osc = ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.12);
      }
    } catch {
      /* no audio output */
    }
  }
}

export const notifier = new Notifier();
