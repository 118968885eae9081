//! HTML by hand: escaping, and the frame every page shares (header with the account, the
//! stylesheet, the page's own script). No template engine: pages are small functions of the
//! view models the façade returns, and every value passes through `esc`.

use pipeline::{Role, SignedIn};

/// Escapes text for an element's content or a quoted attribute.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A page being put together.
#[derive(Debug)]
pub(crate) struct Page<'a> {
    title: String,
    who: Option<&'a SignedIn>,
    sections: Vec<String>,
    scripts: Vec<&'static str>,
    styles: Vec<&'static str>,
    class: &'static str,
}

impl<'a> Page<'a> {
    pub(crate) fn new(title: &str, who: Option<&'a SignedIn>) -> Page<'a> {
        Page {
            title: title.to_string(),
            who,
            sections: Vec::new(),
            scripts: Vec::new(),
            styles: Vec::new(),
            class: "",
        }
    }

    pub(crate) fn section(mut self, html: &str) -> Page<'a> {
        self.sections.push(html.to_string());
        self
    }

    /// A script of `/assets` the page loads (at the end of the body, in order).
    pub(crate) fn script(mut self, path: &'static str) -> Page<'a> {
        self.scripts.push(path);
        self
    }

    pub(crate) fn style(mut self, path: &'static str) -> Page<'a> {
        self.styles.push(path);
        self
    }

    /// A class on the body (`wide` for the map page).
    pub(crate) fn class(mut self, class: &'static str) -> Page<'a> {
        self.class = class;
        self
    }

    pub(crate) fn render(self) -> String {
        let mut nav = String::from("<a href=\"/\">Incidents</a>");
        let mut account = String::new();
        match self.who {
            Some(w) => {
                if w.role >= Role::Reviewer {
                    nav.push_str("<a href=\"/review\">Review</a><a href=\"/upload\">Upload</a>");
                }
                account = format!(
                    "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><span class=\"who\">{} ({})</span> <button type=\"submit\">Sign out</button></form>",
                    esc(&w.csrf),
                    esc(&w.account),
                    w.role.as_str()
                );
            }
            None => account.push_str("<a href=\"/login\">Sign in</a>"),
        }
        let csrf = self.who.map(|w| w.csrf.as_str()).unwrap_or("");
        let styles: String = std::iter::once("/assets/ombud.css")
            .chain(self.styles.iter().copied())
            .map(|s| format!("<link rel=\"stylesheet\" href=\"{s}\">"))
            .collect();
        let scripts: String = self
            .scripts
            .iter()
            .map(|s| format!("<script src=\"{s}\"></script>"))
            .collect();
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"csrf-token\" content=\"{csrf}\">\
             <title>{title} · ombud</title>{styles}</head>\
             <body class=\"{class}\"><header><a class=\"brand\" href=\"/\">ombud</a><nav>{nav}</nav>\
             <div class=\"account\">{account}</div></header><main>{body}</main>{scripts}</body></html>\n",
            csrf = esc(csrf),
            title = esc(&self.title),
            class = self.class,
            body = self.sections.join("\n"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_open_a_tag_or_leave_an_attribute() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
