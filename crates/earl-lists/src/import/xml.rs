//! A streaming XML walker for the XML importers: it keeps only the element path while
//! scanning and builds a small tree for each record element, so a list file of any size is
//! read in one pass with memory bounded by its largest record.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{Format, ImportError, Location};

/// A piece of element content, in document order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Content {
    /// Character data (entity and character references resolved).
    Text(String),
    /// A child element.
    Node(Node),
}

/// An element with its attributes and content.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub content: Vec<Content>,
    /// 1-based line of the start tag.
    pub line: u64,
}

impl Node {
    /// Child elements with this name.
    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.elements().filter(move |n| n.name == name)
    }

    /// All child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Node> {
        self.content.iter().filter_map(|c| match c {
            Content::Node(n) => Some(n),
            Content::Text(_) => None,
        })
    }

    /// The first child element with this name.
    pub fn child<'a>(&'a self, name: &'a str) -> Option<&'a Node> {
        self.children(name).next()
    }

    /// All text below this element, concatenated.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.content {
            match c {
                Content::Text(t) => out.push_str(t),
                Content::Node(n) => n.collect_text(out),
            }
        }
    }

    /// Squashed text of the first child with this name, if non-empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        let name = name.to_owned();
        let name = name.as_str();
        self.child(name).and_then(|n| crate::text::non_empty(&n.text()))
    }

    /// An attribute value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn line_at(text: &str, pos: u64) -> u64 {
    Lines::default().at(text, pos)
}

/// Line numbers for increasing byte positions, counting each byte once.
#[derive(Default)]
struct Lines {
    pos: usize,
    line: u64,
}

impl Lines {
    fn at(&mut self, text: &str, pos: u64) -> u64 {
        let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
        if end < self.pos {
            *self = Lines::default();
        }
        let chunk = text.as_bytes().get(self.pos..end).unwrap_or_default();
        self.line += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        self.pos = end;
        self.line + 1
    }
}

fn start_node(format: Format, line: u64, e: &BytesStart<'_>) -> Result<Node, ImportError> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| {
            ImportError::new(format, Location::Line(line), None, format!("bad attribute: {err}"))
        })?;
        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|err| {
            ImportError::new(
                format,
                Location::Line(line),
                Some(a.key.as_ref()),
                format!("bad attribute value: {err}"),
            )
        })?;
        attrs.push((a.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(Node { name: e.name().as_ref().to_owned(), attrs, content: Vec::new(), line })
}

fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

fn push_text(stack: &mut [Node], t: &str) {
    if let Some(top) = stack.last_mut() {
        if let Some(Content::Text(last)) = top.content.last_mut() {
            last.push_str(t);
        } else {
            top.content.push(Content::Text(t.to_owned()));
        }
    }
}

/// Walk `text`, calling `each` with every element whose path (names from the root down to
/// and including it) satisfies `is_record`. Returns the root element's attributes.
pub(crate) fn for_each_record(
    format: Format,
    text: &str,
    is_record: impl Fn(&[String]) -> bool,
    mut each: impl FnMut(Node) -> Result<(), ImportError>,
) -> Result<Vec<(String, String)>, ImportError> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    // Tree under construction for the current record (empty outside records).
    let mut stack: Vec<Node> = Vec::new();
    let mut root_attrs = Vec::new();
    let mut lines = Lines::default();
    loop {
        let pos = reader.buffer_position();
        let event = reader.read_event().map_err(|e| {
            ImportError::new(
                format,
                Location::Line(line_at(text, reader.error_position())),
                None,
                format!("invalid XML: {e}"),
            )
        })?;
        match event {
            Event::Start(e) => {
                let node = start_node(format, lines.at(text, pos), &e)?;
                path.push(node.name.clone());
                if path.len() == 1 {
                    root_attrs.clone_from(&node.attrs);
                }
                if !stack.is_empty() || is_record(&path) {
                    stack.push(node);
                }
            }
            Event::Empty(e) => {
                let node = start_node(format, lines.at(text, pos), &e)?;
                path.push(node.name.clone());
                if path.len() == 1 {
                    root_attrs.clone_from(&node.attrs);
                }
                if let Some(top) = stack.last_mut() {
                    top.content.push(Content::Node(node));
                } else if is_record(&path) {
                    each(node)?;
                }
                path.pop();
            }
            Event::End(_) => {
                path.pop();
                if let Some(node) = stack.pop() {
                    match stack.last_mut() {
                        Some(parent) => parent.content.push(Content::Node(node)),
                        None => each(node)?,
                    }
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content()),
            Event::CData(c) => {
                push_text(&mut stack, &c.into_inner());
            }
            Event::GeneralRef(r) => {
                let line = lines.at(text, pos);
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => resolve_entity(&r),
                    Err(e) => {
                        return Err(ImportError::new(
                            format,
                            Location::Line(line),
                            None,
                            format!("invalid character reference: {e}"),
                        ));
                    }
                };
                let Some(c) = c else {
                    return Err(ImportError::new(
                        format,
                        Location::Line(line),
                        None,
                        format!("unknown entity `&{};`", &*r),
                    ));
                };
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]));
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = path.last() {
        return Err(ImportError::new(
            format,
            Location::Line(line_at(text, text.len() as u64)),
            Some(open),
            "unexpected end of input: element not closed",
        ));
    }
    Ok(root_attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_trees_with_mixed_content() {
        let xml = "<R a=\"1\"><L><X n=\"2\">a &amp; <E>b</E>&#x41;</X><X/></L></R>";
        let mut got = Vec::new();
        let attrs = for_each_record(
            Format::UnXml,
            xml,
            |p| p.len() == 3,
            |n| {
                got.push(n);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(attrs, vec![("a".to_owned(), "1".to_owned())]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text(), "a & bA");
        assert_eq!(got[0].attr("n"), Some("2"));
        assert_eq!(got[0].child_text("E").as_deref(), Some("b"));
    }

    #[test]
    fn broken_xml_names_the_line() {
        let err = for_each_record(Format::UnXml, "<R>\n<A>\n</B>\n</R>", |_| false, |_| Ok(()))
            .unwrap_err();
        assert!(err.to_string().starts_with("un-xml: line 3: invalid XML"), "{err}");
        let err = for_each_record(Format::UnXml, "<R>\n<A>x", |_| false, |_| Ok(())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "un-xml: line 2, field `A`: unexpected end of input: element not closed"
        );
        let err = for_each_record(Format::UnXml, "<R>&bogus;</R>", |p| p.len() == 1, |_| Ok(()))
            .unwrap_err();
        assert!(err.to_string().contains("unknown entity `&bogus;`"), "{err}");
    }
}
