use clap::Parser;
use iamscan::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    iamscan::allocator::tune();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "iamscan=debug,warn",
        (false, _) => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("IAMSCAN_LOG")
                .unwrap_or_else(|_| level.into()),
        )
        .with_writer(std::io::stderr)
        .without_time()
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let outcome = runtime.block_on(async {
        // Biased, Ctrl-C first: its handler is installed when the branch is first polled,
        // which must happen before the scan sends anything, or an early Ctrl-C kills the
        // process by the signal's default action instead of ending it here.
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => None,
            outcome = iamscan::run::run(cli) => Some(outcome),
        }
    });
    match outcome {
        Some(Ok(outcome)) => ExitCode::from(outcome.exit_code()),
        Some(Err(error)) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("interrupted: no report was written");
            ExitCode::from(130)
        }
    }
}

/// Help and version go to stdout as clap prints them; a usage error is one line on stderr
/// naming the option, and exit code 2.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        // `iamscan` alone: the help, on stderr, as a usage error.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    let rendered = error.render().to_string();
    let mut lines = rendered.lines();
    let mut first = lines
        .next()
        .unwrap_or("error: invalid arguments")
        .to_string();
    // "the following required arguments were not provided:" lists them on the lines below.
    if first.ends_with(':') {
        let listed: Vec<&str> = lines
            .take_while(|line| line.starts_with("  "))
            .map(str::trim)
            .collect();
        first = format!("{first} {}", listed.join(", "));
    }
    eprintln!("{first} (see `iamscan --help`)");
    ExitCode::from(2)
}
