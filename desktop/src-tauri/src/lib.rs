//! Retrocast desktop: the server's own web client in a native window, plus what a browser tab
//! cannot do — global push-to-talk, a tray icon, native notifications, start with the system,
//! single instance, `retrocast://` links and finding servers on the LAN.
mod commands;
mod shortcuts;
mod state;
#[cfg(target_os = "linux")]
mod tls;
mod tray;
mod windows;

use retrocast_desktop_core::bridge::{deep_link_path, ShellMessage};
use state::AppState;
use std::{path::PathBuf, sync::atomic::Ordering};
use tauri::{AppHandle, Manager, RunEvent, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;

/// `retrocast://invite/<code>`: opens the invite on the current server, or after one is chosen.
fn open_links(app: &AppHandle, links: impl IntoIterator<Item = String>) {
    for link in links {
        let Some(path) = deep_link_path(&link) else { continue };
        let state = app.state::<AppState>();
        let on_server = state.settings.lock().unwrap().current.is_some() && windows::main_window(app).is_some_and(|w| w.url().is_ok_and(|u| u.scheme().starts_with("http")));
        if on_server {
            windows::to_page(app, &ShellMessage::Navigate { path });
            windows::focus_main(app);
        } else {
            *state.pending_path.lock().unwrap() = Some(path);
            windows::focus_main(app);
        }
    }
}

fn config_path(app: &AppHandle) -> PathBuf {
    // Tests point this at a temporary directory.
    let dir = std::env::var_os("RETROCAST_DESKTOP_CONFIG_DIR")
        .map(PathBuf::from)
        .or_else(|| app.path().app_config_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join("settings.json")
}

pub fn run() {
    let app = tauri::Builder::default()
        // First: a second launch hands its arguments to this one and exits; a `retrocast://`
        // argument reaches `on_open_url` below (the plugin's deep-link feature).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| windows::focus_main(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(shortcuts::plugin())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_autostart::init(tauri_plugin_autostart::MacosLauncher::LaunchAgent, Some(vec!["--autostart"])))
        .invoke_handler(tauri::generate_handler![
            commands::list_servers,
            commands::discover_servers,
            commands::save_server,
            commands::forget_server,
            commands::open_server,
            commands::save_preferences,
            commands::bridge_message,
        ])
        .setup(|app| {
            let handle = app.handle().clone();
            let mdns = std::env::var("RETROCAST_DESKTOP_MDNS").map(|v| v != "off").unwrap_or(true);
            app.manage(AppState::new(config_path(&handle), mdns));
            app.manage(shortcuts::BoundState::default());
            app.manage(tray::TrayState::default());
            shortcuts::bind(&handle);
            if let Err(e) = tray::create(&handle) {
                eprintln!("retrocast-desktop: no tray icon: {e}");
            }
            // Installed packages declare the retrocast:// scheme (.deb desktop file, macOS bundle);
            // a dev build or an AppImage registers it for this user at run time.
            #[cfg(any(target_os = "linux", windows))]
            if cfg!(debug_assertions) || std::env::var_os("APPIMAGE").is_some() {
                let _ = app.deep_link().register_all();
            }
            let h = handle.clone();
            app.deep_link().on_open_url(move |event| open_links(&h, event.urls().into_iter().map(String::from)));
            let started_hidden = std::env::args().any(|a| a == "--autostart");
            let current = {
                let s = handle.state::<AppState>();
                let s = s.settings.lock().unwrap();
                s.current.clone().filter(|c| s.get(c).is_some_and(|srv| srv.ca_fingerprint.is_none() || srv.trusted_ca))
            };
            if let Some(links) = app.deep_link().get_current().ok().flatten() {
                if let Some(path) = links.iter().find_map(|l| deep_link_path(l.as_str())) {
                    *handle.state::<AppState>().pending_path.lock().unwrap() = Some(path);
                }
            }
            match current {
                Some(origin) => {
                    let pending = handle.state::<AppState>().pending_path.lock().unwrap().take();
                    windows::open_server(&handle, &origin, pending.as_deref())?;
                }
                None => windows::open_picker(&handle)?,
            }
            if started_hidden {
                if let Some(w) = windows::main_window(&handle) {
                    let _ = w.hide();
                }
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app in the tray (when enabled).
            if let WindowEvent::CloseRequested { api, .. } = event {
                let app = window.app_handle();
                let state = app.state::<AppState>();
                let keep = state.settings.lock().unwrap().close_to_tray;
                if keep && !state.quitting.load(Ordering::SeqCst) && app.tray_by_id("main").is_some() {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building the Retrocast desktop app");
    app.run(|app, event| {
        // With close-to-tray off, closing the last window quits; with it on, the tray keeps us.
        if let RunEvent::ExitRequested { api, code, .. } = event {
            let state = app.state::<AppState>();
            let keep = state.settings.lock().unwrap().close_to_tray;
            if code.is_none() && keep && !state.quitting.load(Ordering::SeqCst) && app.tray_by_id("main").is_some() {
                api.prevent_exit();
            }
        }
    });
}
