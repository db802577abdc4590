//! What the desktop app does that can be tested without a window: the messages the web client and
//! the shell exchange, the remembered servers and preferences, and reading mDNS discovery records.
pub mod bridge;
pub mod discovery;
pub mod fingerprint;
pub mod settings;
