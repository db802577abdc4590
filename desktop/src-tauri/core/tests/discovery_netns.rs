//! Browsing finds real mDNS advertisers. Multicast must not leave the machine, so these run only
//! inside private network namespaces that desktop/scripts/mdns-netns-test.sh creates and deletes.
use mdns_sd::{ServiceDaemon, ServiceInfo};
use retrocast_desktop_core::discovery::{browse, SERVICE_TYPE};
use std::{collections::HashMap, time::Duration};

const FP: &str = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";

#[test]
#[ignore = "multicast: run inside a network namespace (desktop/scripts/mdns-netns-test.sh)"]
fn browse_finds_an_advertised_server_and_reads_its_txt_record() {
    let advertiser = ServiceDaemon::new().expect("daemon");
    let txt: HashMap<String, String> = [("version", "0.1.0"), ("https_port", "8443"), ("ca_sha256", FP), ("name", "Netns box")]
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

/// The real Retrocast server's advertisement (server/src/lan), seen from a second namespace joined
/// to the server's by a veth pair. The script passes where the server is and its CA's fingerprint
/// (from its /ca.crt).
#[test]
#[ignore = "needs the server in a neighbouring namespace (desktop/scripts/mdns-netns-test.sh)"]
fn browse_finds_a_real_retrocast_server() {
    let url = std::env::var("RETROCAST_EXPECT_URL").expect("RETROCAST_EXPECT_URL");
    let ca = std::env::var("RETROCAST_EXPECT_CA").expect("RETROCAST_EXPECT_CA");
    let mut seen = Vec::new();
    for _ in 0..5 {
        seen = browse(Duration::from_secs(3), None).expect("browse");
        if let Some(entry) = seen.iter().find(|d| d.url == url) {
            assert_eq!(entry.ca_fingerprint.as_deref(), Some(ca.as_str()), "the CA fingerprint from TXT is the one /ca.crt serves");
            assert!(entry.version.is_some(), "version announced");
            assert!(!entry.name.is_empty());
            return;
        }
    }
    panic!("{url} not found; saw {seen:?}");
}
