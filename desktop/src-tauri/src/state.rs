//! What the running app keeps: the settings file and its path, which server origins were granted
//! the bridge, and the voice state the tray reflects.
use retrocast_desktop_core::settings::Settings;
use std::{
    collections::HashSet,
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, AtomicU32},
        Mutex,
    },
    time::{SystemTime, UNIX_EPOCH},
};

#[derive(Default, Clone, Copy, Debug)]
pub struct Voice {
    pub self_mute: bool,
    pub self_deaf: bool,
}

pub struct AppState {
    pub settings: Mutex<Settings>,
    pub settings_path: PathBuf,
    /// Origins that got the runtime capability for `bridge_message` (capabilities cannot be
    /// removed, so each is added once; the command also checks the caller is the current server).
    pub granted: Mutex<HashSet<String>>,
    /// A deep link that arrived while no server was chosen yet.
    pub pending_path: Mutex<Option<String>>,
    pub unread: AtomicU32,
    pub voice: Mutex<Voice>,
    pub quitting: AtomicBool,
    /// mDNS browsing: off for tests (RETROCAST_DESKTOP_MDNS=off) so nothing is multicast.
    pub mdns: bool,
}

impl AppState {
    pub fn new(settings_path: PathBuf, mdns: bool) -> Self {
        Self {
            settings: Mutex::new(Settings::load(&settings_path)),
            settings_path,
            granted: Mutex::new(HashSet::new()),
            pending_path: Mutex::new(None),
            unread: AtomicU32::new(0),
            voice: Mutex::new(Voice::default()),
            quitting: AtomicBool::new(false),
            mdns,
        }
    }

    /// Saves after a change; a failed write is reported, the change stays in memory.
    pub fn save(&self) -> Result<(), String> {
        let settings = self.settings.lock().unwrap().clone();
        settings.save(&self.settings_path).map_err(|e| format!("Could not save settings: {e}"))
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
