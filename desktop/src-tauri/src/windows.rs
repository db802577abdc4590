//! The one main window: it shows the bundled server picker (local app page) or the web client
//! loaded from the chosen server. It may only be on one of those; other links open in the system
//! browser.
use crate::state::AppState;
use retrocast_desktop_core::bridge::{init_script, ShellMessage};
use tauri::{ipc::CapabilityBuilder, webview::NewWindowResponse, AppHandle, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use url::Url;

pub const MAIN: &str = "main";

/// Where the bundled pages are served from (custom protocol; Windows maps it onto http).
fn picker_url() -> Url {
    #[cfg(windows)]
    let base = "http://tauri.localhost/index.html";
    #[cfg(not(windows))]
    let base = "tauri://localhost/index.html";
    Url::parse(base).expect("static url")
}

fn is_local(url: &Url) -> bool {
    url.scheme() == "tauri" || url.host_str() == Some("tauri.localhost")
}

pub fn show(window: &WebviewWindow) {
    let _ = window.unminimize();
    let _ = window.show();
    let _ = window.set_focus();
}

pub fn main_window(app: &AppHandle) -> Option<WebviewWindow> {
    app.get_webview_window(MAIN)
}

pub fn focus_main(app: &AppHandle) {
    match main_window(app) {
        Some(w) => show(&w),
        None => {
            let _ = open_picker(app);
        }
    }
}

fn create(app: &AppHandle, url: WebviewUrl) -> tauri::Result<WebviewWindow> {
    let nav_app = app.clone();
    WebviewWindowBuilder::new(app, MAIN, url)
        .title("Retrocast")
        .inner_size(1280.0, 800.0)
        .min_inner_size(420.0, 420.0)
        .initialization_script(init_script())
        // The window stays on the picker or the chosen server; anything else opens outside.
        .on_navigation(move |url| {
            if is_local(url) || matches!(url.scheme(), "about" | "blob" | "data") {
                return true;
            }
            let current = nav_app.state::<AppState>().settings.lock().unwrap().current.clone();
            if current.as_deref() == Some(url.origin().ascii_serialization().as_str()) {
                return true;
            }
            if matches!(url.scheme(), "http" | "https" | "mailto") {
                open_externally(url.as_str());
            }
            false
        })
        // `target="_blank"` links (files, embeds) open in the system browser, never in a webview.
        .on_new_window(|url, _features| {
            if matches!(url.scheme(), "http" | "https") {
                open_externally(url.as_str());
            }
            NewWindowResponse::Deny
        })
        .build()
}

pub fn open_picker(app: &AppHandle) -> tauri::Result<()> {
    match main_window(app) {
        Some(w) => {
            if !w.url().is_ok_and(|u| is_local(&u)) {
                w.navigate(picker_url())?;
            }
            show(&w);
        }
        None => {
            let w = create(app, WebviewUrl::App("index.html".into()))?;
            show(&w);
        }
    }
    Ok(())
}

/// Loads `origin` + `path` (the settings' current server must already be `origin`).
pub fn open_server(app: &AppHandle, origin: &str, path: Option<&str>) -> Result<(), String> {
    grant_bridge(app, origin)?;
    let target = Url::parse(origin).and_then(|u| u.join(path.unwrap_or("/"))).map_err(|e| e.to_string())?;
    let window = match main_window(app) {
        Some(w) => {
            w.navigate(target).map_err(|e| e.to_string())?;
            w
        }
        None => create(app, WebviewUrl::External(target)).map_err(|e| format!("Could not open the window: {e}"))?,
    };
    #[cfg(target_os = "linux")]
    crate::tls::attach(app, &window);
    show(&window);
    Ok(())
}

/// The chosen server's origin (and only it) may call `bridge_message`, from the main window.
/// Capabilities cannot be removed at run time: after a switch the old origin keeps this grant,
/// so `bridge_message` also checks the caller is the current server.
fn grant_bridge(app: &AppHandle, origin: &str) -> Result<(), String> {
    let state = app.state::<AppState>();
    if state.granted.lock().unwrap().insert(origin.to_string()) {
        let n = state.granted.lock().unwrap().len();
        app.add_capability(
            CapabilityBuilder::new(format!("bridge-{n}"))
                .remote(format!("{origin}/*"))
                .local(false)
                .window(MAIN)
                .permission("allow-bridge-message"),
        )
        .map_err(|e| format!("Could not grant the bridge: {e}"))?;
    }
    Ok(())
}

/// Sends a message to the web client, if the window shows the current server.
pub fn to_page(app: &AppHandle, msg: &ShellMessage) {
    let Some(w) = main_window(app) else { return };
    let current = app.state::<AppState>().settings.lock().unwrap().current.clone();
    if w.url().is_ok_and(|u| Some(u.origin().ascii_serialization()) == current) {
        let _ = w.eval(msg.to_script());
    }
}

pub fn open_externally(url: &str) {
    #[cfg(target_os = "linux")]
    let cmd = ("xdg-open", vec![url]);
    #[cfg(target_os = "macos")]
    let cmd = ("open", vec![url]);
    #[cfg(target_os = "windows")]
    let cmd = ("explorer", vec![url]);
    let _ = std::process::Command::new(cmd.0).args(cmd.1).spawn();
}
