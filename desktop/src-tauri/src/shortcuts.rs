//! Global shortcuts (work while another program has focus): push-to-talk sends both press and
//! release, mute and deafen toggle on press. On Linux this needs X11 (XWayland apps included);
//! a Wayland session gives no global keys to apps.
use crate::windows;
use retrocast_desktop_core::bridge::ShellMessage;
use std::sync::Mutex;
use tauri::{AppHandle, Manager, Wry};
use tauri_plugin_global_shortcut::{GlobalShortcutExt, Shortcut, ShortcutEvent, ShortcutState};

#[derive(Default)]
pub struct Bound {
    ptt: Option<Shortcut>,
    mute: Option<Shortcut>,
    deafen: Option<Shortcut>,
    errors: Vec<String>,
}

pub type BoundState = Mutex<Bound>;

pub fn plugin() -> tauri::plugin::TauriPlugin<Wry> {
    tauri_plugin_global_shortcut::Builder::new()
        .with_handler(|app, shortcut, event| handle(app, shortcut, event))
        .build()
}

fn handle(app: &AppHandle, shortcut: &Shortcut, event: ShortcutEvent) {
    let msg = {
        let bound = app.state::<BoundState>();
        let b = bound.lock().unwrap();
        if b.ptt.as_ref() == Some(shortcut) {
            Some(ShellMessage::Ptt { down: event.state == ShortcutState::Pressed })
        } else if event.state != ShortcutState::Pressed {
            None
        } else if b.mute.as_ref() == Some(shortcut) {
            Some(ShellMessage::ToggleMute)
        } else if b.deafen.as_ref() == Some(shortcut) {
            Some(ShellMessage::ToggleDeafen)
        } else {
            None
        }
    };
    if let Some(msg) = msg {
        windows::to_page(app, &msg);
    }
}

/// (Re)binds the shortcuts from the settings; what fails is kept for the picker to show.
pub fn bind(app: &AppHandle) {
    let s = app.state::<crate::state::AppState>().settings.lock().unwrap().shortcuts.clone();
    let gs = app.global_shortcut();
    let _ = gs.unregister_all();
    let mut bound = Bound::default();
    let mut take = |what: &str, accel: &str| -> Option<Shortcut> {
        if accel.is_empty() {
            return None;
        }
        let parsed = match accel.parse::<Shortcut>() {
            Ok(s) => s,
            Err(e) => {
                bound.errors.push(format!("{what} ({accel}): {e}"));
                return None;
            }
        };
        match gs.register(parsed) {
            Ok(()) => Some(parsed),
            Err(e) => {
                bound.errors.push(format!("{what} ({accel}): {e}"));
                None
            }
        }
    };
    let ptt = take("Push to talk", &s.push_to_talk);
    let mute = take("Mute", &s.toggle_mute);
    let deafen = take("Deafen", &s.toggle_deafen);
    bound.ptt = ptt;
    bound.mute = mute;
    bound.deafen = deafen;
    for e in &bound.errors {
        eprintln!("retrocast-desktop: shortcut not bound: {e}");
    }
    *app.state::<BoundState>().lock().unwrap() = bound;
}

pub fn errors(app: &AppHandle) -> Vec<String> {
    app.state::<BoundState>().lock().unwrap().errors.clone()
}

/// Which of (push to talk, mute, deafen) are bound right now.
pub fn bound(app: &AppHandle) -> (bool, bool, bool) {
    let b = app.state::<BoundState>();
    let b = b.lock().unwrap();
    (b.ptt.is_some(), b.mute.is_some(), b.deafen.is_some())
}
