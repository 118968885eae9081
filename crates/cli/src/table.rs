//! Plain-text tables for people: aligned columns, long cells shortened with an ellipsis.

/// A table with a header row.
#[derive(Debug)]
pub struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// Widest a column may be, in characters.
    max_width: usize,
    /// Narrower limits for some columns.
    widths: Vec<(usize, usize)>,
}

impl Table {
    pub fn new(header: Vec<&'static str>) -> Table {
        Table {
            header,
            rows: Vec::new(),
            max_width: 48,
            widths: Vec::new(),
        }
    }

    /// Limits column `index` to `width` characters.
    pub fn limit(mut self, index: usize, width: usize) -> Table {
        self.widths.push((index, width));
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as lines of text, columns separated by two spaces.
    pub fn render(&self) -> String {
        let shorten = |i: usize, s: &str| -> String {
            let max = self
                .widths
                .iter()
                .find(|(c, _)| *c == i)
                .map_or(self.max_width, |(_, w)| *w);
            if s.chars().count() <= max {
                s.to_string()
            } else {
                let mut t: String = s.chars().take(max - 1).collect();
                t.push('…');
                t
            }
        };
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().enumerate().map(|(i, c)| shorten(i, c)).collect())
            .collect();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for r in &cells {
            for (i, c) in r.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(c.chars().count());
                }
            }
        }
        let line = |r: &[String]| -> String {
            let mut out = String::new();
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    out.push_str(c);
                } else {
                    out.push_str(c);
                    out.push_str(&" ".repeat(widths[i].saturating_sub(c.chars().count()) + 2));
                }
            }
            out.trim_end().to_string()
        };
        let header: Vec<String> = self.header.iter().map(|h| h.to_uppercase()).collect();
        let mut out = line(&header);
        out.push('\n');
        for r in &cells {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_and_shortens() {
        let mut t = Table::new(vec!["id", "place"]);
        t.row(vec!["inc-1".into(), "Stepanakert".into()]);
        t.row(vec!["inc-22".into(), "x".repeat(60)]);
        let out = t.render();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "ID      PLACE");
        assert_eq!(lines[1], "inc-1   Stepanakert");
        assert!(lines[2].ends_with('…') && lines[2].chars().count() == 8 + 48);
    }
}
