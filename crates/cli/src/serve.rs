//! `ombud serve`: the record on the web, for a team (pages, map, timeline, review, the API).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::Args;

use crate::commands::{Context, open};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address and port to listen on. Keep the default (this machine only) unless a proxy
    /// with TLS stands in front: then see --secure-cookies.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// Let anyone read without signing in (writing always needs an account).
    #[arg(long)]
    public: bool,
    /// A tile server for the map's base layer, as a URL template
    /// (`https://tile.example.org/{z}/{x}/{y}.png`). Without one the map draws Natural Earth's
    /// country outlines, shipped with ombud: no network needed.
    #[arg(long, value_name = "URL")]
    tiles: Option<String>,
    /// Mark cookies Secure: people reach the server over https (a proxy terminates TLS).
    #[arg(long)]
    secure_cookies: bool,
    /// The largest file an upload may be, in MiB.
    #[arg(long, default_value_t = 32, value_name = "MIB")]
    upload_limit: usize,
}

pub async fn serve(ctx: &Context, args: ServeArgs) -> Result<ExitCode> {
    let service = Arc::new(open(ctx, true).await?);
    let accounts = service.accounts().await?;
    // The gazetteer and lexicons load now, not on the first request that names a place (a
    // quarter of a second, which under load stalled every request behind it).
    service.reference()?;
    let options = server::ServeOptions {
        public: args.public,
        tiles: args.tiles,
        secure_cookies: args.secure_cookies,
        upload_limit: args.upload_limit.saturating_mul(1024 * 1024),
    };
    let quiet = ctx.quiet;
    let loopback = args.listen.ip().is_loopback();
    let result = server::serve(service.clone(), options, args.listen, |addr| {
        if !quiet {
            eprintln!("ombud serving {} on http://{addr}/ (Ctrl-C stops it)", service.database());
            if accounts.is_empty() {
                eprintln!(
                    "no accounts yet: nothing can be changed, {} (`ombud user add NAME --role admin` adds one)",
                    if args.public { "but anyone may read" } else { "and nothing read" }
                );
            }
            if !loopback && !args.secure_cookies {
                eprintln!(
                    "warning: listening beyond this machine without --secure-cookies: put a TLS proxy in front, or passwords cross the network in the clear"
                );
            }
        }
    })
    .await;
    match Arc::try_unwrap(service) {
        Ok(s) => s.close().await?,
        Err(_) => tracing::warn!("requests still running at shutdown"),
    }
    result?;
    Ok(ExitCode::SUCCESS)
}
