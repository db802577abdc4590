/** Home actions shared by the Friends view, the DM list, the user popout and the call UI. */
import { goto } from '$app/navigation';
import { dmsApi } from '$lib/api/dms';
import { calls } from '$lib/state/calls.svelte';
import { session } from '$lib/state/session.svelte';
import { ui } from '$lib/state/ui.svelte';

/** Opens (or reuses) the DM with a user and shows it. */
export async function openDm(userId: string): Promise<string> {
  const id = session.dms.dmWith(userId)?.id ?? (await dmsApi.openDm(userId)).id;
  ui.popover = null;
  ui.navOpen = false;
  await goto(`/channels/@me/${id}`);
  return id;
}

/** Opens the DM and starts a call in it. */
export async function startCall(userId: string) {
  const id = await openDm(userId);
  await calls.join(id);
}

/** Data URI of a picked image file (group icons). */
export function readDataUri(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}
