//! The cross-set summary line of `cargo xtask eval`: the headline number of each labelled set
//! beside the target, so one line shows whether the rules carry over from set to set.

use crate::eval_acled::AcledScores;
use crate::eval_airwars::AirwarsScores;
use crate::eval_case::CaseScores;

/// The sets that were measured in this run.
#[derive(Debug, Default)]
pub struct Summary {
    pub case: Option<CaseScores>,
    pub acled: Option<AcledScores>,
    pub airwars: Option<AirwarsScores>,
}

impl Summary {
    /// Each figure as `name value/target`, with `*` where the target is not met.
    fn figures(&self) -> Vec<(&'static str, f64, f64)> {
        let mut out = Vec::new();
        if let Some(c) = self.case {
            out.push(("CASE F1-25", c.acled_f1, 0.85));
            out.push(("CASE F1-all", c.all_f1, 0.82));
        }
        if let Some(a) = self.acled {
            out.push(("ACLED sub-event", a.sub_event.value(), 0.92));
            out.push(("ACLED date", a.date.value(), 0.97));
            out.push(("ACLED place25", a.place_25.value(), 0.85));
            out.push(("ACLED fatal>0", a.fatalities_nonzero.value(), 0.90));
            out.push(("ACLED perp", a.perpetrator.value(), 0.92));
        }
        if let Some(w) = self.airwars {
            out.push(("Airwars civ", w.civilians.value(), 0.75));
            out.push(("Airwars date", w.date.value(), 0.95));
            out.push(("Airwars place10", w.place_10.value(), 0.80));
        }
        out
    }

    pub fn print(&self) {
        let figures = self.figures();
        if figures.is_empty() {
            return;
        }
        let met = figures.iter().filter(|(_, v, t)| v >= t).count();
        let line: Vec<String> = figures
            .iter()
            .map(|(name, v, t)| format!("{name} {v:.3}{}", if v >= t { "" } else { "*" }))
            .collect();
        println!(
            "\ncross-set: {} | {met}/{} targets met (* = below target)",
            line.join(" | "),
            figures.len()
        );
    }
}
