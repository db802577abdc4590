//! The tray icon: unread-mention badge (a dot on the icon, the count in the tooltip/label), mute
//! and deafen toggles (sent to the web client, checkmarks follow what it reports back), Open,
//! Switch server, Close to tray, Start with the system, Quit.
use crate::{state::AppState, windows};
use retrocast_desktop_core::bridge::ShellMessage;
use std::sync::{atomic::Ordering, Mutex};
use tauri::{
    image::Image,
    menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem},
    tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent},
    AppHandle, Manager,
};
use tauri_plugin_autostart::ManagerExt;

const TRAY_ID: &str = "main";
const ICON: &[u8] = include_bytes!("../icons/tray.png");
const ICON_BADGE: &[u8] = include_bytes!("../icons/tray-badge.png");

pub struct TrayItems {
    mute: CheckMenuItem<tauri::Wry>,
    deafen: CheckMenuItem<tauri::Wry>,
    close_to_tray: CheckMenuItem<tauri::Wry>,
    autostart: CheckMenuItem<tauri::Wry>,
}

pub type TrayState = Mutex<Option<TrayItems>>;

pub fn create(app: &AppHandle) -> tauri::Result<()> {
    let (close_to_tray, autostart) = {
        let s = app.state::<AppState>().settings.lock().unwrap().clone();
        (s.close_to_tray, s.autostart)
    };
    let open = MenuItem::with_id(app, "open", "Open Retrocast", true, None::<&str>)?;
    let mute = CheckMenuItem::with_id(app, "mute", "Mute", true, false, None::<&str>)?;
    let deafen = CheckMenuItem::with_id(app, "deafen", "Deafen", true, false, None::<&str>)?;
    let switch = MenuItem::with_id(app, "switch", "Switch server…", true, None::<&str>)?;
    let close = CheckMenuItem::with_id(app, "close_to_tray", "Keep running in the tray when closed", true, close_to_tray, None::<&str>)?;
    let auto = CheckMenuItem::with_id(app, "autostart", "Start with the system", true, autostart, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let sep = || PredefinedMenuItem::separator(app);
    let menu = Menu::with_items(app, &[&open, &sep()?, &mute, &deafen, &sep()?, &switch, &close, &auto, &sep()?, &quit])?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(ICON)?)
        .tooltip("Retrocast")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click { button: MouseButton::Left, button_state: MouseButtonState::Up, .. } = event {
                windows::focus_main(tray.app_handle());
            }
        })
        .build(app)?;
    *app.state::<TrayState>().lock().unwrap() = Some(TrayItems { mute, deafen, close_to_tray: close, autostart: auto });
    refresh(app);
    Ok(())
}

fn on_menu(app: &AppHandle, id: &str) {
    let state = app.state::<AppState>();
    match id {
        "open" => windows::focus_main(app),
        "mute" => windows::to_page(app, &ShellMessage::ToggleMute),
        "deafen" => windows::to_page(app, &ShellMessage::ToggleDeafen),
        "switch" => {
            let _ = windows::open_picker(app);
        }
        "close_to_tray" => {
            let mut s = state.settings.lock().unwrap();
            s.close_to_tray = !s.close_to_tray;
            drop(s);
            let _ = state.save();
        }
        "autostart" => {
            let mut s = state.settings.lock().unwrap();
            s.autostart = !s.autostart;
            drop(s);
            let _ = state.save();
            apply_autostart(app);
        }
        "quit" => {
            state.quitting.store(true, Ordering::SeqCst);
            app.exit(0);
        }
        _ => {}
    }
    // Check items flip themselves when clicked; put them back to what is true.
    refresh(app);
}

/// Registers or removes the login item to match the setting (off unless the user turned it on).
pub fn apply_autostart(app: &AppHandle) {
    let want = app.state::<AppState>().settings.lock().unwrap().autostart;
    let launcher = app.autolaunch();
    let is = launcher.is_enabled().unwrap_or(false);
    let result = match (want, is) {
        (true, false) => launcher.enable(),
        (false, true) => launcher.disable(),
        _ => Ok(()),
    };
    if let Err(e) = result {
        eprintln!("retrocast-desktop: autostart: {e}");
    }
}

/// Brings the icon, tooltip and checkmarks in line with the state.
pub fn refresh(app: &AppHandle) {
    let state = app.state::<AppState>();
    let unread = state.unread.load(Ordering::SeqCst);
    let voice = *state.voice.lock().unwrap();
    let s = state.settings.lock().unwrap().clone();
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        let label = match unread {
            0 => "Retrocast".to_string(),
            1 => "Retrocast — 1 unread mention".to_string(),
            n => format!("Retrocast — {n} unread mentions"),
        };
        if let Ok(img) = Image::from_bytes(if unread > 0 { ICON_BADGE } else { ICON }) {
            let _ = tray.set_icon(Some(img));
        }
        let _ = tray.set_tooltip(Some(&label));
        // Linux trays (AppIndicator) show no tooltip; the title is shown next to the icon.
        #[cfg(target_os = "linux")]
        let _ = tray.set_title(if unread > 0 { Some(unread.to_string()) } else { None });
    }
    if let Some(items) = app.state::<TrayState>().lock().unwrap().as_ref() {
        let _ = items.mute.set_checked(voice.self_mute);
        let _ = items.deafen.set_checked(voice.self_deaf);
        let _ = items.close_to_tray.set_checked(s.close_to_tray);
        let _ = items.autostart.set_checked(s.autostart);
    }
}
