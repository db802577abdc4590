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
            let (is_current, confirmed) = {
                let s = app.state::<AppState>();
                let s = s.settings.lock().unwrap();
                let confirmed = s.get(&origin).filter(|srv| srv.trusted_ca).and_then(|srv| srv.ca_fingerprint.clone());
                (s.current.as_deref() == Some(origin.as_str()), confirmed)
            };
            if !is_current {
                return false;
            }
            match accept(cert, &url, confirmed.as_deref()) {
                Ok(host) => {
                    let Some(context) = view.context() else { return false };
                    context.allow_tls_certificate_for_host(cert, &host);
                    eprintln!("retrocast-desktop: {origin}: certificate accepted (issued by the confirmed CA)");
                    // Reload once the exception reached the network process (applied asynchronously).
                    let (view, uri) = (view.clone(), uri.to_string());
                    glib::timeout_add_local_once(Duration::from_millis(200), move || view.load_uri(&uri));
                }
                Err(why) => {
                    eprintln!("retrocast-desktop: {origin}: {why}");
                    // Back to the picker, which says why, rather than WebKit's error page.
                    let msg = format!("Could not open {origin} securely: {why}");
                    if let Ok(picker) = url::Url::parse_with_params("tauri://localhost/index.html", [("error", msg)]) {
                        view.load_uri(picker.as_str());
                    }
                }
            }
            true
        });
    });
}

/// The host to allow the leaf for, or why not.
fn accept(leaf: &gio::TlsCertificate, url: &url::Url, confirmed: Option<&str>) -> Result<String, String> {
    let fp = confirmed.ok_or("its certificate is not trusted by this system. If it runs its own certificate authority, pick it under \"On this network\" to check and trust its fingerprint, or install its CA (see the server's /setup page).")?;
    let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else { return Err("no host".into()) };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let ca = find_in_chain(leaf, fp).ok_or("the server did not present the certificate authority you confirmed (its fingerprint differs). Check the fingerprint on the server's /setup page.")?;
    let problems = leaf.verify(Some(&gio::NetworkAddress::new(&host, port)), Some(&ca));
    if !problems.is_empty() {
        return Err(format!("its certificate is not valid under the confirmed certificate authority ({problems:?})."));
    }
    Ok(host)
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
