import { afterEach, describe, expect, it } from 'vitest';
import { applyShellMessage, type DesktopBridge, desktopBridge, type ShellTarget, totalMentions } from './bridge';

function target() {
  const calls: string[] = [];
  const t: ShellTarget = {
    voice: {
      globalPttKey: null,
      setPtt: (down) => calls.push(`ptt:${down}`),
      toggleMute: () => calls.push('mute'),
      toggleDeaf: () => calls.push('deaf'),
    },
    navigate: (p) => calls.push(`nav:${p}`),
  };
  return { t, calls };
}

describe('desktop bridge', () => {
  afterEach(() => {
    delete (globalThis as Record<string, unknown>).__RETROCAST_DESKTOP__;
  });

  it('is absent in a browser and found in the shell', () => {
    expect(desktopBridge()).toBeNull();
    (globalThis as Record<string, unknown>).__RETROCAST_DESKTOP__ = { version: 1 };
    expect(desktopBridge(), 'an object without send/listen is not the bridge').toBeNull();
    const b: DesktopBridge = { version: 1, send: async () => undefined, listen: () => () => {} };
    (globalThis as Record<string, unknown>).__RETROCAST_DESKTOP__ = b;
    expect(desktopBridge()).toBe(b);
  });

  it('routes push-to-talk press and release, mute and deafen to the voice client', () => {
    const { t, calls } = target();
    applyShellMessage({ type: 'ptt', down: true }, t);
    applyShellMessage({ type: 'ptt', down: false }, t);
    applyShellMessage({ type: 'toggle_mute' }, t);
    applyShellMessage({ type: 'toggle_deafen' }, t);
    expect(calls).toEqual(['ptt:true', 'ptt:false', 'mute', 'deaf']);
  });

  it('labels the global key and only navigates within the client', () => {
    const { t, calls } = target();
    applyShellMessage({ type: 'info', version: 1, push_to_talk: 'F8', toggle_mute: null, toggle_deafen: null }, t);
    expect(t.voice.globalPttKey).toBe('F8');
    applyShellMessage({ type: 'navigate', path: '/invite/abc' }, t);
    applyShellMessage({ type: 'navigate', path: '//evil.example/x' }, t);
    applyShellMessage({ type: 'navigate', path: 'https://evil.example/' }, t);
    expect(calls).toEqual(['nav:/invite/abc']);
  });

  it('sums unread mentions over channels', () => {
    expect(totalMentions({ me: '1', byChannel: {} })).toBe(0);
    expect(
      totalMentions({
        me: '1',
        byChannel: { a: { id: 'a', last_message_id: null, mention_count: 2 }, b: { id: 'b', last_message_id: '5', mention_count: 3 } },
      }),
    ).toBe(5);
  });
});
