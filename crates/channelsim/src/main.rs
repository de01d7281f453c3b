//! `channelsim`: the command line. Thin: it parses arguments, calls the
//! runner and the plotting crate, shows progress and results, and maps
//! errors to exit codes (2 for bad input, 1 for failures of the machine).

mod bench;
mod progress;
mod studio;
mod table;

use channelsim_runner::RunnerError;
use channelsim_runner::experiment::{Experiment, Method};
use channelsim_runner::job::{RunOptions, run_job};
use channelsim_runner::scenario::{DEFAULT_SCENARIO, ScenarioFile, load_scenario, parse_scenario};
use channelsim_runner::sweep::{Shard, SweepOptions, sweep_job};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "channelsim",
    version,
    about = "Agent-based simulation of B2B software channel strategies"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run every variant and replicate of a scenario (default: the built-in
    /// default scenario) and write series, summaries, comparison and report.
    Run(RunArgs),
    /// Like `run`, with paired differences against a baseline variant.
    Compare(CompareArgs),
    /// Expand an experiment's design and run it (or one shard of it);
    /// re-running resumes, skipping the runs already on disk.
    Sweep(SweepArgs),
    /// Like `sweep`, for a Sobol or Morris design, then sensitivity indices.
    Sensitivity(SweepArgs),
    /// Merge the shards of an experiment folder, checking nothing is missing.
    Merge {
        /// Experiment folders to merge (each merged in place).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        #[arg(long)]
        no_report: bool,
    },
    /// Say what is done and what is missing in an experiment folder.
    Status { dir: PathBuf },
    /// Write report.html (and charts) for a results folder.
    Report {
        /// Results folder (e.g. output/default).
        dir: PathBuf,
    },
    /// How the long-term vs short-term verdict of each strategy depends on
    /// the model's readings (one switch at a time, and all combinations when
    /// few) and on the discount rate; writes the tables and prints verdicts.
    Robust(RobustArgs),
    /// Write the sbatch scripts that run an experiment as a Slurm job array
    /// (one shard per task) and merge it afterwards; --submit submits them.
    Slurm(SlurmArgs),
    /// Time the engine: a suite of cases (main job, strategies, threads,
    /// market size, national market), a table, JSON, and a comparison with
    /// a baseline (benches/README.md).
    Bench(bench::BenchArgs),
    /// Look at a scenario before running it.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Write the JSON Schemas of scenario and experiment files (for editors:
    /// the shipped files name them on their first line, `#:schema ...`).
    Schema {
        /// Folder to write scenario.json and experiment.json into.
        #[arg(long, default_value = "schema")]
        out: PathBuf,
    },
    /// Print a shell completion script, e.g.
    /// `channelsim completions bash > /etc/bash_completion.d/channelsim`.
    Completions { shell: clap_complete::Shell },
    /// The what-if studio: a local web page whose levers re-run the
    /// comparison and show the answer (docs/studio.md).
    Studio(studio::StudioArgs),
}

#[derive(Subcommand)]
enum ScenarioCommand {
    /// Print the resolved scenario as TOML, every default filled in.
    Show {
        /// Scenario file (TOML); the built-in default scenario when omitted.
        scenario: Option<PathBuf>,
        /// Override any scenario key, as for `run`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Show this variant (default: the base, without any variant's set).
        #[arg(long)]
        variant: Option<String>,
    },
}

#[derive(Args)]
struct SlurmArgs {
    /// Experiment file (TOML).
    experiment: PathBuf,
    /// Array tasks, i.e. shards; each task runs a contiguous slice of the runs.
    #[arg(long)]
    tasks: usize,
    /// Output folder (default: output/<experiment name>); the scripts and
    /// logs/ go there too.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Slurm partition of the jobs.
    #[arg(long)]
    partition: Option<String>,
    /// Time limit of each task, in Slurm's syntax (e.g. 02:00:00).
    #[arg(long)]
    time: Option<String>,
    /// CPUs of each task, also its worker threads.
    #[arg(long, default_value_t = 1)]
    cpus_per_task: usize,
    /// At most K tasks running at once (--array=0-(N-1)%K).
    #[arg(long, value_name = "K")]
    throttle: Option<usize>,
    /// The channelsim binary the tasks run (default: this one).
    #[arg(long, value_name = "PATH")]
    bin: Option<PathBuf>,
    /// Override any key of the base scenario (passed to every task).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Discard the shards of another experiment or split in the output folder.
    #[arg(long)]
    force: bool,
    /// Submit the array, then the merge chained after it, with sbatch.
    #[arg(long)]
    submit: bool,
}

#[derive(Args)]
struct SweepArgs {
    /// Experiment file (TOML).
    experiment: PathBuf,
    /// Output folder (default: output/<experiment name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Run only slice I of N (0-based), e.g. --shard 3/16. Default: from
    /// SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, else everything.
    #[arg(long)]
    shard: Option<String>,
    #[arg(long)]
    threads: Option<usize>,
    /// Replace the results of another experiment in the output folder.
    #[arg(long)]
    force: bool,
    /// Override any key of the base scenario.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    #[arg(long)]
    no_report: bool,
    #[arg(long, short)]
    quiet: bool,
}

/// Two scenario keys the command line sets directly; they are `--set`s
/// ([`Shortcuts::after`]).
#[derive(Args)]
struct Shortcuts {
    /// Replicates per variant (overrides the scenario).
    #[arg(long)]
    replicates: Option<u32>,
    /// Root seed (overrides the scenario).
    #[arg(long)]
    seed: Option<u64>,
}

impl Shortcuts {
    /// `--replicates` and `--seed` are overrides like any `--set`, after the
    /// `--set`s: the same checks (a seed out of the files' range is refused
    /// here too) and the same error locations, one path.
    fn after(&self, sets: &[String]) -> Vec<String> {
        let mut sets = sets.to_vec();
        sets.extend(self.replicates.map(|r| format!("replicates={r}")));
        sets.extend(self.seed.map(|s| format!("seed={s}")));
        sets
    }
}

#[derive(Args)]
struct RunArgs {
    /// Scenario file (TOML); the built-in default scenario when omitted.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    shortcuts: Shortcuts,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing results folder (one with a manifest.json), all of
    /// it: once the new results are complete, the old folder is deleted.
    #[arg(long)]
    force: bool,
    /// Override any scenario key, e.g. --set market.cities.tier1.enterprises=9000
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Vendor whose results are compared (default: the first).
    #[arg(long)]
    vendor: Option<String>,
    /// Do not write report.html.
    #[arg(long)]
    no_report: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Also print the drivers of each profit gap (drivers.csv).
    #[arg(long)]
    explain: bool,
    /// Also print where the time went: building the world and each phase
    /// of the month, from the engine's own clocks (always in manifest.json).
    #[arg(long)]
    timings: bool,
    /// A `robust` output folder of the same scenario: the answer says how
    /// many model readings agree (default: output/<scenario name>-robust
    /// beside the results folder, when it exists).
    #[arg(long, value_name = "DIR")]
    robust: Option<PathBuf>,
}

#[derive(Args)]
struct RobustArgs {
    /// Scenario file (TOML); the built-in default scenario when omitted.
    scenario: Option<PathBuf>,
    #[command(flatten)]
    shortcuts: Shortcuts,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output folder (default: output/<scenario name>-robust).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing results folder (one with a manifest.json).
    #[arg(long)]
    force: bool,
    /// Override any scenario key (the baseline reading is the scenario so set).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// A reading besides the catalogue's (or in place of its reading of the
    /// same key): a key and the values to try, e.g.
    /// --reading 'params.bass_q=0.03|0.05'.
    #[arg(long = "reading", value_name = "KEY=VALUE|VALUE...")]
    readings: Vec<String>,
    /// Run all combinations of the readings' values when they number at
    /// most N (the baseline included); else one switch at a time.
    #[arg(long, value_name = "N", default_value_t = channelsim_runner::robust::MAX_COMBINATIONS)]
    max_combinations: usize,
    /// Vendor whose results are compared (default: the first).
    #[arg(long)]
    vendor: Option<String>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    run: RunArgs,
    /// Baseline variant (default: the first).
    #[arg(long)]
    baseline: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match cli.command {
        Command::Run(a) => run(a, None),
        Command::Compare(a) => run(a.run, a.baseline),
        Command::Sweep(a) => sweep(a, false),
        Command::Sensitivity(a) => sweep(a, true),
        Command::Merge { dirs, no_report } => merge(&dirs, no_report),
        Command::Status { dir } => status(&dir),
        Command::Report { dir } => report(&dir),
        Command::Slurm(a) => slurm(a),
        Command::Robust(a) => robust(a),
        Command::Bench(a) => return bench::bench(a),
        Command::Studio(a) => return studio::studio(a),
        Command::Scenario(ScenarioCommand::Show {
            scenario,
            sets,
            variant,
        }) => scenario_show(&scenario, &sets, variant.as_deref()),
        Command::Schema { out } => schema(&out),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "channelsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                // Scenario and experiment errors show the offending line
                // with a caret.
                RunnerError::Scenario(se) => eprintln!("error: {}", se.report()),
                RunnerError::Experiment(ds) => {
                    let r: Vec<String> = ds.iter().map(|d| d.report()).collect();
                    eprintln!("error: {}", r.join("\n\n"));
                }
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// A report error, keeping its kind: result files that are not in their
/// format are bad input (exit code 2); failures to read, write or draw are
/// the machine's (1), and say which file.
fn report_error(e: channelsim_plot::PlotError) -> RunnerError {
    use channelsim_plot::PlotError as P;
    let bad_input = matches!(
        e,
        P::Csv { .. } | P::Json { .. } | P::Format { .. } | P::NoResults { .. }
    );
    RunnerError::Report {
        source: Box::new(e),
        bad_input,
    }
}

fn load(path: &Option<PathBuf>, sets: &[String]) -> Result<ScenarioFile, RunnerError> {
    Ok(match path {
        Some(p) => load_scenario(p, sets)?,
        None => parse_scenario(DEFAULT_SCENARIO, "<built-in default.toml>", sets)?,
    })
}

fn run(a: RunArgs, baseline: Option<String>) -> Result<(), RunnerError> {
    let sets = a.shortcuts.after(&a.sets);
    let file = load(&a.scenario, &sets)?;
    let threads = channelsim_runner::guard::threads(a.threads)?;
    let opts = RunOptions {
        threads: Some(threads),
        out: a.out,
        force: a.force,
        baseline,
        vendor: a.vendor,
        command: std::env::args().collect::<Vec<_>>().join(" "),
        robust: a.robust,
    };
    let bar = progress::Progress::new(a.quiet, "runs");
    // The report is written into the new folder before it is put in place.
    let report = |dir: &std::path::Path| {
        bar.finish();
        if a.no_report {
            return Ok(());
        }
        channelsim_plot::write_report(dir)
            .map(|_| ())
            .map_err(report_error)
    };
    let out = run_job(
        &file,
        &opts,
        &|done, total| bar.update(done, total),
        &report,
    )?;
    print!("{}", table::answer(&out));
    print!("{}", table::headline(&out));
    if a.explain {
        print!("{}", table::drivers(&out));
    }
    if a.timings {
        print!("{}", table::timings(&out));
    }
    println!(
        "{} runs on {} threads in {:.1} s; results in {}",
        out.runs,
        out.threads,
        out.wall_seconds,
        out.dir.display()
    );
    Ok(())
}

fn robust(a: RobustArgs) -> Result<(), RunnerError> {
    use channelsim_runner::robust::{Reading, RobustOptions, robust_job};
    let sets = a.shortcuts.after(&a.sets);
    let file = load(&a.scenario, &sets)?;
    let opts = RobustOptions {
        sets,
        extra: a
            .readings
            .iter()
            .map(|r| Reading::parse(r))
            .collect::<Result<_, _>>()?,
        threads: a.threads,
        out: a.out,
        force: a.force,
        vendor: a.vendor,
        max_combinations: a.max_combinations,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let bar = progress::Progress::new(a.quiet, "runs");
    let out = robust_job(&file, &opts, &|done, total| bar.update(done, total))?;
    bar.finish();
    print!("{}", table::robust(&out));
    println!(
        "{} runs on {} threads in {:.1} s; results in {}",
        out.runs,
        out.threads,
        out.wall_seconds,
        out.dir.display()
    );
    Ok(())
}

fn report(dir: &std::path::Path) -> Result<(), RunnerError> {
    let path = channelsim_plot::write_report(dir).map_err(report_error)?;
    println!("{}", path.display());
    Ok(())
}

fn sweep(a: SweepArgs, sensitivity: bool) -> Result<(), RunnerError> {
    let exp = Experiment::load(&a.experiment, &a.sets)?;
    if sensitivity && !matches!(exp.method, Method::Sobol | Method::Morris) {
        return Err(RunnerError::BadArgument {
            arg: a.experiment.display().to_string(),
            message: "sensitivity needs design.method = \"sobol\" or \"morris\" (use sweep for other designs)".into(),
        });
    }
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| std::path::Path::new("output").join(&exp.name));
    // Environment variables are read here, not in the runner.
    let env = |k: &str| std::env::var(k).ok();
    let shard = channelsim_runner::sweep::shard_for_task(
        shard,
        &dir,
        env("SLURM_ARRAY_TASK_ID").as_deref(),
        env("SLURM_ARRAY_TASK_COUNT").as_deref(),
    )?;
    let opts = SweepOptions {
        out: Some(dir),
        shard,
        threads: a.threads,
        force: a.force,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let bar = progress::Progress::new(a.quiet, "runs");
    let out = sweep_job(&exp, &opts, &|d, t| bar.update(d, t))?;
    bar.finish();
    if out.merged && !a.no_report {
        channelsim_plot::write_report(&out.dir).map_err(report_error)?;
    }
    if sensitivity && out.merged && !a.quiet {
        // The indices themselves, not only where they are (issue 12).
        let file = out.dir.join(channelsim_results::files::SENSITIVITY);
        match channelsim_results::read_json::<Vec<channelsim_results::SensitivityRow>>(&file) {
            Ok(rows) => print!("{}", table::sensitivity(&rows)),
            Err(e) => eprintln!("(indices not shown: {e})"),
        }
    }
    if !a.quiet {
        println!(
            "{} runs in the design, {} run now on {} threads in {:.1} s, {} failed; {}",
            out.runs,
            out.ran_now,
            out.threads,
            out.wall_seconds,
            out.failed,
            if out.merged {
                format!("results in {}", out.dir.display())
            } else {
                format!(
                    "shard written under {}; run `channelsim merge {}` when all shards are done",
                    out.dir.display(),
                    out.dir.display()
                )
            }
        );
    }
    Ok(())
}

fn merge(dirs: &[PathBuf], no_report: bool) -> Result<(), RunnerError> {
    for dir in dirs {
        let st = channelsim_runner::sweep::merge_and_analyse(dir)?;
        println!(
            "{}: merged {} runs ({} failed)",
            dir.display(),
            st.runs,
            st.failed
        );
        if !no_report {
            channelsim_plot::write_report(dir).map_err(report_error)?;
        }
    }
    Ok(())
}

fn status(dir: &std::path::Path) -> Result<(), RunnerError> {
    // A folder without a design is not an experiment's: say so in one line.
    if !dir.join(channelsim_results::files::DESIGN).is_file() {
        return Err(RunnerError::Folder {
            dir: dir.to_path_buf(),
            message: format!(
                "not a sweep or sensitivity folder (no {}); `status` reports on experiment folders",
                channelsim_results::files::DESIGN
            ),
        });
    }
    let st = channelsim_runner::sweep::status(dir)?;
    println!(
        "{}: {} of {} runs done ({} failed)",
        dir.display(),
        st.done,
        st.runs,
        st.failed
    );
    if let Some(n) = st.shard_count {
        println!("shards complete: {} of {n}", st.complete_shards.len());
    }
    if let Some(spec) = st.array_spec() {
        println!("missing shards: {spec}");
    }
    if !st.missing_runs.is_empty() {
        let show: Vec<String> = st
            .missing_runs
            .iter()
            .take(20)
            .map(|r| r.to_string())
            .collect();
        println!(
            "missing runs: {}{}",
            show.join(","),
            if st.missing_runs.len() > 20 {
                ",..."
            } else {
                ""
            }
        );
    }
    if !st.duplicated_runs.is_empty() {
        println!("runs recorded twice: {:?}", st.duplicated_runs);
    }
    for (path, line, why) in &st.damaged {
        println!(
            "damaged journal: {} line {line}: {why}; the same sweep command redoes the runs from there",
            path.display()
        );
    }
    Ok(())
}

fn scenario_show(
    path: &Option<PathBuf>,
    sets: &[String],
    variant: Option<&str>,
) -> Result<(), RunnerError> {
    let file = load(path, sets)?;
    let sc = match variant {
        None => &file.base,
        Some(name) => {
            &file
                .variants
                .iter()
                .find(|v| v.name == name)
                .ok_or_else(|| RunnerError::UnknownVariant {
                    name: name.to_string(),
                    known: file
                        .variants
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
                .scenario
        }
    };
    let text = channelsim_runner::scenario::show::scenario_text(sc).map_err(|e| {
        RunnerError::Internal {
            what: file.file.clone(),
            message: e.to_string(),
        }
    })?;
    println!(
        "# The resolved scenario of {}{} (every default filled in; a scenario file).",
        file.file,
        variant.map_or(String::new(), |v| format!(", variant {v:?}"))
    );
    if variant.is_none() && file.variants.len() > 1 {
        println!(
            "# Its {} variants (`--variant NAME` shows one): {}",
            file.variants.len(),
            file.variants
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    print!("{text}");
    Ok(())
}

fn schema(out: &std::path::Path) -> Result<(), RunnerError> {
    use channelsim_runner::scenario::schema;
    let io = |path: &std::path::Path, e: std::io::Error| RunnerError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    for (name, value) in [
        ("scenario.json", schema::scenario_schema()),
        ("experiment.json", schema::experiment_schema()),
    ] {
        let path = out.join(name);
        let text = serde_json::to_string_pretty(&value).map_err(|e| RunnerError::Internal {
            what: path.display().to_string(),
            message: e.to_string(),
        })?;
        channelsim_runner::atomic::write_string(&path, &format!("{text}\n"))?;
        println!("{}", path.display());
    }
    Ok(())
}

fn slurm(a: SlurmArgs) -> Result<(), RunnerError> {
    use channelsim_runner::slurm;
    let exp = Experiment::load(&a.experiment, &a.sets)?;
    let abs = |p: &std::path::Path| {
        std::path::absolute(p).map_err(|e| RunnerError::Io {
            path: p.to_path_buf(),
            source: e,
        })
    };
    let bin = match &a.bin {
        Some(b) => abs(b)?,
        None => std::env::current_exe().map_err(|e| RunnerError::Io {
            path: PathBuf::from("channelsim"),
            source: e,
        })?,
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| std::path::Path::new("output").join(&exp.name));
    let opts = slurm::SlurmOptions {
        bin,
        experiment: abs(&a.experiment)?,
        out: abs(&out)?,
        workdir: abs(std::path::Path::new("."))?,
        job_name: slurm::job_name(&exp.name),
        tasks: a.tasks,
        throttle: a.throttle,
        partition: a.partition,
        time: a.time,
        cpus_per_task: a.cpus_per_task,
        sets: a.sets,
    };
    let scripts = slurm::prepare(&exp, &opts, a.force)?;
    println!(
        "{} runs in {} array tasks ({} to {} runs each)",
        scripts.runs,
        scripts.tasks,
        scripts.runs / scripts.tasks,
        scripts.runs.div_ceil(scripts.tasks)
    );
    println!("array script: {}", scripts.array.display());
    println!("merge script: {}", scripts.merge.display());
    println!("logs:         {}", scripts.logs.display());
    // A failed submission is a failure of the machine (exit code 1).
    let failed = |path: &std::path::Path, e: slurm::SlurmError| RunnerError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    };
    if !a.submit {
        println!("submit with:");
        for c in slurm::submit_commands(&scripts) {
            println!("  {c}");
        }
        return Ok(());
    }
    let array = slurm::submit_array(&scripts).map_err(|e| failed(&scripts.array, e))?;
    println!("submitted array job {array}");
    let merge = slurm::submit_merge(&scripts, &array).map_err(|e| RunnerError::Io {
        path: scripts.merge.clone(),
        source: std::io::Error::other(format!(
            "{e}; the array job {array} is submitted: submit the merge with \
             sbatch --dependency=afterok:{array} {}",
            scripts.merge.display()
        )),
    })?;
    println!("submitted merge job {merge} (after array job {array} succeeds)");
    println!(
        "follow with: squeue -j {array},{merge}; channelsim status {}",
        opts.out.display()
    );
    Ok(())
}
