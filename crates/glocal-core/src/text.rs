//! Text folding for the `search_text` columns that list filters match with `LIKE`.
//!
//! SQLite's `lower()` folds ASCII only, so the folding happens here, in Rust, once when a row is
//! written and once for the query: NFKC (full-width Ａ → A, half-width ｶ → カ), Unicode
//! lower-casing and Traditional → Simplified Chinese. Both backends then compare the same
//! folded strings.

use unicode_normalization::UnicodeNormalization;

pub fn fold(s: &str) -> String {
    s.nfkc().flat_map(char::to_lowercase).collect()
}

/// [`fold`], then Traditional Chinese to Simplified, so that 臺中 and 台中 (and Japanese
/// 東京 and Chinese 东京) compare equal. Apply it to both sides of a comparison.
pub fn search_fold(s: &str) -> String {
    let folded = fold(s);
    if folded.chars().any(is_han) { zhconv::zhconv(&folded, zhconv::Variant::ZhHans) } else { folded }
}

/// Whether `c` is a Han ideograph (CJK Unified Ideographs and their extensions, compatibility
/// ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// Joins the folded forms of several fields, separated so a match cannot span two of them.
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for p in parts.into_iter().filter(|p| !p.is_empty()) {
        out.push('\u{1f}');
        out.push_str(&search_fold(p));
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

    #[test]
    fn traditional_and_simplified_chinese_fold_together() {
        assert_eq!(search_fold("臺中市"), search_fold("台中市"));
        assert_eq!(search_fold("姊妹市"), search_fold("姊妹市"));
        assert_eq!(search_fold("國際交流"), "国际交流");
        assert_eq!(search_fold("Ｔａｉｃｈｕｎｇ"), "taichung");
        assert_eq!(search_fold("타이중"), "타이중");
    }
}
