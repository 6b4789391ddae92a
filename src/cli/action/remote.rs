//! The GitHub side of the action: [`GitHubRemote`], the REST implementation of [`Remote`] over
//! the data branch and the pull request's comments, and the dashboard's files and address.

use anyhow::{anyhow, Result};
use perfgate::compare::alert::Watch;
use perfgate::config::Config;
use perfgate::github::alert::AlertMode;
use perfgate::github::datastore::Site;
use perfgate::github::runtime::{annotation, Event, Inputs, Level};
use perfgate::model::Run;
use perfgate::report::alert::AlertContext;
use perfgate::store::Placed;

use super::{Baseline, Ctx, PullHead, Remote, Wanted};

/// Where the dashboard is served: the `dashboard-url` input, else with `dashboard: true` on
/// github.com the project's GitHub Pages address (`https://owner.github.io/repo/`).
pub(super) fn dashboard_url(ctx: &Ctx, inputs: &Inputs) -> Option<String> {
    if let Some(u) = &inputs.dashboard_url {
        return Some(u.clone());
    }
    let server = ctx.var("GITHUB_SERVER_URL").unwrap_or_default();
    if !inputs.dashboard || server.trim_end_matches('/') != "https://github.com" {
        return None;
    }
    let repo = ctx.var("GITHUB_REPOSITORY")?;
    let (owner, name) = repo.split_once('/')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !(plain(owner) && plain(name)) {
        return None;
    }
    let owner = owner.to_ascii_lowercase();
    Some(
        if name.eq_ignore_ascii_case(&format!("{owner}.github.io")) {
            format!("https://{owner}.github.io/")
        } else {
            format!("https://{owner}.github.io/{name}/")
        },
    )
}

/// The dashboard's files from the indexes of every key on the data branch: the default branch's
/// runs, judged with the run's config, commits linked on this server.
pub(super) fn dashboard_site(
    ctx: &Ctx,
    config: &Config,
    default_branch: &str,
) -> impl Fn(&[(String, perfgate::store::Index)]) -> Vec<(String, String)> + Sync {
    use perfgate::dashboard::{self, site, Options, Source};
    let repo = ctx.var("GITHUB_REPOSITORY").unwrap_or_default();
    let server = ctx
        .var("GITHUB_SERVER_URL")
        .unwrap_or_else(|| "https://github.com".into());
    let options = Options {
        branch: Some(default_branch.to_string()),
        commit_url: (!repo.is_empty())
            .then(|| format!("{}/{repo}/commit/", server.trim_end_matches('/'))),
        title: if repo.is_empty() {
            Options::default().title
        } else {
            format!("{repo} · perfgate")
        },
        ..Options::default()
    };
    let config = config.clone();
    move |indexes| {
        let sources: Vec<Source> = indexes
            .iter()
            .map(|(key, index)| Source { key, index })
            .collect();
        let d = dashboard::build(&sources, &config, &options);
        site::render(&d)
            .into_iter()
            .map(|f| (f.name.to_string(), f.text))
            .collect()
    }
}

/// The REST implementation of [`Remote`]: the data branch of `GITHUB_REPOSITORY` and its pull
/// request comments, through `GITHUB_API_URL` (GitHub Enterprise Server works).
pub fn github_remote(ctx: &Ctx, inputs: &Inputs, event: &Event) -> Result<Box<dyn Remote>> {
    use perfgate::github::api::{ClientConfig, GitHub, Repo, Token, DEFAULT_API_URL};
    use perfgate::github::datastore::BlockingDataBranch;
    let repo_name = (ctx.env)("GITHUB_REPOSITORY")
        .filter(|r| !r.is_empty())
        .or_else(|| event.repository.clone())
        .ok_or_else(|| {
            anyhow!("GITHUB_REPOSITORY is not set: run perfgate action inside GitHub Actions")
        })?;
    let repo = Repo::parse(&repo_name)?;
    // Without a token a private repository's data branch reads as absent (GitHub answers 404),
    // and the gate would pass as if there were no baseline yet.
    let token = inputs.token.clone().map(Token::new).ok_or_else(|| {
        anyhow!("the `github-token` input is empty: perfgate reads the baseline from the data branch and writes the comment through GitHub's API with it. Leave the input out (its default is the job's token) or give a token")
    })?;
    let api_url = ctx
        .var("GITHUB_API_URL")
        .unwrap_or_else(|| DEFAULT_API_URL.to_string());
    let gh = GitHub::new(ClientConfig::new(api_url, Some(token)))?;
    let store = BlockingDataBranch::new(&gh, repo.clone(), &inputs.data_branch, &inputs.key);
    Ok(Box::new(GitHubRemote {
        gh,
        repo,
        store,
        author: inputs.comment_author.clone(),
        keep: inputs
            .keep
            .unwrap_or(perfgate::github::datastore::DEFAULT_KEEP),
        secrets: ctx.secrets.clone(),
    }))
}

struct GitHubRemote {
    gh: perfgate::github::api::GitHub,
    repo: perfgate::github::api::Repo,
    store: perfgate::github::datastore::BlockingDataBranch,
    author: String,
    keep: usize,
    /// The environment's secrets ([`Ctx`]), which its warnings are redacted against.
    secrets: Vec<String>,
}

impl Remote for GitHubRemote {
    fn baseline(&self, w: &Wanted<'_>) -> Result<Option<Baseline>> {
        let store = self.store.inner();
        let branch = store.branch().to_string();
        Ok(self
            .gh
            .block_on(store.baseline_with_history(
                w.base_sha,
                w.default_branch,
                w.window,
                w.full,
                w.committed,
            ))?
            .map(|b| {
                let path = store.run_path(&b.entry.id);
                Baseline {
                    describe: b.describe(),
                    fetch: Some(format!(
                        "git fetch origin {branch} && git show origin/{branch}:{path} > baseline.json"
                    )),
                    run: b.run,
                    before: b.before,
                }
            }))
    }

    fn save(&self, run: &Run, site: Option<&Site<'_>>) -> Result<(String, Placed)> {
        let outcome = match site {
            Some(site) => self.store.save_run_with_site(run, self.keep, site)?,
            None => self.store.save_run(run, self.keep)?,
        };
        for w in [&outcome.prune_warning, &outcome.site_warning]
            .into_iter()
            .flatten()
        {
            let w = perfgate::github::runtime::redact(w, &self.secrets);
            outln!("{}", annotation(Level::Warning, "perfgate", &w));
        }
        if outcome.site_written {
            outln!(
                "perfgate: dashboard updated on `{}` (index.html, data.js)",
                self.store.inner().branch()
            );
        }
        Ok((outcome.entry.id, outcome.placed))
    }

    fn upsert_comment(&self, pr: u64, key: &str, body: &str) -> Result<(String, String)> {
        let outcome = self.gh.block_on(perfgate::github::comment::upsert_comment(
            self.gh.client(),
            &self.repo,
            pr,
            key,
            body,
            &self.author,
        ))?;
        if let Some(login) = &outcome.posted_as_another {
            outln!(
                "{}",
                annotation(
                    Level::Warning,
                    "perfgate",
                    &format!("the comment was posted as `{login}`, but `comment-author` is `{}`: the next run will not find it and will post another. Set `comment-author: {login}` (the login of the token's identity).", self.author)
                )
            );
        }
        Ok((outcome.action.as_str().to_string(), outcome.url))
    }

    fn alert(&self, mode: AlertMode, watch: &Watch, ctx: &AlertContext) -> Result<Vec<String>> {
        use perfgate::github::alert::{comment_on_commits, keep_issue};
        let client = self.gh.client();
        match mode {
            AlertMode::None => Ok(Vec::new()),
            AlertMode::CommitComment => Ok(self.gh.block_on(comment_on_commits(
                client,
                &self.repo,
                watch,
                ctx,
                &self.author,
            ))?),
            AlertMode::Issue => {
                let outcome =
                    self.gh
                        .block_on(keep_issue(client, &self.repo, watch, ctx, &self.author))?;
                if outcome.label_dropped {
                    outln!(
                        "{}",
                        annotation(
                            Level::Warning,
                            "perfgate",
                            &format!("GitHub dropped the label `{}` from the new issue, so the next run will not find it and may open another: let the token set labels (`issues: write`), or create the label in the repository", perfgate::report::alert::ISSUE_LABEL)
                        )
                    );
                }
                Ok(outcome.done)
            }
        }
    }

    fn pull_head(&self, pr: u64) -> Result<PullHead> {
        let pull = self
            .gh
            .block_on(self.gh.client().get_pull(&self.repo, pr))?
            .ok_or_else(|| anyhow!("pull request #{pr} does not exist in {}", self.repo))?;
        Ok(PullHead {
            open: pull.state == "open",
            sha: pull.head.sha,
            repository: pull.head.repo.map(|r| r.full_name),
        })
    }
}
