//! `channelsim studio`: start the what-if studio's local web server
//! (`channelsim-studio`), say where it is, serve until stopped.

use channelsim_runner::scenario::DEFAULT_SCENARIO;
use channelsim_studio::{Base, Config, Server};
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct StudioArgs {
    /// Scenario whose settings the levers start from (its first vendor's
    /// strategy is chosen on the page); the built-in default when omitted.
    scenario: Option<PathBuf>,
    /// Port to listen on (0: any free port; the address is printed).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Address to listen on; a non-loopback one needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Allow listening on a non-loopback address (anyone who can reach it
    /// can run the model on this machine).
    #[arg(long)]
    allow_remote: bool,
    /// Worker threads of the runs (default: every core).
    #[arg(long)]
    threads: Option<usize>,
}

pub fn studio(a: StudioArgs) -> ExitCode {
    let fail = |message: String, code: u8| {
        eprintln!("error: {message}");
        ExitCode::from(code)
    };
    let (text, name) = match &a.scenario {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => (t, p.display().to_string()),
            Err(e) => {
                return fail(
                    format!("{}: cannot read the scenario file: {e}", p.display()),
                    2,
                );
            }
        },
        None => (DEFAULT_SCENARIO.to_string(), "default.toml".to_string()),
    };
    let cfg = Config {
        host: a.host,
        port: a.port,
        allow_remote: a.allow_remote,
        threads: a.threads,
    };
    let server = match Base::new(&text, &name).and_then(|b| Server::bind(b, &cfg)) {
        Ok(s) => s,
        Err(e) => return fail(e.to_string(), e.exit_code()),
    };
    println!("channelsim studio: {} (Ctrl-C to stop)", server.url());
    server.run();
    ExitCode::SUCCESS
}
