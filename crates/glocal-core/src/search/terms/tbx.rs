//! TBX (ISO 30042, the TermBase eXchange format) in and out.
//!
//! Written as TBX-Basic in the TBX v3 core structure: `<tbx><text><body><conceptEntry id>`
//! with the subject field and definition as `descrip`, a `langSec xml:lang` per language and a
//! `termSec` per term carrying its `termNote type="administrativeStatus"` and `note`. Read are
//! the same, and the TBX v2 structure other tools still write (`<martif>`, `termEntry`,
//! `langSet`, `tig`/`ntig`, `normativeAuthorization`); elements of neither are skipped.
//!
//! Reading only parses: what a value means (a language tag, a status, a subject field) is
//! checked by the term base like any other input, so that a file and a form are refused for
//! the same reasons.

use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};

use super::Concept;

/// One concept entry as read from a file, not yet checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The file's own id of the entry, if it has one.
    pub id: Option<String>,
    /// The line the entry starts on, to point at it.
    pub line: usize,
    /// The subject field as written.
    pub subject_field: Option<String>,
    /// The definitions (at the concept or a language level), joined by new lines.
    pub definition: Option<String>,
    /// The notes of the concept and its language sections, joined by new lines.
    pub note: Option<String>,
    pub terms: Vec<EntryTerm>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EntryTerm {
    /// The `xml:lang` of the language section, as written.
    pub language: String,
    pub text: String,
    /// The administrative status as written (`preferredTerm-admn-sts`, …).
    pub status: Option<String>,
    pub note: Option<String>,
}

/// Why a file could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub message: String,
}

/// What the text being read belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Term,
    Status,
    TermNote,
    SubjectField,
    Definition,
    EntryNote,
}

fn line_of(xml: &str, pos: u64) -> usize {
    let pos = (pos as usize).min(xml.len());
    xml.as_bytes()[..pos].iter().filter(|b| **b == b'\n').count() + 1
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| {
            let key = a.key.as_ref();
            key == name || (name == "xml:lang" && key == "lang")
        })?
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|v| v.into_owned())
}

fn append(slot: &mut Option<String>, text: String) {
    let text = text.trim().to_string();
    if text.is_empty() {
        return;
    }
    match slot {
        Some(s) => {
            s.push('\n');
            s.push_str(&text);
        }
        None => *slot = Some(text),
    }
}

/// Reads the concept entries of a TBX document.
pub fn parse(xml: &str) -> Result<Vec<Entry>, ParseError> {
    let xml = xml.trim_start_matches('\u{feff}');
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut entries = Vec::new();
    let mut entry: Option<Entry> = None;
    let mut language: Option<String> = None;
    let mut term: Option<EntryTerm> = None;
    // A term written straight into its language section, without a termSec around it.
    let mut bare_term = false;
    let mut capture: Option<(Target, usize)> = None;
    let mut buffer = String::new();
    let mut depth = 0usize;
    let mut root_seen = false;
    let error = |line: usize, message: String| ParseError { line, message };
    loop {
        let event = reader.read_event().map_err(|e| error(line_of(xml, reader.error_position()), e.to_string()))?;
        let here = || line_of(xml, reader.buffer_position());
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name();
                let name = name.as_ref().to_string();
                if !root_seen {
                    if name != "tbx" && name != "martif" {
                        return Err(error(here(), format!("<{name}> is not a TBX document (<tbx> or <martif>)")));
                    }
                    root_seen = true;
                }
                if !empty {
                    depth += 1;
                }
                if capture.is_some() {
                    // Inline markup inside a value (<hi>, <ph>): its text is kept, the tags not.
                    continue;
                }
                match name.as_str() {
                    "conceptEntry" | "termEntry" => {
                        if entry.is_some() {
                            return Err(error(here(), "a concept entry inside another".into()));
                        }
                        entry = Some(Entry { id: attr(e, "id"), line: here(), ..Default::default() });
                        if empty {
                            entries.push(entry.take().expect("just set"));
                        }
                    }
                    "langSec" | "langSet" if entry.is_some() => {
                        language = Some(attr(e, "xml:lang").unwrap_or_default());
                    }
                    "termSec" | "tig" | "ntig" if entry.is_some() => {
                        term = Some(EntryTerm { language: language.clone().unwrap_or_default(), ..Default::default() });
                        bare_term = false;
                    }
                    "term" if entry.is_some() && !empty => {
                        if term.is_none() {
                            term = Some(EntryTerm {
                                language: language.clone().unwrap_or_default(),
                                ..Default::default()
                            });
                            bare_term = true;
                        }
                        capture = Some((Target::Term, depth));
                    }
                    "termNote" if term.is_some() && !empty => {
                        let kind = attr(e, "type").unwrap_or_default();
                        if kind == "administrativeStatus" || kind == "normativeAuthorization" {
                            capture = Some((Target::Status, depth));
                        }
                    }
                    "descrip" if entry.is_some() && !empty => match attr(e, "type").as_deref() {
                        Some("subjectField") => capture = Some((Target::SubjectField, depth)),
                        Some("definition") => capture = Some((Target::Definition, depth)),
                        _ => {}
                    },
                    "note" if entry.is_some() && !empty => {
                        capture = Some((if term.is_some() { Target::TermNote } else { Target::EntryNote }, depth));
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => {
                let name = e.local_name();
                let name = name.as_ref().to_string();
                if let Some((target, at)) = capture
                    && at == depth
                {
                    let text = std::mem::take(&mut buffer);
                    capture = None;
                    match target {
                        Target::Term => {
                            if let Some(t) = term.as_mut() {
                                t.text.push_str(&text);
                            }
                            if bare_term && let (Some(t), Some(en)) = (term.take(), entry.as_mut()) {
                                en.terms.push(t);
                            }
                        }
                        Target::Status => {
                            if let Some(t) = term.as_mut() {
                                t.status = Some(text.trim().to_string());
                            }
                        }
                        Target::TermNote => {
                            if let Some(t) = term.as_mut() {
                                append(&mut t.note, text);
                            }
                        }
                        Target::SubjectField => {
                            if let Some(en) = entry.as_mut()
                                && en.subject_field.is_none()
                            {
                                en.subject_field = Some(text.trim().to_string()).filter(|s| !s.is_empty());
                            }
                        }
                        Target::Definition => {
                            if let Some(en) = entry.as_mut() {
                                append(&mut en.definition, text);
                            }
                        }
                        Target::EntryNote => {
                            if let Some(en) = entry.as_mut() {
                                append(&mut en.note, text);
                            }
                        }
                    }
                }
                depth = depth.saturating_sub(1);
                if capture.is_some() {
                    continue;
                }
                match name.as_str() {
                    "conceptEntry" | "termEntry" => {
                        if let Some(en) = entry.take() {
                            entries.push(en);
                        }
                        language = None;
                    }
                    "langSec" | "langSet" => language = None,
                    "termSec" | "tig" | "ntig" => {
                        if let (Some(t), Some(en)) = (term.take(), entry.as_mut()) {
                            en.terms.push(t);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if capture.is_some() {
                    buffer.push_str(&t.xml10_content());
                } else if depth == 0 && !t.xml10_content().trim().is_empty() {
                    return Err(error(here(), "text outside the document element".into()));
                }
            }
            Event::CData(t) => {
                if capture.is_some() {
                    buffer.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => match r.xml10_content().as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err(error(here(), format!("unknown entity &{other};"))),
                    },
                };
                if capture.is_some() {
                    buffer.push(c);
                }
            }
            Event::Eof => {
                if !root_seen {
                    return Err(error(0, "not a TBX document: no element".into()));
                }
                if depth > 0 {
                    return Err(error(line_of(xml, xml.len() as u64), "the file ends inside an element".into()));
                }
                return Ok(entries);
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
}

/// The TBX code of an administrative status.
fn status_code(status: super::TermStatus) -> &'static str {
    match status {
        super::TermStatus::Preferred => "preferredTerm-admn-sts",
        super::TermStatus::Admitted => "admittedTerm-admn-sts",
        super::TermStatus::Deprecated => "deprecatedTerm-admn-sts",
    }
}

/// The concepts as a TBX-Basic document (TBX v3 core structure), each with the id `c<id>`.
pub fn write(concepts: &[Concept], title: &str) -> String {
    let mut out = String::with_capacity(concepts.len() * 1024 + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<tbx style=\"dca\" type=\"TBX-Basic\" xml:lang=\"en\" xmlns=\"urn:iso:std:iso:30042:ed-2\">\n");
    out.push_str("  <tbxHeader>\n    <fileDesc>\n");
    out.push_str(&format!("      <titleStmt><title>{}</title></titleStmt>\n", escape(title)));
    out.push_str("      <sourceDesc><p>Glocal</p></sourceDesc>\n");
    out.push_str("    </fileDesc>\n  </tbxHeader>\n  <text>\n    <body>\n");
    for c in concepts {
        out.push_str(&format!("      <conceptEntry id=\"c{}\">\n", c.id.0));
        if let Some(a) = c.area {
            out.push_str(&format!("        <descrip type=\"subjectField\">{}</descrip>\n", a.as_str()));
        }
        if let Some(d) = &c.definition {
            out.push_str(&format!("        <descrip type=\"definition\">{}</descrip>\n", escape(d.as_str())));
        }
        if let Some(n) = &c.note {
            out.push_str(&format!("        <note>{}</note>\n", escape(n.as_str())));
        }
        let mut i = 0;
        while i < c.terms.len() {
            let language = &c.terms[i].language;
            out.push_str(&format!("        <langSec xml:lang=\"{}\">\n", escape(language.as_str())));
            while i < c.terms.len() && c.terms[i].language == *language {
                let t = &c.terms[i];
                out.push_str("          <termSec>\n");
                out.push_str(&format!("            <term>{}</term>\n", escape(t.text.as_str())));
                out.push_str(&format!(
                    "            <termNote type=\"administrativeStatus\">{}</termNote>\n",
                    status_code(t.status)
                ));
                if let Some(n) = &t.note {
                    out.push_str(&format!("            <note>{}</note>\n", escape(n.as_str())));
                }
                out.push_str("          </termSec>\n");
                i += 1;
            }
            out.push_str("        </langSec>\n");
        }
        out.push_str("      </conceptEntry>\n");
    }
    out.push_str("    </body>\n  </text>\n</tbx>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tbx_v3_and_v2_read_alike() {
        let v3 = r#"<?xml version="1.0" encoding="UTF-8"?>
<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">
  <text><body>
    <conceptEntry id="c7">
      <descrip type="subjectField">environment</descrip>
      <descrip type="definition">A &lt;formal&gt; tie &amp; more</descrip>
      <langSec xml:lang="ko"><termSec><term>자매결연</term>
        <termNote type="administrativeStatus">preferredTerm-admn-sts</termNote>
        <termNote type="partOfSpeech">noun</termNote><note>가장 흔함</note></termSec></langSec>
      <langSec xml:lang="zh-Hant"><termSec><term>姊<hi>妹</hi>市</term></termSec><termSec><term><![CDATA[姊妹城市]]></term></termSec></langSec>
    </conceptEntry>
  </body></text>
</tbx>"#;
        let e = parse(v3).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].id.as_deref(), Some("c7"));
        assert_eq!(e[0].line, 4);
        assert_eq!(e[0].subject_field.as_deref(), Some("environment"));
        assert_eq!(e[0].definition.as_deref(), Some("A <formal> tie & more"));
        let terms: Vec<(&str, &str, Option<&str>)> =
            e[0].terms.iter().map(|t| (t.language.as_str(), t.text.as_str(), t.status.as_deref())).collect();
        assert_eq!(
            terms,
            [
                ("ko", "자매결연", Some("preferredTerm-admn-sts")),
                ("zh-Hant", "姊妹市", None),
                ("zh-Hant", "姊妹城市", None)
            ]
        );
        assert_eq!(e[0].terms[0].note.as_deref(), Some("가장 흔함"));

        let v2 = r#"<?xml version='1.0'?>
<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">
<martif type="TBX-Basic" xml:lang="en"><text><body>
  <termEntry id="e1"><langSet xml:lang="en"><tig><term>sister city</term>
    <termNote type="normativeAuthorization">admittedTerm-admn-sts</termNote></tig></langSet>
  <langSet xml:lang="ja"><ntig><termGrp><term>姉妹都市</term></termGrp></ntig></langSet></termEntry>
</body></text></martif>"#;
        let e = parse(v2).unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].terms[0].status.as_deref(), Some("admittedTerm-admn-sts"));
        assert_eq!(e[0].terms[1].language, "ja");
        assert_eq!(e[0].terms[1].text, "姉妹都市");
    }

    #[test]
    fn a_broken_file_is_refused_with_its_line() {
        let broken = "<tbx>\n<text><body>\n<conceptEntry>\n<langSec xml:lang=\"ko\"><termSec><term>x</termSec>\n";
        let e = parse(broken).unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
        let e = parse("<tbx><text><body><conceptEntry>").unwrap_err();
        assert!(e.message.contains("ends inside"), "{e:?}");
        assert!(parse("<html><body/></html>").is_err());
        assert!(parse("just text").is_err());
        assert!(
            parse("<tbx><text><body><conceptEntry><note>&bogus;</note></conceptEntry></body></text></tbx>").is_err()
        );
    }
}
