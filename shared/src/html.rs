//! Escaping text for markup written by hand: the development issuer's sign-in page and the
//! micro-frontend's chart, which is drawn as one string to keep the bundle small.

/// `text` safe inside element content and inside a double- or single-quoted attribute value:
/// `&`, `<`, `>`, `"` and `'` become character references, everything else is kept.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn markup_characters_become_references() {
        assert_eq!(escape_html("<b>"), "&lt;b&gt;");
        assert_eq!(escape_html("Tom & Jerry"), "Tom &amp; Jerry");
        assert_eq!(escape_html(r#"say "hi""#), "say &quot;hi&quot;");
        assert_eq!(escape_html("O'Brien"), "O&#39;Brien");
    }

    #[test]
    fn an_existing_reference_is_escaped_again_not_kept() {
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn other_text_is_unchanged() {
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("Café 1/2 = ½ ✓"), "Café 1/2 = ½ ✓");
    }
}
