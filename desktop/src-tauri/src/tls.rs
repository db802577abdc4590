//! Trusting a server's own certificate authority on Linux (WebKitGTK). The picker shows the CA
//! fingerprint from the server's mDNS record and the user confirms it; when that server's HTTPS
//! certificate then fails the system's checks, we look for the confirmed CA in the chain the server
//! presented (matched by SHA-256 of its DER), let GIO verify the leaf against that CA and the host,
//! and only then allow that leaf for that host and reload. Nothing else is ever accepted: no other
//! server, no unconfirmed fingerprint, no certificate the CA did not sign.
use crate::state::AppState;
use gio::prelude::*;
use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};
use tauri::{AppHandle, Manager, WebviewWindow};
use webkit2gtk::{WebContextExt, WebViewExt};

static ATTACHED: AtomicBool = AtomicBool::new(false);

pub fn attach(app: &AppHandle, window: &WebviewWindow) {
    if ATTACHED.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    let _ = window.with_webview(move |webview| {
        webview.inner().connect_load_failed_with_tls_errors(move |view, uri, cert, _errors| {
            let Ok(url) = url::Url::parse(uri) else { return false };
            let origin = url.origin().ascii_serialization();
            let confirmed = {
                let s = app.state::<AppState>();
                let s = s.settings.lock().unwrap();
                if s.current.as_deref() != Some(origin.as_str()) {
                    return false;
                }
                s.get(&origin).filter(|srv| srv.trusted_ca).and_then(|srv| srv.ca_fingerprint.clone())
            };
            let Some(fp) = confirmed else { return false };
            let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return false };
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let Some(ca) = find_in_chain(cert, &fp) else {
                eprintln!("retrocast-desktop: {origin} did not present the confirmed CA in its certificate chain");
                return false;
            };
            let problems = cert.verify(Some(&gio::NetworkAddress::new(host, port)), Some(&ca));
            if !problems.is_empty() {
                eprintln!("retrocast-desktop: {origin}: certificate not valid under the confirmed CA: {problems:?}");
                return false;
            }
            let Some(context) = view.context() else { return false };
            context.allow_tls_certificate_for_host(cert, host);
            eprintln!("retrocast-desktop: {origin}: certificate accepted (issued by the confirmed CA)");
            // Reload once the exception reached the network process (it is applied asynchronously).
            let (view, uri) = (view.clone(), uri.to_string());
            glib::timeout_add_local_once(Duration::from_millis(200), move || view.load_uri(&uri));
            true
        });
    });
}

/// The certificate in the presented chain whose SHA-256 is `fingerprint` (normalized hex).
fn find_in_chain(leaf: &gio::TlsCertificate, fingerprint: &str) -> Option<gio::TlsCertificate> {
    let mut next = Some(leaf.clone());
    while let Some(cert) = next {
        let der = cert.certificate()?;
        let sum = glib::compute_checksum_for_data(glib::ChecksumType::Sha256, der.as_ref())?;
        if sum.eq_ignore_ascii_case(fingerprint) {
            return Some(cert);
        }
        next = cert.issuer();
    }
    None
}
