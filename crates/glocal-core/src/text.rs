//! Text folding for the `search_text` columns that list filters match with `LIKE`.
//!
//! SQLite's `lower()` folds ASCII only, so the folding happens here, in Rust, once when a row is
//! written and once for the query: NFKC (full-width Ａ → A, half-width ｶ → カ) and Unicode
//! lower-casing. Both backends then compare the same folded strings.

use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// Joins the folded forms of several fields, separated so a match cannot span two of them.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for p in parts.into_iter().filter(|p| !p.is_empty()) {
        out.push('\u{1f}');
        out.push_str(&fold(p));
    }
    out.push('\u{1f}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case_beyond_ascii() {
        assert_eq!(fold("ＳＥＯＵＬ"), "seoul");
        assert_eq!(fold("École"), "école");
        assert_eq!(fold("ｿｳﾙ"), "ソウル");
        assert_eq!(fold("서울특별시"), "서울특별시");
    }
}
