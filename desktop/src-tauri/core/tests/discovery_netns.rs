//! Browsing finds a real mDNS advertiser. Multicast must not leave the machine, so this runs only
//! inside a private network namespace (desktop/scripts/mdns-netns-test.sh creates it, with only a
//! multicast-enabled loopback, and deletes it): `cargo test -- --ignored` there.
use mdns_sd::{ServiceDaemon, ServiceInfo};
use retrocast_desktop_core::discovery::{browse, SERVICE_TYPE};
use std::{collections::HashMap, time::Duration};

const FP: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

#[test]
#[ignore = "multicast: run inside a network namespace (desktop/scripts/mdns-netns-test.sh)"]
fn browse_finds_an_advertised_server_and_reads_its_txt_record() {
    let advertiser = ServiceDaemon::new().expect("daemon");
    let txt: HashMap<String, String> = [("version", "0.1.0"), ("https_port", "8443"), ("ca_fingerprint", FP), ("name", "Netns box")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let info = ServiceInfo::new(SERVICE_TYPE, "netns-box", "netns-box.local.", "127.0.0.1", 8080, txt).expect("service info");
    advertiser.register(info).expect("register");

    let found = browse(Duration::from_secs(5), Some(&["lo".to_string()])).expect("browse");
    let _ = advertiser.shutdown();
    let entry = found.iter().find(|d| d.instance == "netns-box").unwrap_or_else(|| panic!("not found in {found:?}"));
    assert_eq!(entry.name, "Netns box");
    assert_eq!(entry.url, "https://127.0.0.1:8443");
    assert_eq!(entry.version.as_deref(), Some("0.1.0"));
    assert_eq!(entry.ca_fingerprint.as_deref(), Some(FP));
}
