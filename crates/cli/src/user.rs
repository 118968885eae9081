//! `ombud user`: the accounts of a server (who may read, review and manage), their passwords
//! and API tokens. Passwords are stored as Argon2id hashes; a password ombud makes up is shown
//! once, as is a token.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use pipeline::Role;

use crate::commands::{Context, open, print_json};
use crate::table::Table;

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(subcommand)]
    command: UserCommand,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account. Without --password-stdin, ombud makes up a password and prints it once.
    Add {
        name: String,
        /// viewer (reads), reviewer (also decides and uploads) or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from the first line of stdin (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove an account and end its sessions and tokens (its decisions keep its name).
    Remove { name: String },
    /// Give an account a new password; everyone signed in as it is signed out.
    ResetPassword {
        name: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Change an account's role; everyone signed in as it is signed out.
    Role {
        name: String,
        #[arg(value_parser = parse_role)]
        role: Role,
    },
    /// Make an API token for a program acting as this account (shown once; send it as
    /// `Authorization: Bearer TOKEN`).
    Token {
        name: String,
        /// What the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

/// The password a command is given: stdin's first line, or one made up (and printed).
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        let line = line.trim_end_matches(['\n', '\r']).to_string();
        if line.is_empty() {
            bail!("no password on stdin");
        }
        return Ok((line, false));
    }
    // 20 characters of a 32-letter alphabet: 100 bits.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789-";
    let hex = pipeline::random_hex(20)?;
    let made: String = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| {
            let b = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            ALPHABET[usize::from(b) % ALPHABET.len()] as char
        })
        .collect();
    Ok((made, true))
}

pub async fn user(ctx: &Context, args: UserArgs) -> Result<ExitCode> {
    let service = open(ctx, true).await?;
    let now = jiff::Timestamp::now();
    match args.command {
        UserCommand::Add {
            name,
            role,
            password_stdin,
        } => {
            let (pw, made) = password(password_stdin)?;
            let a = service.add_account(&name, role, &pw, now).await?;
            println!("added {} ({})", a.name, a.role.as_str());
            if made {
                println!(
                    "password: {pw}\n(shown once: give it to {name}; `ombud user reset-password {name}` makes another)"
                );
            }
        }
        UserCommand::List { json } => {
            let accounts = service.accounts().await?;
            if json {
                print_json(&accounts)?;
            } else if accounts.is_empty() {
                println!("no accounts yet: `ombud user add NAME --role admin` adds the first");
            } else {
                let mut t = Table::new(vec!["name", "role", "created"]);
                for a in &accounts {
                    t.row(vec![
                        a.name.clone(),
                        a.role.as_str().to_string(),
                        a.created.clone(),
                    ]);
                }
                print!("{}", t.render());
            }
        }
        UserCommand::Remove { name } => {
            service.remove_account(&name).await?;
            println!("removed {name}");
        }
        UserCommand::ResetPassword {
            name,
            password_stdin,
        } => {
            let (pw, made) = password(password_stdin)?;
            service.change_account(&name, None, Some(&pw)).await?;
            println!("new password for {name}; its sessions and tokens are ended");
            if made {
                println!("password: {pw}\n(shown once)");
            }
        }
        UserCommand::Role { name, role } => {
            let a = service.change_account(&name, Some(role), None).await?;
            println!(
                "{} is now a {}; its sessions and tokens are ended",
                a.name,
                a.role.as_str()
            );
        }
        UserCommand::Token { name, label } => {
            let token = service.issue_token(&name, &label, now).await?;
            println!(
                "{token}\n(shown once: ombud keeps only its hash; send it as `Authorization: Bearer TOKEN`)"
            );
        }
    }
    service.close().await?;
    Ok(ExitCode::SUCCESS)
}
