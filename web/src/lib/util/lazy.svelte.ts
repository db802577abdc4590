import type { Component } from 'svelte';
import type { Attachment } from 'svelte/attachments';

/**
 * A component kept out of the first-load bundle (issue 16: ≤ 90 KB over the wire). Reading
 * `component` starts its dynamic import once and is undefined until the module has arrived, then
 * reactive, so `{#if open && X.component}<X.component />{/if}` renders it whole, never half-built.
 * Call `preload` on hover/focus of whatever opens it, so it is usually there by the click. A failed
 * import (offline, a new deploy) is retried on the next read.
 */
export function lazy<C extends Component<any>>(load: () => Promise<{ default: C }>) {
  let loaded = $state.raw<C>();
  let pending: Promise<void> | undefined;
  const preload = () => {
    pending ??= load().then(
      (m) => {
        loaded = m.default;
      },
      () => {
        pending = undefined;
      },
    );
    return pending;
  };
  return {
    get component(): C | undefined {
      if (!loaded) void preload();
      return loaded;
    },
    preload,
  };
}

type Lazy = { preload: () => unknown };

/**
 * Attachment (`{@attach preloads(A, B)}`) for whatever opens lazy components: starts their import
 * when the pointer reaches the element, a touch starts on it or it gets focus, so that they are
 * usually loaded by the click. (An attachment, not an action: Svelte deep-reads an action's
 * argument, which would read `component` and load everything at once.)
 */
export function preloads(...what: Lazy[]): Attachment<HTMLElement> {
  return (node) => {
    const go = () => {
      for (const t of what) void t.preload();
    };
    const events = ['pointerenter', 'focusin', 'touchstart'] as const;
    for (const e of events) node.addEventListener(e, go, { passive: true });
    return () => {
      for (const e of events) node.removeEventListener(e, go);
    };
  };
}
