// The bundled first-run page: remembered servers, servers found on the LAN (mDNS), an address
// typed by hand, and the desktop preferences. Talks to the shell through its picker commands only.
const ipc = window.__TAURI_INTERNALS__;
const $ = (id) => document.getElementById(id);

function invoke(cmd, args = {}) {
  if (!ipc) return Promise.reject(new Error('This page only works inside the Retrocast app.'));
  return ipc.invoke(cmd, args);
}

function showError(e) {
  const el = $('error');
  el.textContent = e ? String(e.message ?? e) : '';
  el.hidden = !e;
}

/** `abcd…` → `AB:CD:…`, as the server's setup page shows it. */
function displayFingerprint(fp) {
  return fp.toUpperCase().match(/.{2}/g).join(':');
}

let view = { servers: [], current: null, shortcuts: {}, mdns: true };

function item(server, { onOpen, onForget, trusted }) {
  const li = document.createElement('li');
  const who = document.createElement('div');
  who.className = 'who';
  const name = document.createElement('strong');
  name.textContent = server.name;
  const url = document.createElement('small');
  url.textContent = server.url + (server.version ? ` · version ${server.version}` : '');
  who.append(name, url);
  if (server.ca_fingerprint) {
    const fp = document.createElement('small');
    fp.textContent = `CA ${displayFingerprint(server.ca_fingerprint).slice(0, 23)}…`;
    fp.title = displayFingerprint(server.ca_fingerprint);
    who.append(fp);
  }
  li.append(who);
  if (server.ca_fingerprint) {
    const badge = document.createElement('span');
    badge.className = trusted ? 'badge trusted' : 'badge';
    badge.textContent = trusted ? 'Trusted' : 'Not trusted yet';
    li.append(badge);
  }
  if (onForget) {
    const forget = document.createElement('button');
    forget.className = 'danger';
    forget.type = 'button';
    forget.textContent = 'Forget';
    forget.addEventListener('click', onForget);
    li.append(forget);
  }
  const open = document.createElement('button');
  open.type = 'button';
  open.textContent = server.url === view.current ? 'Open' : 'Connect';
  open.addEventListener('click', onOpen);
  li.append(open);
  return li;
}

function renderSaved() {
  const list = $('saved');
  list.replaceChildren(
    ...view.servers.map((s) =>
      item(s, {
        trusted: s.trusted_ca,
        onOpen: () => connect(s),
        onForget: async () => {
          try {
            view = await invoke('forget_server', { url: s.url });
          } catch (e) {
            showError(e);
          }
          renderSaved();
        },
      }),
    ),
  );
  $('saved-section').hidden = view.servers.length === 0;
}

function renderPrefs() {
  $('ptt').value = view.shortcuts.push_to_talk ?? '';
  $('mute').value = view.shortcuts.toggle_mute ?? '';
  $('deafen').value = view.shortcuts.toggle_deafen ?? '';
  $('close-to-tray').checked = view.close_to_tray;
  $('autostart').checked = view.autostart;
  $('shortcut-errors').replaceChildren(
    ...(view.shortcut_errors ?? []).map((e) => {
      const li = document.createElement('li');
      li.textContent = `Not bound: ${e}`;
      return li;
    }),
  );
}

async function discover() {
  const status = $('lan-status');
  const list = $('lan');
  if (!view.mdns) {
    status.textContent = 'Searching the network is turned off.';
    return;
  }
  $('refresh').disabled = true;
  status.textContent = 'Searching…';
  try {
    const found = await invoke('discover_servers');
    list.replaceChildren(
      ...found.map((d) => {
        const known = view.servers.find((s) => s.url === d.url);
        const trusted = !!known?.trusted_ca && known.ca_fingerprint === d.ca_fingerprint;
        return item(d, { trusted, onOpen: () => connect(d) });
      }),
    );
    status.textContent = found.length ? '' : 'No Retrocast server answered on this network. Type its address below.';
  } catch (e) {
    status.textContent = `Search failed: ${e.message ?? e}`;
  } finally {
    $('refresh').disabled = false;
  }
}

/** Asks before trusting a CA the user has not confirmed yet; resolves true to go on. */
function confirmTrust(server) {
  const dialog = $('trust');
  $('trust-name').textContent = server.name;
  $('trust-url').textContent = server.url;
  $('trust-fp').textContent = displayFingerprint(server.ca_fingerprint);
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'trust'), { once: true }));
}

async function connect(server) {
  showError(null);
  try {
    const known = view.servers.find((s) => s.url === server.url);
    const fp = server.ca_fingerprint ?? null;
    let trust = false;
    if (fp && !(known?.trusted_ca && known.ca_fingerprint === fp)) {
      trust = await confirmTrust(server);
      if (!trust) return;
    }
    const saved = await invoke('save_server', { url: server.url, name: server.name ?? null, caFingerprint: fp, trustCa: trust });
    await invoke('open_server', { url: saved.url });
  } catch (e) {
    showError(e);
  }
}

$('manual').addEventListener('submit', (e) => {
  e.preventDefault();
  const url = $('address').value.trim();
  const name = $('name').value.trim();
  connect({ url, name: name || null, ca_fingerprint: null });
});

$('refresh').addEventListener('click', discover);

$('prefs-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  showError(null);
  try {
    view = await invoke('save_preferences', {
      closeToTray: $('close-to-tray').checked,
      autostart: $('autostart').checked,
      shortcuts: { push_to_talk: $('ptt').value, toggle_mute: $('mute').value, toggle_deafen: $('deafen').value },
    });
    renderPrefs();
    $('prefs-saved').hidden = false;
    setTimeout(() => ($('prefs-saved').hidden = true), 2000);
  } catch (err) {
    showError(err);
  }
});

// The shell sends us back here with the reason when a server could not be opened securely.
const reason = new URLSearchParams(location.search).get('error');
if (reason) showError(reason);

try {
  view = await invoke('list_servers');
  renderSaved();
  renderPrefs();
  discover();
} catch (e) {
  showError(e);
}
