fn main() {
    // App commands get allow-/deny- permissions; without a capability naming them, nothing (and no
    // remote page) may call them. See capabilities/picker.json and bridge.rs for the remote grant.
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "list_servers",
        "discover_servers",
        "save_preferences",
        "save_server",
        "forget_server",
        "open_server",
        "bridge_message",
    ])))
    .expect("tauri build script");
}
