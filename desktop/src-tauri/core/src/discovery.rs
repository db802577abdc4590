//! Finding Retrocast servers on the LAN: browse `_retrocast._tcp` with mdns-sd and turn each
//! resolved record into an entry for the picker. The server (server/src/lan/plugin.ts) puts in its
//! TXT record `version`, `https_port` (empty without TLS), `ca_sha256` (hex SHA-256 of its CA's
//! DER, empty without its own CA) and `name`; the SRV port is the HTTPS port, or HTTP without TLS.
use crate::fingerprint;
use serde::Serialize;
use std::{
    collections::BTreeMap,
    net::IpAddr,
    time::{Duration, Instant},
};

pub const SERVICE_TYPE: &str = "_retrocast._tcp.local.";

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Discovered {
    /// The mDNS instance name, unique on the network.
    pub instance: String,
    pub name: String,
    /// Origin to load, e.g. `https://192.168.1.20:8443`.
    pub url: String,
    pub version: Option<String>,
    /// Normalized SHA-256 of the server's CA, when it announces one.
    pub ca_fingerprint: Option<String>,
}

/// TXT keys are case-insensitive (RFC 6763 §6.4); a few spellings are accepted for each field.
fn txt_value<'a>(txt: &'a BTreeMap<String, String>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| txt.get(*k)).map(String::as_str).map(str::trim).filter(|v| !v.is_empty())
}

/// One resolved record → one server, or None when it cannot be reached (no usable address).
/// `port` is the SRV port; an `https_port` in the TXT record wins (the picker loads HTTPS).
pub fn from_record(instance_fullname: &str, host: &str, port: u16, addresses: &[IpAddr], txt: &[(String, String)]) -> Option<Discovered> {
    let txt: BTreeMap<String, String> = txt.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
    let instance = instance_fullname.strip_suffix(&format!(".{SERVICE_TYPE}")).unwrap_or(instance_fullname).to_string();
    let https_port = txt_value(&txt, &["https_port", "httpsport", "https", "tls_port"]).and_then(|p| p.parse::<u16>().ok()).filter(|p| *p != 0);
    let (scheme, port) = match https_port {
        Some(p) => ("https", p),
        None if port != 0 => ("http", port),
        None => return None,
    };
    // A literal address works without an mDNS-aware resolver (and the server's certificate names
    // every LAN address). IPv4 first, then global/ULA IPv6; link-local needs a zone and loopback
    // only works on the server's own machine, so they come last. Ties: lowest address.
    let mut addrs: Vec<&IpAddr> = addresses.iter().filter(|a| !a.is_unspecified() && !a.is_multicast()).collect();
    addrs.sort_by_key(|a| {
        let rank = match a {
            _ if a.is_loopback() => 4,
            IpAddr::V4(v4) if v4.is_link_local() => 1,
            IpAddr::V4(_) => 0,
            IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => 3,
            IpAddr::V6(_) => 2,
        };
        (rank, **a)
    });
    let host_part = match addrs.first() {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) if (v6.segments()[0] & 0xffc0) != 0xfe80 => format!("[{v6}]"),
        _ => {
            let h = host.trim_end_matches('.');
            if h.is_empty() {
                return None;
            }
            h.to_string()
        }
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let url = if port == default_port { format!("{scheme}://{host_part}") } else { format!("{scheme}://{host_part}:{port}") };
    let name = txt_value(&txt, &["name", "server_name", "servername"]).unwrap_or(&instance).chars().take(100).collect();
    Some(Discovered {
        instance,
        name,
        url,
        version: txt_value(&txt, &["version", "ver", "v"]).map(str::to_string),
        ca_fingerprint: txt_value(&txt, &["ca_sha256", "ca_fingerprint", "ca_fp", "fingerprint"]).and_then(fingerprint::normalize),
    })
}

/// Browses for `timeout` and returns what resolved, one entry per instance. `interfaces` limits
/// where queries go (None = every interface the OS offers, as a user expects).
pub fn browse(timeout: Duration, interfaces: Option<&[String]>) -> Result<Vec<Discovered>, String> {
    use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent};
    let daemon = ServiceDaemon::new().map_err(|e| format!("mDNS unavailable: {e}"))?;
    if let Some(names) = interfaces {
        let _ = daemon.disable_interface(IfKind::All);
        for n in names {
            let _ = daemon.enable_interface(IfKind::Name(n.clone()));
        }
    }
    let rx = daemon.browse(SERVICE_TYPE).map_err(|e| format!("mDNS browse failed: {e}"))?;
    let deadline = Instant::now() + timeout;
    let mut found: BTreeMap<String, Discovered> = BTreeMap::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(ServiceEvent::ServiceResolved(info)) => {
                let addrs: Vec<IpAddr> = info.addresses.iter().map(|a| a.to_ip_addr()).collect();
                let txt: Vec<(String, String)> = info.txt_properties.iter().map(|p| (p.key().to_string(), p.val_str().to_string())).collect();
                if let Some(d) = from_record(&info.fullname, &info.host, info.port, &addrs, &txt) {
                    found.insert(d.instance.clone(), d);
                }
            }
            Ok(ServiceEvent::ServiceRemoved(_, fullname)) => {
                let instance = fullname.strip_suffix(&format!(".{SERVICE_TYPE}")).unwrap_or(&fullname).to_string();
                found.remove(&instance);
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = daemon.stop_browse(SERVICE_TYPE);
    let _ = daemon.shutdown();
    Ok(found.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";

    fn txt(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn txt_record_becomes_an_https_entry_on_the_ipv4_address() {
        let addrs: Vec<IpAddr> = vec!["fe80::1".parse().unwrap(), "192.168.1.20".parse().unwrap()];
        let d = from_record(
            "Home._retrocast._tcp.local.",
            "retrocast.local.",
            8080,
            &addrs,
            &txt(&[("version", "0.1.0"), ("https_port", "8443"), ("ca_fingerprint", FP), ("name", "Our place")]),
        )
        .unwrap();
        assert_eq!(d.instance, "Home");
        assert_eq!(d.name, "Our place");
        assert_eq!(d.url, "https://192.168.1.20:8443");
        assert_eq!(d.version.as_deref(), Some("0.1.0"));
        assert_eq!(d.ca_fingerprint.as_deref(), Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"));
    }

    #[test]
    fn the_servers_own_txt_record_with_and_without_tls() {
        // What server/src/lan/plugin.ts advertises: fingerprint in upper-case hex without colons.
        let addrs: Vec<IpAddr> = vec!["10.77.0.1".parse().unwrap()];
        let fp = "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789";
        let tls = txt(&[("version", "0.1.0"), ("https_port", "8443"), ("ca_sha256", fp), ("name", "Retrocast")]);
        let d = from_record("Retrocast._retrocast._tcp.local.", "retrocast.local.", 8443, &addrs, &tls).unwrap();
        assert_eq!(d.url, "https://10.77.0.1:8443");
        assert_eq!(d.ca_fingerprint.as_deref(), Some(fp.to_lowercase().as_str()));
        let plain = txt(&[("version", "0.1.0"), ("https_port", ""), ("ca_sha256", ""), ("name", "Retrocast")]);
        let d = from_record("Retrocast._retrocast._tcp.local.", "retrocast.local.", 8080, &addrs, &plain).unwrap();
        assert_eq!(d.url, "http://10.77.0.1:8080");
        assert_eq!(d.ca_fingerprint, None);
    }

    #[test]
    fn keys_are_case_insensitive_and_aliases_are_read() {
        let addrs: Vec<IpAddr> = vec!["10.0.0.5".parse().unwrap()];
        let d = from_record("x._retrocast._tcp.local.", "x.local.", 8080, &addrs, &txt(&[("VER", "2"), ("HTTPS", "443"), ("CA_FINGERPRINT", FP), ("Server_Name", "S")])).unwrap();
        assert_eq!(d.url, "https://10.0.0.5", "default port left out of the origin");
        assert_eq!(d.version.as_deref(), Some("2"));
        assert_eq!(d.name, "S");
        assert!(d.ca_fingerprint.is_some());
    }

    #[test]
    fn without_https_port_the_srv_port_is_plain_http_and_name_falls_back_to_instance() {
        let addrs: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap()];
        let d = from_record("Dev box._retrocast._tcp.local.", "dev.local.", 8080, &addrs, &[]).unwrap();
        assert_eq!(d.url, "http://127.0.0.1:8080");
        assert_eq!(d.name, "Dev box");
        assert_eq!(d.version, None);
        assert_eq!(d.ca_fingerprint, None);
    }

    #[test]
    fn bad_values_are_ignored_not_trusted() {
        let addrs: Vec<IpAddr> = vec!["192.168.1.2".parse().unwrap()];
        let d = from_record("a._retrocast._tcp.local.", "a.local.", 8080, &addrs, &txt(&[("https_port", "99999"), ("ca_fingerprint", "deadbeef"), ("name", " ")])).unwrap();
        assert_eq!(d.url, "http://192.168.1.2:8080", "an unparsable HTTPS port falls back to the SRV port");
        assert_eq!(d.ca_fingerprint, None, "a short fingerprint is dropped, never shown as trustworthy");
        assert_eq!(d.name, "a");
    }

    #[test]
    fn a_lan_address_wins_over_loopback() {
        let addrs: Vec<IpAddr> = vec!["127.0.0.1".parse().unwrap(), "192.168.1.9".parse().unwrap(), "::1".parse().unwrap()];
        assert_eq!(from_record("a._retrocast._tcp.local.", "a.local.", 8080, &addrs, &[]).unwrap().url, "http://192.168.1.9:8080");
    }

    #[test]
    fn ipv6_and_hostname_fallbacks() {
        let v6: Vec<IpAddr> = vec!["fd00::7".parse().unwrap()];
        assert_eq!(from_record("a._retrocast._tcp.local.", "a.local.", 0, &v6, &txt(&[("https_port", "8443")])).unwrap().url, "https://[fd00::7]:8443");
        let ll: Vec<IpAddr> = vec!["fe80::7".parse().unwrap()];
        assert_eq!(from_record("a._retrocast._tcp.local.", "box.local.", 8080, &ll, &[]).unwrap().url, "http://box.local:8080");
        assert_eq!(from_record("a._retrocast._tcp.local.", "", 8080, &[], &[]), None);
        assert_eq!(from_record("a._retrocast._tcp.local.", "box.local.", 0, &[], &[]), None, "no port at all");
    }
}
