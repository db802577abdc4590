//! The app's own settings file: remembered servers (deduplicated by origin), the one in use, and
//! the shell preferences (shortcuts, close to tray, start with the system).
use crate::fingerprint;
use serde::{Deserialize, Serialize};
use std::{fs, io, path::Path};
use url::Url;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Server {
    /// The server's origin, e.g. `https://192.168.1.20:8443`: where the web client is loaded from.
    pub url: String,
    pub name: String,
    /// SHA-256 of the server's own CA (from its mDNS TXT record), normalized.
    #[serde(default)]
    pub ca_fingerprint: Option<String>,
    /// The user confirmed that fingerprint. Cleared whenever the fingerprint changes.
    #[serde(default)]
    pub trusted_ca: bool,
    /// Seconds since the epoch; newest first in the picker.
    #[serde(default)]
    pub last_used: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Shortcuts {
    /// Held to talk; empty turns it off. Accelerator syntax, e.g. `F8`, `CommandOrControl+Shift+Space`.
    pub push_to_talk: String,
    pub toggle_mute: String,
    pub toggle_deafen: String,
}

impl Default for Shortcuts {
    fn default() -> Self {
        Self {
            push_to_talk: "F8".into(),
            toggle_mute: "CommandOrControl+Shift+M".into(),
            toggle_deafen: "CommandOrControl+Shift+D".into(),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default)]
pub struct Settings {
    pub servers: Vec<Server>,
    /// Origin of the server the window shows; None until the user picked one.
    pub current: Option<String>,
    pub close_to_tray: bool,
    pub autostart: bool,
    pub shortcuts: Shortcuts,
}

impl Default for Settings {
    fn default() -> Self {
        Self { servers: Vec::new(), current: None, close_to_tray: true, autostart: false, shortcuts: Shortcuts::default() }
    }
}

/// What someone typed or a record announced → the server's origin. No scheme means HTTPS, except
/// on loopback, where the server also speaks plain HTTP. Paths, queries and fragments are dropped.
pub fn normalize_url(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err("Enter the server's address".into());
    }
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else {
        let host = input.split(['/', ':']).next().unwrap_or("");
        let loopback = host == "localhost" || host.starts_with("127.") || input.starts_with("[::1]");
        format!("{}://{input}", if loopback { "http" } else { "https" })
    };
    let url = Url::parse(&with_scheme).map_err(|e| format!("Not a valid address: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("Only http:// and https:// servers are supported".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("The address has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("Addresses with a user name or password are not supported".into());
    }
    Ok(url.origin().ascii_serialization())
}

impl Settings {
    /// A missing file is a first run; an unreadable one is set aside (`.bad`) rather than lost.
    pub fn load(path: &Path) -> Settings {
        match fs::read_to_string(path) {
            Ok(text) => match serde_json::from_str::<Settings>(&text) {
                Ok(mut s) => {
                    s.dedupe();
                    s
                }
                Err(_) => {
                    let _ = fs::rename(path, path.with_extension("json.bad"));
                    Settings::default()
                }
            },
            Err(_) => Settings::default(),
        }
    }

    /// Written to a temporary file then renamed, so a crash never leaves half a file.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        fs::write(&tmp, serde_json::to_vec_pretty(self).map_err(io::Error::other)?)?;
        fs::rename(&tmp, path)
    }

    pub fn get(&self, url: &str) -> Option<&Server> {
        let key = normalize_url(url).ok()?;
        self.servers.iter().find(|s| s.url == key)
    }

    /// Adds or updates a server by origin. A new or changed CA fingerprint is untrusted until the
    /// user confirms it again (`trust` says they just did).
    pub fn upsert(&mut self, url: &str, name: Option<&str>, ca_fingerprint: Option<&str>, trust: bool) -> Result<Server, String> {
        let key = normalize_url(url)?;
        let fp = match ca_fingerprint {
            Some(raw) if !raw.trim().is_empty() => Some(fingerprint::normalize(raw).ok_or("The CA fingerprint is not a SHA-256 hex string")?),
            _ => None,
        };
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(|n| n.chars().take(100).collect::<String>());
        let entry = match self.servers.iter_mut().find(|s| s.url == key) {
            Some(existing) => {
                if fp.is_some() && fp != existing.ca_fingerprint {
                    existing.ca_fingerprint = fp.clone();
                    existing.trusted_ca = false;
                }
                if let Some(n) = name {
                    existing.name = n;
                }
                existing
            }
            None => {
                let host = Url::parse(&key).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| key.clone());
                self.servers.push(Server { url: key.clone(), name: name.unwrap_or(host), ca_fingerprint: fp.clone(), trusted_ca: false, last_used: 0 });
                self.servers.last_mut().expect("just pushed")
            }
        };
        if trust && entry.ca_fingerprint.is_some() {
            entry.trusted_ca = true;
        }
        Ok(entry.clone())
    }

    pub fn remove(&mut self, url: &str) -> bool {
        let Ok(key) = normalize_url(url) else { return false };
        let before = self.servers.len();
        self.servers.retain(|s| s.url != key);
        if self.current.as_deref() == Some(key.as_str()) {
            self.current = None;
        }
        before != self.servers.len()
    }

    /// Makes a remembered server the current one.
    pub fn select(&mut self, url: &str, now: u64) -> Result<Server, String> {
        let key = normalize_url(url)?;
        let entry = self.servers.iter_mut().find(|s| s.url == key).ok_or("Unknown server: add it first")?;
        entry.last_used = now;
        self.current = Some(key);
        Ok(entry.clone())
    }

    /// Newest first.
    pub fn sorted(&self) -> Vec<Server> {
        let mut list = self.servers.clone();
        list.sort_by(|a, b| b.last_used.cmp(&a.last_used).then_with(|| a.name.cmp(&b.name)));
        list
    }

    /// Hand-edited files may hold the same server twice or in another spelling: keep one per
    /// origin (the most recently used), drop what cannot be parsed.
    fn dedupe(&mut self) {
        let mut kept: Vec<Server> = Vec::new();
        for mut s in std::mem::take(&mut self.servers) {
            let Ok(key) = normalize_url(&s.url) else { continue };
            s.url = key;
            s.ca_fingerprint = s.ca_fingerprint.as_deref().and_then(fingerprint::normalize);
            s.trusted_ca &= s.ca_fingerprint.is_some();
            match kept.iter_mut().find(|k| k.url == s.url) {
                Some(k) if k.last_used < s.last_used => *k = s,
                Some(_) => {}
                None => kept.push(s),
            }
        }
        self.servers = kept;
        self.current = self.current.as_deref().and_then(|c| normalize_url(c).ok()).filter(|c| self.servers.iter().any(|s| &s.url == c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    const FP2: &str = "1111111111111111111111111111111111111111111111111111111111111111";

    fn temp_path(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("rc-desktop-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir.join("settings.json")
    }

    #[test]
    fn normalizes_typed_addresses_to_origins() {
        assert_eq!(normalize_url("retrocast.local:8443").unwrap(), "https://retrocast.local:8443");
        assert_eq!(normalize_url("  HTTPS://Retrocast.Local:443/channels/@me?x=1#y ").unwrap(), "https://retrocast.local");
        assert_eq!(normalize_url("127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(normalize_url("localhost:3000/").unwrap(), "http://localhost:3000");
        assert_eq!(normalize_url("http://192.168.1.20:8080").unwrap(), "http://192.168.1.20:8080");
        assert_eq!(normalize_url("[::1]:8080").unwrap(), "http://[::1]:8080");
    }

    #[test]
    fn rejects_bad_addresses() {
        assert!(normalize_url("").is_err());
        assert!(normalize_url("ftp://x.example").is_err());
        assert!(normalize_url("javascript:alert(1)").is_err());
        assert!(normalize_url("https://user:pw@host.example").is_err());
        assert!(normalize_url("https://").is_err());
    }

    #[test]
    fn upsert_dedupes_by_origin_and_keeps_one_entry() {
        let mut s = Settings::default();
        s.upsert("retrocast.local:8443", Some("Home"), None, false).unwrap();
        s.upsert("https://RETROCAST.local:8443/", None, None, false).unwrap();
        s.upsert("https://retrocast.local:8443/channels", Some("Home box"), None, false).unwrap();
        assert_eq!(s.servers.len(), 1);
        assert_eq!(s.servers[0].name, "Home box");
        s.upsert("http://127.0.0.1:8080", None, None, false).unwrap();
        assert_eq!(s.servers.len(), 2);
        assert_eq!(s.servers[1].name, "127.0.0.1", "a server without a name is shown by its host");
    }

    #[test]
    fn trust_needs_a_fingerprint_and_a_changed_fingerprint_needs_new_trust() {
        let mut s = Settings::default();
        let a = s.upsert("https://a.local", None, None, true).unwrap();
        assert!(!a.trusted_ca, "nothing to trust without a fingerprint");
        let a = s.upsert("https://a.local", None, Some(FP), true).unwrap();
        assert!(a.trusted_ca);
        assert_eq!(a.ca_fingerprint.as_deref(), Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
        // The same fingerprint again (e.g. rediscovered) keeps the trust.
        assert!(s.upsert("https://a.local", None, Some(FP), false).unwrap().trusted_ca);
        // Another CA behind the same address must be confirmed again.
        let a = s.upsert("https://a.local", None, Some(FP2), false).unwrap();
        assert!(!a.trusted_ca);
        assert!(s.upsert("https://a.local", None, Some("not hex"), false).is_err());
    }

    #[test]
    fn persists_and_loads_round_trip() {
        let path = temp_path("roundtrip");
        let mut s = Settings::default();
        s.upsert("https://a.local", Some("A"), Some(FP), true).unwrap();
        s.upsert("http://127.0.0.1:9", Some("B"), None, false).unwrap();
        s.select("http://127.0.0.1:9", 42).unwrap();
        s.shortcuts.push_to_talk = "F9".into();
        s.close_to_tray = false;
        s.save(&path).unwrap();
        let loaded = Settings::load(&path);
        assert_eq!(loaded, s);
        assert_eq!(loaded.sorted()[0].name, "B", "most recently used first");
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn missing_file_is_first_run_and_corrupt_file_is_set_aside() {
        let path = temp_path("corrupt");
        let first = Settings::load(&path);
        assert_eq!(first, Settings::default());
        assert!(first.close_to_tray && !first.autostart, "close to tray on, autostart off by default");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{ not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        assert!(path.with_extension("json.bad").exists());
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn load_dedupes_hand_edited_files_and_drops_a_dangling_current() {
        let path = temp_path("dedupe");
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            r#"{{"servers":[
              {{"url":"https://a.local/","name":"old","last_used":1,"ca_fingerprint":"{FP}","trusted_ca":true}},
              {{"url":"HTTPS://A.LOCAL:443","name":"new","last_used":5}},
              {{"url":"not a url at all","name":"x"}},
              {{"url":"https://b.local","name":"b","ca_fingerprint":"zz","trusted_ca":true}}
            ],"current":"https://gone.local"}}"#
        );
        fs::write(&path, text).unwrap();
        let s = Settings::load(&path);
        assert_eq!(s.servers.len(), 2);
        assert_eq!(s.servers[0].name, "new");
        assert!(!s.servers[1].trusted_ca, "trust without a valid fingerprint is dropped");
        assert_eq!(s.current, None);
        assert_eq!(s.shortcuts, Shortcuts::default(), "missing fields take defaults");
        fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn remove_and_select() {
        let mut s = Settings::default();
        s.upsert("https://a.local", None, None, false).unwrap();
        assert!(s.select("https://b.local", 1).is_err());
        s.select("https://a.local", 7).unwrap();
        assert_eq!(s.current.as_deref(), Some("https://a.local"));
        assert!(s.remove("a.local"));
        assert!(s.current.is_none() && s.servers.is_empty());
        assert!(!s.remove("a.local"));
    }
}
