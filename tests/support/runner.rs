//! What GitHub's runner gives a container action on a GitHub-hosted Linux runner: the variables
//! and the mounted directories, so that the end-to-end tests run the binary as the Action's
//! container sees the world, and not as a `run:` step on the host does.
//!
//! From actions/runner (`src/Runner.Worker`, read at 258d6c857db3):
//! - `Handlers/ContainerActionHandler.cs` builds the container's environment from the step's
//!   `env:`, the inputs (`Handler.AddInputsToEnvironment`: `INPUT_` + the name upper-cased,
//!   hyphens kept, every input of `action.yml` with its default), `HOME` (the mounted
//!   `/github/home`), the `github` and `runner` contexts, and `ACTIONS_RUNTIME_URL`,
//!   `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_CACHE_URL`, `ACTIONS_RESULTS_URL`. It mounts
//!   `/github/runner_temp`, `/github/home`, `/github/workflow`, `/github/file_commands` and
//!   `/github/workspace` (also the working directory), and translates host paths in values to
//!   those.
//! - `GitHubContext.cs` turns an allowlist of the `github` context into `GITHUB_*` variables
//!   (`GITHUB_EVENT_PATH`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_HEAD_REF`, ...);
//!   `RunnerContext.cs` turns every key of the `runner` context into `RUNNER_*`, and
//!   `JobRunner.cs` fills it with `os` (`Linux`), `arch` (`X64`), `name`, `environment`
//!   (`github-hosted` or `self-hosted`), `tool_cache` and `temp`.
//! - `ExecutionContext.cs` writes the event payload to `event.json` in the workflow directory;
//!   `FileCommandManager.cs` names the command files `set_output_<guid>`, `step_summary_<guid>`,
//!   `set_env_<guid>`, `add_path_<guid>`, `save_state_<guid>`.
//! - `Container/DockerCommandManager.cs` (`DockerRun`) passes exactly those variables with
//!   `-e NAME`, adds `-e GITHUB_ACTIONS=true` and `-e CI=true`, and nothing else from the host.
//!
//! So the host's own variables, among them `ImageOS` and `ImageVersion` of the hosted image, never
//! reach the container, while `RUNNER_NAME` does and changes from job to job ("GitHub Actions 3",
//! "GitHub Actions 1000001"). GitHub's documentation lists `RUNNER_ENVIRONMENT` among the default
//! environment variables, `github-hosted` or `self-hosted` (github/docs pull request 33310,
//! `content/actions/learn-github-actions/variables.md`). Docker itself adds `HOSTNAME` (the
//! container's id, another per-job name) and, for an image without one such as perfgate's
//! `scratch` image, a default `PATH`.

use std::cell::Cell;
use std::fs;
use std::path::PathBuf;
use std::process::Output;

use super::fake::{BOT, OWNER, REPO, TOKEN};

/// The directories the runner mounts into the container, laid out under a temporary root as
/// `github/workspace`, `github/home`, ... since the tests run the binary without Docker.
pub struct Mounts {
    root: tempfile::TempDir,
    /// The suffix of the file-command files: a new GUID per step in the runner, one value here.
    step: String,
}

impl Mounts {
    pub fn new() -> Mounts {
        let root = tempfile::tempdir().unwrap();
        for d in [
            "workspace",
            "home",
            "workflow",
            "file_commands",
            "runner_temp",
        ] {
            fs::create_dir_all(root.path().join("github").join(d)).unwrap();
        }
        Mounts {
            root,
            step: "0b8f5c4e-6a0e-4d1c-9f5e-2a1c3e7d9b01".into(),
        }
    }

    fn github(&self, d: &str) -> PathBuf {
        self.root.path().join("github").join(d)
    }

    /// `/github/workspace`: the checked-out repository.
    pub fn workspace(&self) -> PathBuf {
        self.github("workspace")
    }

    /// `/github/workflow/event.json`.
    pub fn event_path(&self) -> PathBuf {
        self.github("workflow").join("event.json")
    }

    /// `/github/file_commands/set_output_<guid>` (`GITHUB_OUTPUT`).
    pub fn output_path(&self) -> PathBuf {
        self.github("file_commands")
            .join(format!("set_output_{}", self.step))
    }

    /// `/github/file_commands/step_summary_<guid>` (`GITHUB_STEP_SUMMARY`).
    pub fn summary_path(&self) -> PathBuf {
        self.github("file_commands")
            .join(format!("step_summary_{}", self.step))
    }

    /// Starts a new step: the runner creates empty command files for it.
    pub fn new_step(&self, event_payload: &str) {
        fs::write(self.event_path(), event_payload).unwrap();
        for f in [
            "set_output_",
            "step_summary_",
            "set_env_",
            "add_path_",
            "save_state_",
        ] {
            fs::write(
                self.github("file_commands")
                    .join(format!("{f}{}", self.step)),
                "",
            )
            .unwrap();
        }
    }
}

impl Default for Mounts {
    fn default() -> Mounts {
        Mounts::new()
    }
}

/// One job's trigger, as the `github` context has it.
pub struct Trigger<'a> {
    /// `push`, `pull_request`, `workflow_run`.
    pub event_name: &'a str,
    /// `refs/heads/main`, `refs/pull/7/merge`.
    pub git_ref: &'a str,
    pub sha: &'a str,
    /// The pull request's head branch; empty on other events (the runner still passes it).
    pub head_ref: &'a str,
    /// The pull request's base branch; empty on other events.
    pub base_ref: &'a str,
}

impl Trigger<'_> {
    /// `GITHUB_REF_NAME`: the branch, or `7/merge` for a pull request's merge ref.
    fn ref_name(&self) -> &str {
        self.git_ref
            .strip_prefix("refs/heads/")
            .or_else(|| self.git_ref.strip_prefix("refs/pull/"))
            .or_else(|| self.git_ref.strip_prefix("refs/tags/"))
            .unwrap_or(self.git_ref)
    }
}

/// The variables a container action sees on a GitHub-hosted Linux runner named `runner_name`,
/// besides its inputs: no `ImageOS`, no `ImageVersion`, nothing of the host's own.
pub fn hosted_container_env(
    mounts: &Mounts,
    trigger: &Trigger<'_>,
    repository: &str,
    api_url: &str,
    runner_name: &str,
) -> Vec<(String, String)> {
    let owner = repository.split('/').next().unwrap_or_default();
    let path = |p: PathBuf| p.to_string_lossy().into_owned();
    let file_command = |prefix: &str| path(mounts.github("file_commands").join(prefix));
    let vars: Vec<(&str, String)> = vec![
        // Docker's, for an image without ENV PATH (scratch), and the container's id.
        (
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        ),
        ("HOSTNAME", container_id(runner_name)),
        ("HOME", path(mounts.github("home"))),
        ("GITHUB_ACTIONS", "true".into()),
        ("CI", "true".into()),
        // The `github` context's allowlist.
        ("GITHUB_ACTION", "__perfgate_perfgate".into()),
        ("GITHUB_ACTION_REPOSITORY", "perfgate/perfgate".into()),
        ("GITHUB_ACTION_REF", "v0".into()),
        ("GITHUB_ACTOR", "octocat".into()),
        ("GITHUB_ACTOR_ID", "583231".into()),
        ("GITHUB_API_URL", api_url.into()),
        ("GITHUB_GRAPHQL_URL", format!("{api_url}/graphql")),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_BASE_REF", trigger.base_ref.into()),
        ("GITHUB_HEAD_REF", trigger.head_ref.into()),
        ("GITHUB_EVENT_NAME", trigger.event_name.into()),
        ("GITHUB_EVENT_PATH", path(mounts.event_path())),
        ("GITHUB_REF", trigger.git_ref.into()),
        ("GITHUB_REF_NAME", trigger.ref_name().into()),
        ("GITHUB_REF_PROTECTED", "false".into()),
        (
            "GITHUB_REF_TYPE",
            if trigger.git_ref.starts_with("refs/tags/") {
                "tag"
            } else {
                "branch"
            }
            .into(),
        ),
        ("GITHUB_SHA", trigger.sha.into()),
        ("GITHUB_REPOSITORY", repository.into()),
        ("GITHUB_REPOSITORY_ID", "1296269".into()),
        ("GITHUB_REPOSITORY_OWNER", owner.into()),
        ("GITHUB_REPOSITORY_OWNER_ID", "9919".into()),
        ("GITHUB_RETENTION_DAYS", "90".into()),
        ("GITHUB_RUN_ATTEMPT", "1".into()),
        ("GITHUB_RUN_ID", "12345678901".into()),
        ("GITHUB_RUN_NUMBER", "42".into()),
        ("GITHUB_JOB", "bench".into()),
        ("GITHUB_WORKFLOW", "bench".into()),
        (
            "GITHUB_WORKFLOW_REF",
            format!(
                "{repository}/.github/workflows/bench.yml@{}",
                trigger.git_ref
            ),
        ),
        ("GITHUB_WORKFLOW_SHA", trigger.sha.into()),
        ("GITHUB_TRIGGERING_ACTOR", "octocat".into()),
        ("GITHUB_WORKSPACE", path(mounts.workspace())),
        ("GITHUB_OUTPUT", path(mounts.output_path())),
        ("GITHUB_STEP_SUMMARY", path(mounts.summary_path())),
        (
            "GITHUB_ENV",
            file_command(&format!("set_env_{}", mounts.step)),
        ),
        (
            "GITHUB_PATH",
            file_command(&format!("add_path_{}", mounts.step)),
        ),
        (
            "GITHUB_STATE",
            file_command(&format!("save_state_{}", mounts.step)),
        ),
        // The `runner` context. Host paths outside the mounts stay host paths.
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_ARCH", "X64".into()),
        ("RUNNER_NAME", runner_name.into()),
        ("RUNNER_ENVIRONMENT", "github-hosted".into()),
        ("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache".into()),
        ("RUNNER_TEMP", path(mounts.github("runner_temp"))),
        ("RUNNER_WORKSPACE", "/home/runner/work/perf-repo".into()),
        // The Actions runtime service (fake values; perfgate does not use them).
        (
            "ACTIONS_RUNTIME_URL",
            "https://pipelines.actions.githubusercontent.com/abc/".into(),
        ),
        ("ACTIONS_RUNTIME_TOKEN", "runtime-token-not-a-secret".into()),
        (
            "ACTIONS_CACHE_URL",
            "https://artifactcache.actions.githubusercontent.com/abc/".into(),
        ),
        (
            "ACTIONS_RESULTS_URL",
            "https://results-receiver.actions.githubusercontent.com/".into(),
        ),
    ];
    vars.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Variables a `run:` step sees on a hosted runner and a container action does not: the image's
/// name and version, set on the host by the runner image (actions/runner-images), not passed by
/// the runner.
pub const HOST_ONLY: &[&str] = &["ImageOS", "ImageVersion"];

/// The data branch a job records to and reads from: action.yml's default, which every job passes
/// unless a test sets `data-branch`.
pub const DATA_BRANCH: &str = "perfgate-data";

/// A 12-digit hexadecimal container id, different for each runner name.
fn container_id(runner_name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in runner_name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

/// Jobs of one repository, each on a fresh hosted runner: the same workspace (the tests copy
/// result files into it between jobs), the same fake GitHub.
pub struct Job {
    mounts: Mounts,
    api_url: String,
    /// Jobs run so far: each gets another runner name.
    jobs: Cell<u32>,
}

impl Job {
    pub fn new(api_url: String) -> Job {
        let mounts = Mounts::new();
        fs::create_dir_all(mounts.workspace().join("bench")).unwrap();
        Job {
            mounts,
            api_url,
            jobs: Cell::new(0),
        }
    }

    pub fn ws(&self) -> PathBuf {
        self.mounts.workspace()
    }

    /// The name GitHub gives the hosted runner of the next job: "GitHub Actions 3" for the first,
    /// then "GitHub Actions 1000001", "GitHub Actions 1000002"... as on github.com, where it
    /// changes from job to job and says nothing about the machine.
    fn next_runner_name(&self) -> String {
        let n = self.jobs.get();
        self.jobs.set(n + 1);
        match n {
            0 => "GitHub Actions 3".to_string(),
            n => format!("GitHub Actions {}", 1_000_000 + n),
        }
    }

    /// Runs `perfgate action` as the runner runs the container for `event` and `payload`, on a
    /// GitHub-hosted runner with the next runner name.
    pub fn run(
        &self,
        event: &str,
        git_ref: &str,
        sha: &str,
        payload: &str,
        inputs: &[(&str, &str)],
    ) -> Output {
        self.run_on(event, git_ref, sha, payload, inputs, &[])
    }

    /// [`Job::run`] with some of the runner's variables replaced, such as
    /// `RUNNER_ENVIRONMENT=self-hosted`.
    pub fn run_on(
        &self,
        event: &str,
        git_ref: &str,
        sha: &str,
        payload: &str,
        inputs: &[(&str, &str)],
        runner: &[(&str, &str)],
    ) -> Output {
        self.mounts.new_step(payload);
        let (head_ref, base_ref) = if event.starts_with("pull_request") {
            ("feature", "main")
        } else {
            ("", "")
        };
        let trigger = Trigger {
            event_name: event,
            git_ref,
            sha,
            head_ref,
            base_ref,
        };
        let mut env = hosted_container_env(
            &self.mounts,
            &trigger,
            &format!("{OWNER}/{REPO}"),
            &self.api_url,
            &self.next_runner_name(),
        );
        // Every input of action.yml, with its default unless the test sets it, as the runner
        // passes them (`INPUT_` + the name upper-cased, hyphens kept).
        let defaults = [
            ("format", "auto"),
            ("config", ""),
            ("github-token", TOKEN),
            ("mode", "auto"),
            ("baseline", "data-branch"),
            ("data-branch", DATA_BRANCH),
            ("threshold", ""),
            ("fail-on-regression", "true"),
            ("comment", "true"),
            ("summary", "true"),
            ("key", "default"),
            ("comment-author", BOT),
            ("budgets", ""),
            ("keep", "100"),
        ];
        for (k, v) in defaults.iter().chain(inputs) {
            set(&mut env, &format!("INPUT_{}", k.to_uppercase()), v);
        }
        for (k, v) in runner {
            set(&mut env, k, v);
        }
        // PERFGATE_BIN runs another build, such as the static musl binary the image ships.
        let bin = std::env::var("PERFGATE_BIN")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_perfgate").to_string());
        let mut cmd = std::process::Command::new(bin);
        // Nothing of the test's own environment: on a hosted runner (this repository's CI) it has
        // `ImageOS` and `ImageVersion`, which the container never sees.
        assert!(
            env.iter().all(|(k, _)| !HOST_ONLY.contains(&k.as_str())),
            "a container action never sees the host's {HOST_ONLY:?}"
        );
        cmd.arg("action").env_clear().envs(env);
        // The container's working directory is the workspace; running from `/` instead checks
        // that every path is resolved against GITHUB_WORKSPACE, not the working directory.
        cmd.current_dir("/");
        let out = cmd.output().unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains(TOKEN), "the token was printed:\n{all}");
        out
    }

    pub fn outputs(&self) -> String {
        fs::read_to_string(self.mounts.output_path()).unwrap()
    }

    pub fn summary(&self) -> String {
        fs::read_to_string(self.mounts.summary_path()).unwrap()
    }

    /// The JSON report of the last run, found through the step's `report-json` output.
    pub fn report(&self) -> serde_json::Value {
        let path = self.ws().join(output_value(&self.outputs(), "report-json"));
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
    }
}

/// Sets `key` in `env`, replacing a value already there.
fn set(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    env.retain(|(k, _)| k != key);
    env.push((key.to_string(), value.to_string()));
}

pub fn output_value(outputs: &str, name: &str) -> String {
    let mut lines = outputs.lines();
    while let Some(l) = lines.next() {
        if let Some(delim) = l.strip_prefix(&format!("{name}<<")) {
            let mut value = Vec::new();
            for v in lines.by_ref() {
                if v == delim {
                    return value.join("\n");
                }
                value.push(v);
            }
        }
    }
    panic!("no output {name} in {outputs}")
}

/// A process's output for an assertion message.
pub fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
