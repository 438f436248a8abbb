//! The one text analyser of the search index, for every language we serve, applied to
//! documents and queries alike.
//!
//! The text is cut into runs of one kind of script:
//! - Latin letters and digits: NFKC, lower-cased, English stop words dropped, English-stemmed
//!   (`partnerships` → `partnership`, `cities` → `citi`);
//! - Han and kana (Chinese, Japanese): NFKC, Traditional folded to Simplified with zhconv (so
//!   臺中 and 台中 meet; Japanese kanji fold the same way on both sides), plus variant characters
//!   zhconv leaves apart (姊/姉 → 姐, 権 → 权 …), then overlapping bigrams
//!   (國際交流 → 国际 际交 交流);
//! - Hangul: NFKC, overlapping bigrams of each word (서울시의 → 서울 울시 시의).
//!
//! A run of one character stays a unigram. Bigrams take consecutive positions, so a query word
//! is searched as a phrase of its bigrams ([`query_units`]): a two-syllable Korean word is one
//! bigram and never matches documents that merely share one syllable with it.
//!
//! Korean particles and endings: the bigrams of a word include those of the word without its
//! trailing particle (서울시의 ⊃ 서울시), so indexing the full word indexes the stripped word
//! too; on the query side a word with a particle is searched as the full word OR the stripped
//! word.
//!
//! Offsets always point into the original text, so snippets mark the right bytes.

use tantivy::tokenizer::{Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

use crate::text::{fold, is_han, search_fold};

/// The name the analyser is registered under on the index.
pub const TOKENIZER: &str = "glocal";
/// Latin words unstemmed, for "did you mean" suggestions.
pub const WORDS_TOKENIZER: &str = "glocal_words";

/// Stop words: only the commonest English function words, which carry nothing in a query.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "its", "of", "on", "or",
    "s", "that", "the", "this", "to", "was", "were", "with",
];

/// Trailing Korean particles and endings stripped from a query word (longest first), when at
/// least two syllables remain.
const KO_PARTICLES: &[&str] = &[
    "에서부터",
    "으로부터",
    "으로서",
    "으로써",
    "에게서",
    "까지",
    "부터",
    "에서",
    "에게",
    "한테",
    "으로",
    "처럼",
    "보다",
    "마다",
    "이나",
    "이며",
    "이다",
    "에는",
    "에도",
    "과의",
    "와의",
    "와",
    "과",
    "의",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "로",
    "도",
    "만",
    "나",
    "랑",
];

/// Whether `word` (folded) is a stop word.
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Latin,
    Hangul,
    HanKana,
    Other,
}

fn class_of(c: char) -> Class {
    // The common characters first, whose compatibility form is themselves.
    let u = c as u32;
    if c.is_ascii() {
        return if c.is_ascii_alphanumeric() { Class::Latin } else { Class::Other };
    }
    if (0xAC00..=0xD7A3).contains(&u) {
        return Class::Hangul;
    }
    if matches!(u, 0x4E00..=0x9FFF | 0x3041..=0x3096 | 0x30A1..=0x30FA) {
        return Class::HanKana;
    }
    // Classify by the compatibility form: full-width Ａ is Latin, half-width ｶ is kana.
    let c = c.nfkc().next().unwrap_or(c);
    let u = c as u32;
    if matches!(u, 0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F | 0xA960..=0xA97F | 0xD7B0..=0xD7FF) {
        Class::Hangul
    } else if is_han(c) || matches!(u, 0x3040..=0x309F | 0x30A0..=0x30FF | 0x31F0..=0x31FF | 0x3005) {
        Class::HanKana
    } else if c.is_alphanumeric() {
        Class::Latin
    } else {
        Class::Other
    }
}

/// One token with its byte offsets in the original text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tok {
    pub text: String,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

/// A run of one script class in the original text.
struct Run<'a> {
    class: Class,
    from: usize,
    text: &'a str,
}

fn runs(text: &str) -> Vec<Run<'_>> {
    let mut out = Vec::new();
    let mut start: Option<(usize, Class)> = None;
    for (i, c) in text.char_indices() {
        let class = class_of(c);
        match start {
            Some((_, cl)) if cl == class => {}
            Some((s, cl)) => {
                if cl != Class::Other {
                    out.push(Run { class: cl, from: s, text: &text[s..i] });
                }
                start = Some((i, class));
            }
            None => start = Some((i, class)),
        }
    }
    if let Some((s, cl)) = start
        && cl != Class::Other
    {
        out.push(Run { class: cl, from: s, text: &text[s..] });
    }
    out
}

/// The analyser: cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Analyzer {
    stemmer: TextAnalyzer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            stemmer: TextAnalyzer::builder(RawTokenizer::default()).filter(Stemmer::new(Language::English)).build(),
        }
    }
}

impl Analyzer {
    fn stem(&mut self, word: &str) -> String {
        if !word.chars().all(|c| c.is_ascii_alphabetic()) {
            return word.to_string();
        }
        let mut stream = self.stemmer.token_stream(word);
        if stream.advance() { stream.token().text.clone() } else { word.to_string() }
    }

    /// The index tokens of `text`, with offsets into `text`.
    pub fn tokens(&mut self, text: &str) -> Vec<Tok> {
        let mut out = Vec::new();
        let mut position = 0;
        for run in runs(text) {
            match run.class {
                Class::Latin => {
                    let word = fold(run.text);
                    if STOP_WORDS.contains(&word.as_str()) {
                        continue;
                    }
                    let text = self.stem(&word);
                    out.push(Tok { text, from: run.from, to: run.from + run.text.len(), position });
                    position += 1;
                }
                Class::Hangul | Class::HanKana => {
                    let folded: Vec<char> = cjk_fold(run.text).chars().collect();
                    let orig: Vec<(usize, char)> = run.text.char_indices().collect();
                    // Offsets per folded character when folding kept the length, else the run's.
                    let same_len = folded.len() == orig.len();
                    let span = |i: usize, j: usize| -> (usize, usize) {
                        if same_len {
                            let from = run.from + orig[i].0;
                            let to = run.from + orig.get(j + 1).map_or(run.text.len(), |(o, _)| *o);
                            (from, to)
                        } else {
                            (run.from, run.from + run.text.len())
                        }
                    };
                    if folded.len() == 1 {
                        let (from, to) = span(0, 0);
                        out.push(Tok { text: folded[0].to_string(), from, to, position });
                        position += 1;
                    } else {
                        for i in 0..folded.len() - 1 {
                            let (from, to) = span(i, i + 1);
                            out.push(Tok { text: folded[i..i + 2].iter().collect(), from, to, position });
                            position += 1;
                        }
                    }
                }
                Class::Other => {}
            }
        }
        out
    }

    /// The unstemmed Latin words of `text` of three letters or more (for suggestions).
    pub fn words(&mut self, text: &str) -> Vec<Tok> {
        let mut out = Vec::new();
        for (position, run) in runs(text).into_iter().filter(|r| r.class == Class::Latin).enumerate() {
            let word = fold(run.text);
            if word.chars().all(|c| c.is_alphabetic()) && word.chars().count() >= 3 {
                out.push(Tok { text: word, from: run.from, to: run.from + run.text.len(), position });
            }
        }
        out
    }
}

/// NFKC, case, Traditional → Simplified, and the variant characters of [`extra_fold`].
pub fn cjk_fold(s: &str) -> String {
    search_fold(s).chars().map(extra_fold).collect()
}

/// Variant characters zhconv leaves apart: Japanese shinjitai and a few Traditional variants.
fn extra_fold(c: char) -> char {
    match c {
        '姊' | '姉' => '姐',
        '権' => '权',
        '県' => '县',
        '広' => '广',
        '関' => '关',
        '転' => '转',
        '栄' => '荣',
        '変' => '变',
        '発' => '发',
        '経' => '经',
        '済' => '济',
        '団' => '团',
        '対' => '对',
        '総' => '总',
        '與' => '与',
        '訳' => '译',
        '図' => '图',
        '歳' => '岁',
        '実' => '实',
        '帰' => '归',
        '続' => '续',
        '売' => '卖',
        '読' => '读',
        '労' => '劳',
        '営' => '营',
        '観' => '观',
        '視' => '视',
        '協' => '协',
        '議' => '议',
        '締' => '缔',
        '結' => '结',
        '際' => '际',
        '機' => '机',
        '關' => '关',
        _ => c,
    }
}

fn bigrams(folded: &str) -> Vec<String> {
    let chars: Vec<char> = folded.chars().collect();
    if chars.len() <= 1 {
        return vec![folded.to_string()];
    }
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

/// Strips one trailing particle or ending from a Hangul word when at least two syllables remain.
pub fn strip_korean_particle(word: &str) -> Option<&str> {
    KO_PARTICLES.iter().find_map(|p| {
        let stem = word.strip_suffix(p)?;
        (stem.chars().count() >= 2).then_some(stem)
    })
}

/// One word of a query: alternatives, each a sequence of index terms to match as a phrase (a
/// single term when the sequence has one). A document matches the unit when it matches one
/// alternative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryUnit {
    /// The word as written (folded).
    pub word: String,
    /// Whether it is a Latin word (letters and digits).
    pub latin: bool,
    pub alternatives: Vec<Vec<String>>,
}

/// The query units of `text`: one per Latin word and one per CJK run (or Hangul word).
pub fn query_units(text: &str) -> Vec<QueryUnit> {
    let mut analyzer = Analyzer::default();
    let mut out = Vec::new();
    for run in runs(text) {
        match run.class {
            Class::Latin => {
                let word = fold(run.text);
                if STOP_WORDS.contains(&word.as_str()) {
                    continue;
                }
                let term = analyzer.stem(&word);
                out.push(QueryUnit { word, latin: true, alternatives: vec![vec![term]] });
            }
            Class::Hangul => {
                let word = cjk_fold(run.text);
                let mut alternatives = vec![bigrams(&word)];
                if let Some(stem) = strip_korean_particle(&word) {
                    alternatives.push(bigrams(stem));
                }
                out.push(QueryUnit { word, latin: false, alternatives });
            }
            Class::HanKana => {
                let word = cjk_fold(run.text);
                out.push(QueryUnit { alternatives: vec![bigrams(&word)], word, latin: false });
            }
            Class::Other => {}
        }
    }
    out
}

/// The analyser as a tantivy tokenizer.
#[derive(Clone, Default)]
pub struct GlocalTokenizer {
    analyzer: Analyzer,
    words_only: bool,
}

impl GlocalTokenizer {
    /// The tokenizer of unstemmed Latin words (suggestions).
    pub fn words() -> Self {
        GlocalTokenizer { analyzer: Analyzer::default(), words_only: true }
    }
}

pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for GlocalTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let toks = if self.words_only { self.analyzer.words(text) } else { self.analyzer.tokens(text) };
        let tokens = toks
            .into_iter()
            .map(|t| Token {
                offset_from: t.from,
                offset_to: t.to,
                position: t.position,
                text: t.text,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, index: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        Analyzer::default().tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[&str])] = &[
            // Latin: case, width, stop words, stemming.
            ("The Sister Cities", &["sister", "citi"]),
            ("ＳＥＯＵＬ partnerships", &["seoul", "partnership"]),
            ("Inter-local Government", &["inter", "local", "govern"]),
            ("2019년", &["2019", "년"]),
            // Chinese: Traditional and Simplified meet; bigrams.
            ("國際交流", &["国际", "际交", "交流"]),
            ("国际交流", &["国际", "际交", "交流"]),
            ("臺中市", &["台中", "中市"]),
            ("台中市", &["台中", "中市"]),
            // Variant characters zhconv leaves apart.
            ("姊妹市", &["姐妹", "妹市"]),
            ("姐妹城市", &["姐妹", "妹城", "城市"]),
            // A lone character stays a unigram.
            ("市", &["市"]),
            // Japanese: kana and kanji in one run; shinjitai folded.
            ("姉妹都市", &["姐妹", "妹都", "都市"]),
            ("地方分権", &["地方", "方分", "分权"]),
            ("ソウル", &["ソウ", "ウル"]),
            ("ｿｳﾙ", &["ソウ", "ウル"]),
            // Korean: bigrams per word.
            ("서울시의 자매결연", &["서울", "울시", "시의", "자매", "매결", "결연"]),
            ("도지사", &["도지", "지사"]),
            // Scripts mixed without spaces split at the boundary.
            ("UCLG亞太分會", &["uclg", "亚太", "太分", "分会"]),
            ("", &[]),
            ("— · ,", &[]),
        ];
        for (input, expected) in cases {
            assert_eq!(texts(input), *expected, "tokens of {input:?}");
        }
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "The 臺中市 mayor";
        let toks = Analyzer::default().tokens(text);
        let spans: Vec<&str> = toks.iter().map(|t| &text[t.from..t.to]).collect();
        assert_eq!(spans, ["臺中", "中市", "mayor"]);
        let positions: Vec<usize> = toks.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2]);
    }

    #[test]
    fn korean_particles_give_an_alternative_on_the_query_side() {
        assert_eq!(strip_korean_particle("서울시의"), Some("서울시"));
        assert_eq!(strip_korean_particle("지방정부에서"), Some("지방정부"));
        assert_eq!(strip_korean_particle("국가"), None, "two syllables must remain");
        let units = query_units("서울시의 교류");
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].alternatives, vec![vec!["서울", "울시", "시의"], vec!["서울", "울시"]]);
        assert_eq!(units[1].alternatives, vec![vec!["교류"]]);
    }

    #[test]
    fn query_units_fold_like_documents() {
        let units = query_units("Sister CITIES 姊妹城市");
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].alternatives, vec![vec!["sister"]]);
        assert_eq!(units[1].word, "cities");
        assert_eq!(units[1].alternatives, vec![vec!["citi"]]);
        assert_eq!(units[2].alternatives, vec![vec!["姐妹", "妹城", "城市"]]);
    }

    #[test]
    fn words_for_suggestions_are_unstemmed() {
        let words: Vec<String> =
            Analyzer::default().words("Cooperation of 6 cities").into_iter().map(|t| t.text).collect();
        assert_eq!(words, ["cooperation", "cities"]);
    }
}
