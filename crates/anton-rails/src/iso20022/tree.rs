//! A small, strict XML tree for the ISO 20022 files a bank sends back (and for the independent
//! reader of Anton's own `pain.001`). Bank files are read whole and are small enough to hold in
//! memory; a tree lets each parser say what it wants by path instead of driving a stream.
//!
//! What it refuses, so a hostile or broken file cannot do more than fail: a DOCTYPE (ISO 20022
//! files have none; refusing it leaves no entity to expand), entity references other than the
//! five predefined ones and character references, nesting deeper than [`MAX_DEPTH`], and
//! anything quick-xml finds malformed (unclosed or mismatched tags, bad attributes).
//!
//! Names are local names. Only elements in the document's namespace (the root's) are kept;
//! an element in another namespace (a bank's supplementary data) is dropped with everything
//! inside it, so a parser never mistakes foreign content for the message's own.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// Deeper than any ISO 20022 message goes (`pain.001` reaches about 12).
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum XmlError {
    /// quick-xml's own message is not kept: it quotes the file (a tag name, which in a damaged
    /// file can be an account number).
    #[error("the file is not well-formed XML at byte {position}")]
    Malformed { position: u64 },
    #[error("the file has a DOCTYPE; ISO 20022 files have none")]
    Doctype,
    #[error("the file uses an entity reference other than the predefined ones")]
    Entity,
    #[error("the file nests elements deeper than {MAX_DEPTH}")]
    TooDeep,
    #[error("the file has no root element")]
    Empty,
    #[error("the file has content after its root element")]
    TrailingContent,
}

/// One element: its local name, attributes (local names), text and children, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// The element's own character data, concatenated (whitespace between child elements
    /// included); see [`Element::text`].
    pub raw_text: String,
    pub children: Vec<Element>,
}

/// A parsed document: the root's namespace URI (which names the message and its version, e.g.
/// `urn:iso:std:iso:20022:tech:xsd:pain.002.001.10`) and the root element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub namespace: String,
    pub root: Element,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element reached by following `path` from here, first match at each step.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The element's text with surrounding whitespace removed.
    pub fn text(&self) -> &str {
        self.raw_text.trim()
    }

    /// The trimmed text at `path`, when the element is there.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).map(Element::text)
    }

    /// The value of the attribute named `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses `xml` into a [`Document`].
pub fn parse(xml: &str) -> Result<Document, XmlError> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().check_end_names = true;
    // The stack of open elements; `None` marks an element outside the document's namespace
    // (dropped with its content).
    let mut open: Vec<Option<Element>> = Vec::new();
    let mut namespace: Option<String> = None;
    let mut root: Option<Element> = None;
    loop {
        let position = reader.buffer_position();
        let malformed = XmlError::Malformed { position };
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|_| malformed.clone())?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
            ResolveResult::Unbound => None,
            // An undeclared prefix.
            ResolveResult::Unknown(_) => return Err(malformed),
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if root.is_some() {
                    return Err(XmlError::TrailingContent);
                }
                if open.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let doc_ns = namespace.get_or_insert_with(|| ns.clone().unwrap_or_default());
                let parent_kept = open.last().is_none_or(Option::is_some);
                let element = if parent_kept && ns.as_deref().unwrap_or("") == doc_ns.as_str() {
                    let mut attributes = Vec::new();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|_| malformed.clone())?;
                        if attribute.key.as_ref().starts_with("xmlns") {
                            continue;
                        }
                        let key = attribute.key.local_name().as_ref().to_owned();
                        let value = attribute
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|_| malformed.clone())?
                            .into_owned();
                        attributes.push((key, value));
                    }
                    Some(Element {
                        name: start.local_name().as_ref().to_owned(),
                        attributes,
                        ..Element::default()
                    })
                } else {
                    None
                };
                open.push(element);
                if matches!(event, Event::Empty(_)) {
                    close(&mut open, &mut root);
                }
            }
            Event::End(_) => close(&mut open, &mut root),
            Event::Text(text) => {
                let text = text.xml10_content();
                push_text(&mut open, &root, &text)?;
            }
            Event::CData(data) => {
                let text = data.xml10_content();
                push_text(&mut open, &root, &text)?;
            }
            Event::GeneralRef(reference) => {
                let text = match reference
                    .resolve_char_ref()
                    .map_err(|_| malformed.clone())?
                {
                    Some(c) => c.to_string(),
                    None => match quick_xml::escape::resolve_predefined_entity(&reference) {
                        Some(s) => s.to_owned(),
                        None => return Err(XmlError::Entity),
                    },
                };
                push_text(&mut open, &root, &text)?;
            }
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !open.is_empty() {
        // The file ends inside an element.
        return Err(XmlError::Malformed {
            position: reader.buffer_position(),
        });
    }
    match (root, namespace) {
        (Some(root), Some(namespace)) => Ok(Document { namespace, root }),
        _ => Err(XmlError::Empty),
    }
}

/// Closes the innermost open element: into its parent, or as the root.
fn close(open: &mut Vec<Option<Element>>, root: &mut Option<Element>) {
    let Some(done) = open.pop() else { return };
    match (done, open.last_mut()) {
        (Some(done), Some(Some(parent))) => parent.children.push(done),
        (Some(done), None) => *root = Some(done),
        // A dropped element, or a child of one.
        _ => {}
    }
}

/// Adds character data to the innermost open element; outside the root only whitespace is
/// allowed.
fn push_text(
    open: &mut [Option<Element>],
    root: &Option<Element>,
    text: &str,
) -> Result<(), XmlError> {
    match open.last_mut() {
        Some(Some(element)) => element.raw_text.push_str(text),
        Some(None) => {}
        None if text.trim().is_empty() => {}
        None if root.is_some() => return Err(XmlError::TrailingContent),
        // Text before the root element.
        None => return Err(XmlError::Malformed { position: 0 }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";

    #[test]
    fn reads_elements_attributes_text_and_references() {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<p:Document xmlns:p="{NS}" xmlns:x="urn:other">
  <p:A Ccy="EUR">12.50</p:A>
  <p:B>Tom &amp; Jerry &#233;<![CDATA[<raw>]]></p:B>
  <p:Empty/>
  <x:Foreign><p:Hidden>no</p:Hidden></x:Foreign>
</p:Document>"#
        );
        let doc = parse(&xml).expect("parses");
        assert_eq!(doc.namespace, NS);
        assert_eq!(doc.root.name, "Document");
        let names: Vec<&str> = doc.root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "Empty"], "the foreign element is dropped");
        assert_eq!(doc.root.text_at(&["A"]), Some("12.50"));
        assert_eq!(
            doc.root.child("A").and_then(|a| a.attribute("Ccy")),
            Some("EUR")
        );
        assert_eq!(doc.root.text_at(&["B"]), Some("Tom & Jerry é<raw>"));
        assert_eq!(doc.root.text_at(&["Empty"]), Some(""));
        assert_eq!(doc.root.at(&["Hidden"]), None);
    }

    #[test]
    fn refuses_what_an_iso_file_never_has() {
        let doctype =
            format!(r#"<!DOCTYPE d [<!ENTITY x "boom">]><Document xmlns="{NS}">&x;</Document>"#);
        assert_eq!(parse(&doctype), Err(XmlError::Doctype));
        let entity = format!(r#"<Document xmlns="{NS}">&nbsp;</Document>"#);
        assert_eq!(parse(&entity), Err(XmlError::Entity));
        let deep = format!(
            r#"<Document xmlns="{NS}">{}{}</Document>"#,
            "<a>".repeat(MAX_DEPTH),
            "</a>".repeat(MAX_DEPTH)
        );
        assert_eq!(parse(&deep), Err(XmlError::TooDeep));
        assert_eq!(parse(""), Err(XmlError::Empty));
        let two_roots = format!(r#"<Document xmlns="{NS}"/><Document xmlns="{NS}"/>"#);
        assert_eq!(parse(&two_roots), Err(XmlError::TrailingContent));
        for broken in [
            format!(r#"<Document xmlns="{NS}"><A></B></Document>"#),
            format!(r#"<Document xmlns="{NS}"><A>"#),
            r#"<q:Document><q:A/></q:Document>"#.to_owned(),
            format!(r#"<Document xmlns="{NS}" a="1" a="2"/>"#),
        ] {
            assert!(
                matches!(parse(&broken), Err(XmlError::Malformed { .. })),
                "{broken}: {:?}",
                parse(&broken)
            );
        }
    }

    #[test]
    fn any_damage_is_an_error_never_a_panic() {
        let xml =
            format!(r#"<Document xmlns="{NS}"><A Ccy="EUR">1.00</A><B>x &amp; y</B></Document>"#);
        for cut in 0..xml.len() {
            let _ = parse(&xml[..cut]);
        }
        for (i, _) in xml.char_indices() {
            for replacement in ["<", ">", "&", "\"", "/", " "] {
                let mut damaged = xml.clone();
                damaged.replace_range(i..i + 1, replacement);
                let _ = parse(&damaged);
            }
        }
    }
}
