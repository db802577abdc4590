//! The typed bridge between the shell and the web client it loads from the server. The web side is
//! `web/src/lib/desktop/bridge.ts`; both sides speak JSON objects tagged by `type`.
//!
//! Page → shell goes through one IPC command (`bridge_message`), allowed only for the chosen
//! server's origin. Shell → page is a script evaluated in the webview that hands the message to the
//! object the initialization script defined (`window.__RETROCAST_DESKTOP__`).
use serde::{Deserialize, Serialize};

pub const BRIDGE_VERSION: u32 = 1;
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 1000;

/// What the web client tells the shell.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PageMessage {
    /// The web client found the shell and listens for its messages.
    Hello { version: u32 },
    /// Unread mentions across every channel: the tray badge.
    Unread { mentions: u32 },
    /// A native notification (the web client decides when one is due).
    Notify {
        title: String,
        #[serde(default)]
        body: String,
        /// Path in the web client to open on click, e.g. `/channels/1/2`.
        #[serde(default)]
        path: Option<String>,
    },
    /// The voice state the tray shows (mute/deafen checkmarks) and PTT feedback.
    VoiceState { in_call: bool, self_mute: bool, self_deaf: bool, ptt_held: bool },
}

/// What the shell tells the web client.
#[derive(Deserialize, Serialize, Debug, Clone, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ShellMessage {
    /// Who the shell is: bridge version and the keys bound globally (so the web client can label
    /// its push-to-talk and stop listening for its in-window key).
    Info { version: u32, push_to_talk: Option<String>, toggle_mute: Option<String>, toggle_deafen: Option<String> },
    /// The global push-to-talk key went down or up.
    Ptt { down: bool },
    ToggleMute,
    ToggleDeafen,
    /// Open a path of the web client (deep links, notification clicks).
    Navigate { path: String },
}

/// Checks and trims what a page sent: unknown types and fields are refused, text is capped so a
/// page cannot flood the notification daemon, paths must stay on the server.
pub fn parse_page_message(value: serde_json::Value) -> Result<PageMessage, String> {
    let msg: PageMessage = serde_json::from_value(value).map_err(|e| format!("bad bridge message: {e}"))?;
    Ok(match msg {
        PageMessage::Notify { title, body, path } => {
            let title: String = title.chars().take(MAX_TITLE).collect();
            if title.trim().is_empty() {
                return Err("bad bridge message: empty notification title".into());
            }
            PageMessage::Notify { title, body: body.chars().take(MAX_BODY).collect(), path: path.filter(|p| is_app_path(p)) }
        }
        PageMessage::Unread { mentions } => PageMessage::Unread { mentions: mentions.min(9999) },
        other => other,
    })
}

/// A same-origin path (`/…`, never `//host` or a scheme).
pub fn is_app_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && p.len() <= 512 && !p.chars().any(char::is_control)
}

impl ShellMessage {
    /// The script that delivers this message to the page. JSON is a valid JS expression; `<` is
    /// escaped anyway so nothing can close a surrounding script element.
    pub fn to_script(&self) -> String {
        let json = serde_json::to_string(self).expect("shell messages serialize").replace('<', "\\u003c");
        format!("window.__RETROCAST_DESKTOP__&&window.__RETROCAST_DESKTOP__.receive({json});")
    }
}

/// `retrocast://invite/<code>` → `/invite/<code>`; anything else is ignored.
pub fn deep_link_path(link: &str) -> Option<String> {
    let rest = link.strip_prefix("retrocast://")?;
    let rest = rest.trim_end_matches('/');
    let code = rest.strip_prefix("invite/")?;
    (!code.is_empty() && code.len() <= 64 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')).then(|| format!("/invite/{code}"))
}

/// Runs in every page of the main window before the page's own scripts and defines the bridge
/// object on web pages. It is inert anywhere but on the chosen server: the shell grants the
/// `bridge_message` command to that origin only (a runtime capability) and checks the caller's
/// origin again; it only delivers messages to a page on that origin. In the shell, the web
/// Notification API is routed to native notifications.
pub fn init_script() -> String {
    format!(
        r#"(function () {{
  if (!/^https?:$/.test(window.location.protocol) || window.__RETROCAST_DESKTOP__) return;
  var listeners = [];
  var pending = [];
  var last = {{}};
  function send(msg) {{
    last[msg && msg.type] = msg;
    var ipc = window.__TAURI_INTERNALS__;
    if (!ipc) return Promise.reject(new Error('desktop IPC unavailable'));
    return ipc.invoke('bridge_message', {{ message: msg }});
  }}
  var bridge = Object.freeze({{
    version: {BRIDGE_VERSION},
    send: send,
    listen: function (fn) {{
      listeners.push(fn);
      var queued = pending.splice(0);
      for (var i = 0; i < queued.length; i++) fn(queued[i]);
      return function () {{ listeners = listeners.filter(function (f) {{ return f !== fn; }}); }};
    }},
    receive: function (msg) {{
      if (listeners.length === 0) {{ if (pending.length < 50) pending.push(msg); return; }}
      for (var i = 0; i < listeners.length; i++) {{ try {{ listeners[i](msg); }} catch (e) {{ console.error(e); }} }}
    }},
    /** The last message of a type the page sent (diagnostics and the app's run test). */
    lastSent: function (type) {{ return last[type] || null; }}
  }});
  Object.defineProperty(window, '__RETROCAST_DESKTOP__', {{ value: bridge, writable: false, configurable: false }});
  function DesktopNotification(title, options) {{
    options = options || {{}};
    var path = options.data && typeof options.data.path === 'string' ? options.data.path : null;
    send({{ type: 'notify', title: String(title), body: String(options.body || ''), path: path }}).catch(function () {{}});
    this.title = String(title);
    this.body = String(options.body || '');
    this.onclick = null;
    this.onclose = null;
  }}
  DesktopNotification.permission = 'granted';
  DesktopNotification.requestPermission = function (cb) {{ if (cb) cb('granted'); return Promise.resolve('granted'); }};
  DesktopNotification.prototype.close = function () {{}};
  DesktopNotification.prototype.addEventListener = function () {{}};
  DesktopNotification.prototype.removeEventListener = function () {{}};
  window.Notification = DesktopNotification;
}})();"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_every_page_message() {
        assert_eq!(parse_page_message(json!({"type": "hello", "version": 1})).unwrap(), PageMessage::Hello { version: 1 });
        assert_eq!(parse_page_message(json!({"type": "unread", "mentions": 3})).unwrap(), PageMessage::Unread { mentions: 3 });
        assert_eq!(
            parse_page_message(json!({"type": "voice_state", "in_call": true, "self_mute": false, "self_deaf": false, "ptt_held": true})).unwrap(),
            PageMessage::VoiceState { in_call: true, self_mute: false, self_deaf: false, ptt_held: true }
        );
        assert_eq!(
            parse_page_message(json!({"type": "notify", "title": "alice", "body": "hi", "path": "/channels/1/2"})).unwrap(),
            PageMessage::Notify { title: "alice".into(), body: "hi".into(), path: Some("/channels/1/2".into()) }
        );
    }

    #[test]
    fn refuses_unknown_types_fields_and_wrong_shapes() {
        assert!(parse_page_message(json!({"type": "exec", "cmd": "rm"})).is_err());
        assert!(parse_page_message(json!({"type": "unread", "mentions": 1, "extra": true})).is_err());
        assert!(parse_page_message(json!({"type": "unread", "mentions": -1})).is_err());
        assert!(parse_page_message(json!({"type": "unread"})).is_err());
        assert!(parse_page_message(json!({"mentions": 1})).is_err());
        assert!(parse_page_message(json!("unread")).is_err());
        assert!(parse_page_message(json!({"type": "notify", "title": "   "})).is_err());
    }

    #[test]
    fn caps_text_and_drops_off_site_paths() {
        let long = "x".repeat(5000);
        let PageMessage::Notify { title, body, path } = parse_page_message(json!({"type": "notify", "title": long, "body": long, "path": "https://evil.example/"})).unwrap() else {
            panic!("not a notify")
        };
        assert_eq!(title.len(), 200);
        assert_eq!(body.len(), 1000);
        assert_eq!(path, None);
        for bad in ["//evil.example/x", "javascript:alert(1)", "/a\\b", "/a\nb", ""] {
            assert!(!is_app_path(bad), "{bad:?}");
        }
        assert_eq!(parse_page_message(json!({"type": "unread", "mentions": 4_000_000_000u32})).unwrap(), PageMessage::Unread { mentions: 9999 });
    }

    #[test]
    fn shell_messages_serialize_tagged_and_as_safe_scripts() {
        assert_eq!(serde_json::to_value(ShellMessage::Ptt { down: true }).unwrap(), json!({"type": "ptt", "down": true}));
        assert_eq!(serde_json::to_value(ShellMessage::ToggleMute).unwrap(), json!({"type": "toggle_mute"}));
        assert_eq!(serde_json::to_value(ShellMessage::ToggleDeafen).unwrap(), json!({"type": "toggle_deafen"}));
        let script = ShellMessage::Navigate { path: "/</script><script>alert(1)".into() }.to_script();
        assert!(!script.contains("</script>"));
        assert!(script.starts_with("window.__RETROCAST_DESKTOP__&&window.__RETROCAST_DESKTOP__.receive({"));
        let info = ShellMessage::Info { version: BRIDGE_VERSION, push_to_talk: Some("F8".into()), toggle_mute: None, toggle_deafen: None };
        let back: ShellMessage = serde_json::from_value(serde_json::to_value(&info).unwrap()).unwrap();
        assert_eq!(back, info);
    }

    #[test]
    fn deep_links_only_open_invites() {
        assert_eq!(deep_link_path("retrocast://invite/AbC123").as_deref(), Some("/invite/AbC123"));
        assert_eq!(deep_link_path("retrocast://invite/AbC123/").as_deref(), Some("/invite/AbC123"));
        assert_eq!(deep_link_path("retrocast://invite/"), None);
        assert_eq!(deep_link_path("retrocast://invite/../../x"), None);
        assert_eq!(deep_link_path("retrocast://settings"), None);
        assert_eq!(deep_link_path("https://invite/abc"), None);
    }

    #[test]
    fn init_script_only_targets_web_pages_and_calls_the_one_command() {
        let s = init_script();
        assert!(s.contains("/^https?:$/.test(window.location.protocol)"));
        assert!(s.contains("'bridge_message'"));
        assert!(s.contains("writable: false, configurable: false"), "a page cannot swap the bridge object");
    }
}
