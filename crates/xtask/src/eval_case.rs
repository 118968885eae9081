//! `cargo xtask eval case`: event-type classification on the CASE 2021 Task 2 snippets.

use anyhow::Result;

pub fn run(_args: &[String]) -> Result<()> {
    let Some(_dir) = crate::shared::eval_data() else { return Ok(()) };
    println!("CASE 2021: not measured yet");
    Ok(())
}
