/**
 * Appearance preferences of this device (User Settings → Appearance): theme, clock, density.
 * Kept in localStorage and applied to <html> (data-theme, data-compact) so CSS alone follows them.
 */
export type Theme = 'system' | 'light' | 'dark';
export type Clock = 'auto' | '12' | '24';

const KEY = 'retrocast.prefs';

class Prefs {
  theme: Theme = $state('system');
  clock: Clock = $state('auto');
  compact = $state(false);

  constructor() {
    if (typeof localStorage === 'undefined') return;
    try {
      const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}');
      if (['system', 'light', 'dark'].includes(saved.theme)) this.theme = saved.theme;
      if (['auto', '12', '24'].includes(saved.clock)) this.clock = saved.clock;
      this.compact = saved.compact === true;
    } catch {
      // A damaged entry: defaults.
    }
    this.apply();
  }

  set(patch: Partial<{ theme: Theme; clock: Clock; compact: boolean }>) {
    Object.assign(this, patch);
    localStorage.setItem(KEY, JSON.stringify({ theme: this.theme, clock: this.clock, compact: this.compact }));
    this.apply();
  }

  private apply() {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    if (this.theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.theme;
    if (this.compact) root.dataset.compact = '';
    else delete root.dataset.compact;
  }

  /** `hour12` for Intl: undefined follows the locale. */
  get hour12(): boolean | undefined {
    return this.clock === 'auto' ? undefined : this.clock === '12';
  }
}

export const prefs = new Prefs();

/** The last text channel opened (reopened after login instead of Home). */
const LAST = 'retrocast.lastChannel';
export function rememberChannel(path: string) {
  try {
    localStorage.setItem(LAST, path);
  } catch {
    // Private mode: nothing to remember.
  }
}
export function lastChannel(): string | null {
  try {
    return localStorage.getItem(LAST);
  } catch {
    return null;
  }
}
