//! IPC commands. The picker's commands are allowed only for the bundled pages
//! (capabilities/picker.json); `bridge_message` only for the chosen server's origin, in its window.
use crate::{shortcuts, state::AppState, tray, windows};
use retrocast_desktop_core::{
    bridge::{parse_page_message, PageMessage, ShellMessage, BRIDGE_VERSION},
    discovery::{self, Discovered},
    settings::{Server, Shortcuts},
};
use serde::Serialize;
use std::{sync::atomic::Ordering, time::Duration};
use tauri::{AppHandle, Manager, State, WebviewWindow};
use tauri_plugin_notification::NotificationExt;

#[derive(Serialize)]
pub struct PickerView {
    servers: Vec<Server>,
    current: Option<String>,
    close_to_tray: bool,
    autostart: bool,
    shortcuts: Shortcuts,
    mdns: bool,
    /// Shortcuts that could not be bound (taken by another program, or invalid).
    shortcut_errors: Vec<String>,
}

fn view(app: &AppHandle) -> PickerView {
    let state = app.state::<AppState>();
    let s = state.settings.lock().unwrap().clone();
    PickerView {
        servers: s.sorted(),
        current: s.current,
        close_to_tray: s.close_to_tray,
        autostart: s.autostart,
        shortcuts: s.shortcuts,
        mdns: state.mdns,
        shortcut_errors: shortcuts::errors(app),
    }
}

#[tauri::command]
pub fn list_servers(app: AppHandle) -> PickerView {
    view(&app)
}

/// Browses the LAN for ~2.5 s (off the main thread).
#[tauri::command]
pub async fn discover_servers(state: State<'_, AppState>) -> Result<Vec<Discovered>, String> {
    if !state.mdns {
        return Ok(Vec::new());
    }
    tauri::async_runtime::spawn_blocking(|| discovery::browse(Duration::from_millis(2500), None)).await.map_err(|e| e.to_string())?
}

/// Remembers a server (typed or discovered). `trust_ca` records that the user confirmed the CA
/// fingerprint shown to them.
#[tauri::command]
pub fn save_server(app: AppHandle, url: String, name: Option<String>, ca_fingerprint: Option<String>, trust_ca: bool) -> Result<Server, String> {
    let state = app.state::<AppState>();
    let server = state.settings.lock().unwrap().upsert(&url, name.as_deref(), ca_fingerprint.as_deref(), trust_ca)?;
    state.save()?;
    Ok(server)
}

#[tauri::command]
pub fn forget_server(app: AppHandle, url: String) -> Result<PickerView, String> {
    let state = app.state::<AppState>();
    state.settings.lock().unwrap().remove(&url);
    state.save()?;
    Ok(view(&app))
}

/// Opens a remembered server in the main window. A server that announced a CA fingerprint is only
/// opened once the user trusted it.
#[tauri::command]
pub async fn open_server(app: AppHandle, url: String) -> Result<(), String> {
    let state = app.state::<AppState>();
    let server = {
        let mut s = state.settings.lock().unwrap();
        let server = s.get(&url).cloned().ok_or("Unknown server: add it first")?;
        if server.ca_fingerprint.is_some() && !server.trusted_ca {
            return Err("Confirm the server's certificate fingerprint first".into());
        }
        s.select(&url, crate::state::now_secs())?
    };
    state.save()?;
    let pending = state.pending_path.lock().unwrap().take();
    let app2 = app.clone();
    // Windows are created on the main thread.
    let (tx, rx) = std::sync::mpsc::channel();
    app.run_on_main_thread(move || {
        let _ = tx.send(windows::open_server(&app2, &server.url, pending.as_deref()));
    })
    .map_err(|e| e.to_string())?;
    rx.recv().map_err(|e| e.to_string())?
}

#[tauri::command]
pub fn save_preferences(app: AppHandle, close_to_tray: bool, autostart: bool, shortcuts: Shortcuts) -> Result<PickerView, String> {
    let state = app.state::<AppState>();
    {
        let mut s = state.settings.lock().unwrap();
        s.close_to_tray = close_to_tray;
        s.autostart = autostart;
        s.shortcuts = Shortcuts {
            push_to_talk: shortcuts.push_to_talk.trim().to_string(),
            toggle_mute: shortcuts.toggle_mute.trim().to_string(),
            toggle_deafen: shortcuts.toggle_deafen.trim().to_string(),
        };
    }
    state.save()?;
    shortcuts::bind(&app);
    tray::apply_autostart(&app);
    tray::refresh(&app);
    Ok(view(&app))
}

/// The one command the server's page may call. Refused unless the calling window is the current
/// server window and the page is on that server's origin.
#[tauri::command]
pub fn bridge_message(app: AppHandle, window: WebviewWindow, message: serde_json::Value) -> Result<(), String> {
    let state = app.state::<AppState>();
    let current = state.settings.lock().unwrap().current.clone();
    let origin = window.url().map(|u| u.origin().ascii_serialization()).unwrap_or_default();
    if window.label() != windows::MAIN || current.as_deref() != Some(origin.as_str()) {
        return Err("not the current server".into());
    }
    match parse_page_message(message)? {
        PageMessage::Hello { .. } => {
            let s = state.settings.lock().unwrap().shortcuts.clone();
            let bound = shortcuts::bound(&app);
            windows::to_page(
                &app,
                &ShellMessage::Info {
                    version: BRIDGE_VERSION,
                    push_to_talk: bound.0.then_some(s.push_to_talk),
                    toggle_mute: bound.1.then_some(s.toggle_mute),
                    toggle_deafen: bound.2.then_some(s.toggle_deafen),
                },
            );
        }
        PageMessage::Unread { mentions } => {
            state.unread.store(mentions, Ordering::SeqCst);
            tray::refresh(&app);
            let _ = window.set_badge_count((mentions > 0).then_some(i64::from(mentions)));
        }
        PageMessage::Notify { title, body, .. } => {
            app.notification().builder().title(title).body(body).show().map_err(|e| format!("notification failed: {e}"))?;
        }
        PageMessage::VoiceState { self_mute, self_deaf, .. } => {
            *state.voice.lock().unwrap() = crate::state::Voice { self_mute, self_deaf };
            tray::refresh(&app);
        }
    }
    Ok(())
}
