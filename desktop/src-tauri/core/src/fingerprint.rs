//! SHA-256 certificate fingerprints as the server advertises them (hex, with or without colons).

/// Lower-case hex without separators, or None when it is not 32 bytes of hex.
pub fn normalize(input: &str) -> Option<String> {
    let hex: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit())).then_some(hex)
}

/// How people compare it with the one on the server's setup page: `AB:CD:…`.
pub fn display(normalized: &str) -> String {
    normalized
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn accepts_plain_and_colon_hex_in_any_case() {
        assert_eq!(normalize(FP).as_deref(), Some(FP));
        assert_eq!(normalize(&display(FP)).as_deref(), Some(FP));
        assert_eq!(normalize(&FP.to_uppercase()).as_deref(), Some(FP));
    }

    #[test]
    fn rejects_wrong_length_or_non_hex() {
        assert_eq!(normalize(&FP[..62]), None);
        assert_eq!(normalize(&format!("{FP}00")), None);
        assert_eq!(normalize(&FP.replace('a', "g")), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn displays_as_colon_separated_upper_case_pairs() {
        let d = display(FP);
        assert!(d.starts_with("01:23:45:67:89:AB:CD:EF:"));
        assert_eq!(d.len(), 64 + 31);
    }
}
