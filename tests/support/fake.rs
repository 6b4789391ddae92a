//! A fake GitHub on loopback (wiremock): issue comments with pagination, pull requests, commit
//! comments and issues (the watch on the default branch), and a
//! small git object store behind the contents and Git Data endpoints, with GitHub's rules that
//! matter to perfgate (a contents PUT needs the current blob sha, a ref update must be a
//! fast-forward, read-only tokens get 403 on writes, large files have no JSON content).
//!
//! Answers are built from the examples of the REST description and recorded; [`FakeGitHub::verify`]
//! checks every request perfgate sent and every answer the fake gave against
//! `tests/fixtures/github/rest-subset.json`. Faults (5xx, rate limits, a concurrent writer) are
//! queued with [`FakeGitHub::fault`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::openapi::Spec;

pub const OWNER: &str = "octo-org";
pub const REPO: &str = "perf-repo";
pub const TOKEN: &str = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
pub const BOT: &str = "github-actions[bot]";

/// One request and the fake's answer.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// Below the API URL, without the query.
    pub path: String,
    pub query: Option<String>,
    pub accept: String,
    pub status: u16,
    pub body: Value,
    pub request_body: Option<Value>,
}

/// What a queued fault does to the next matching request.
pub enum FaultKind {
    /// Answer with this status, JSON body and headers instead of the normal answer.
    Respond(u16, Value, Vec<(String, String)>),
    /// Change the state first (another writer, say), then answer normally.
    Before(Box<dyn Fn(&mut State) + Send>),
    /// Do the work, then answer with this status (a 5xx whose request did land).
    LoseAnswer(u16),
    /// Do the work and answer normally, but only after this long (a slow or hung server: the
    /// client's timeout fires first, and the request did land).
    Delay(std::time::Duration),
}

pub struct Fault {
    pub method: String,
    pub path_contains: String,
    pub times: u32,
    pub kind: FaultKind,
}

/// An issue of the fake repository.
#[derive(Debug, Clone)]
pub struct FakeIssue {
    pub number: u64,
    pub login: String,
    pub title: String,
    pub body: String,
    pub state: String,
    pub state_reason: Option<String>,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: u64,
    pub login: String,
    pub body: String,
}

/// The fake's repository.
pub struct State {
    /// The login the token belongs to (author of the comments it creates).
    pub token_login: String,
    /// Writes answer 403 "Resource not accessible by integration", as for a fork's token.
    pub read_only: bool,
    /// Files larger than this have no JSON content (GitHub: 1 MB).
    pub large_file_bytes: usize,
    pub comments: Vec<Comment>,
    next_comment_id: u64,
    /// Commit sha -> its comments (ids from the same counter as issue comments).
    pub commit_comments: BTreeMap<String, Vec<Comment>>,
    pub issues: Vec<FakeIssue>,
    /// Pull request number -> (head sha, base sha).
    pub pulls: BTreeMap<u64, (String, String)>,
    /// Pull request number -> the `owner/name` its head comes from (this repository when absent).
    pub pull_heads: BTreeMap<u64, String>,
    blobs: HashMap<String, String>,
    /// Tree sha -> full path -> blob sha (flat: enough for perfgate's layout).
    trees: HashMap<String, BTreeMap<String, String>>,
    /// Commit sha -> (tree sha, parents).
    commits: HashMap<String, (String, Vec<String>)>,
    /// Branch -> commit sha.
    pub refs: BTreeMap<String, String>,
    counter: u64,
    pub faults: Vec<Fault>,
    pub log: Vec<Exchange>,
}

impl State {
    fn new() -> State {
        State {
            token_login: BOT.to_string(),
            read_only: false,
            large_file_bytes: 1_000_000,
            comments: Vec::new(),
            next_comment_id: 1_000_001,
            commit_comments: BTreeMap::new(),
            issues: Vec::new(),
            pulls: BTreeMap::new(),
            pull_heads: BTreeMap::new(),
            blobs: HashMap::new(),
            trees: HashMap::new(),
            commits: HashMap::new(),
            refs: BTreeMap::new(),
            counter: 0,
            faults: Vec::new(),
            log: Vec::new(),
        }
    }

    /// Adds a comment as written by `login`; returns its id.
    pub fn add_comment(&mut self, login: &str, body: &str) -> u64 {
        let id = self.next_comment_id;
        self.next_comment_id += 1;
        self.comments.push(Comment {
            id,
            login: login.to_string(),
            body: body.to_string(),
        });
        id
    }

    fn sha(&mut self, seed: &str) -> String {
        self.counter += 1;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in seed.bytes().chain(self.counter.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!(
            "{h:016x}{:016x}{:08x}",
            h.rotate_left(17) ^ 0x9e37_79b9_7f4a_7c15,
            self.counter
        )
    }

    /// Content-addressed, as in git: the same text is the same blob.
    fn put_blob(&mut self, text: &str) -> String {
        if let Some((sha, _)) = self.blobs.iter().find(|(_, t)| t.as_str() == text) {
            return sha.clone();
        }
        let sha = self.sha(text);
        self.blobs.insert(sha.clone(), text.to_string());
        sha
    }

    fn put_tree(&mut self, files: BTreeMap<String, String>) -> String {
        if let Some((sha, _)) = self.trees.iter().find(|(_, t)| **t == files) {
            return sha.clone();
        }
        let sha = self.sha("tree");
        self.trees.insert(sha.clone(), files);
        sha
    }

    fn put_commit(&mut self, tree: &str, parents: Vec<String>) -> String {
        let sha = self.sha("commit");
        self.commits
            .insert(sha.clone(), (tree.to_string(), parents));
        sha
    }

    fn resolve(&self, git_ref: &str) -> Option<String> {
        match self.refs.get(git_ref) {
            Some(c) => Some(c.clone()),
            None => self
                .commits
                .contains_key(git_ref)
                .then(|| git_ref.to_string()),
        }
    }

    fn tree_of(&self, commit: &str) -> BTreeMap<String, String> {
        self.commits
            .get(commit)
            .and_then(|(t, _)| self.trees.get(t))
            .cloned()
            .unwrap_or_default()
    }

    /// The files of `branch`: path -> text.
    pub fn files(&self, branch: &str) -> BTreeMap<String, String> {
        let Some(head) = self.refs.get(branch) else {
            return BTreeMap::new();
        };
        self.tree_of(head)
            .into_iter()
            .map(|(p, b)| (p, self.blobs.get(&b).cloned().unwrap_or_default()))
            .collect()
    }

    /// Writes `files` on `branch` as one commit (creating the branch when absent), as another
    /// writer would.
    pub fn commit_files(&mut self, branch: &str, files: &[(&str, &str)]) {
        let parent = self.refs.get(branch).cloned();
        let mut tree = parent
            .as_deref()
            .map(|p| self.tree_of(p))
            .unwrap_or_default();
        for (path, text) in files {
            let blob = self.put_blob(text);
            tree.insert(path.to_string(), blob);
        }
        let tree = self.put_tree(tree);
        let commit = self.put_commit(&tree, parent.into_iter().collect());
        self.refs.insert(branch.to_string(), commit);
    }

    fn is_ancestor(&self, ancestor: &str, of: &str) -> bool {
        let mut stack = vec![of.to_string()];
        while let Some(c) = stack.pop() {
            if c == ancestor {
                return true;
            }
            if let Some((_, parents)) = self.commits.get(&c) {
                stack.extend(parents.iter().cloned());
            }
        }
        false
    }
}

/// The fake server and its state.
pub struct FakeGitHub {
    pub server: MockServer,
    pub state: Arc<Mutex<State>>,
    pub spec: Arc<Spec>,
    /// `""` for api.github.com, `/api/v3` for GitHub Enterprise Server.
    pub base_path: String,
}

impl FakeGitHub {
    pub async fn start() -> FakeGitHub {
        FakeGitHub::start_at("").await
    }

    pub async fn start_at(base_path: &str) -> FakeGitHub {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::new()));
        let spec = Arc::new(Spec::load());
        let responder = Responder {
            state: state.clone(),
            spec: spec.clone(),
            base_path: base_path.to_string(),
        };
        Mock::given(any())
            .respond_with(responder)
            .mount(&server)
            .await;
        FakeGitHub {
            server,
            state,
            spec,
            base_path: base_path.to_string(),
        }
    }

    pub fn api_url(&self) -> String {
        format!("{}{}", self.server.uri(), self.base_path)
    }

    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap()
    }

    /// Queues a fault for the next `times` requests of `method` whose path contains `path`.
    pub fn fault(&self, method: &str, path_contains: &str, times: u32, kind: FaultKind) {
        self.state().faults.push(Fault {
            method: method.to_string(),
            path_contains: path_contains.to_string(),
            times,
            kind,
        });
    }

    pub fn log(&self) -> Vec<Exchange> {
        self.state().log.clone()
    }

    /// The files of key `default` on a data branch that GETs read, among the requests from the
    /// `from`-th on: `default/index.json`, `default/runs/<id>.json`...
    pub fn data_reads(&self, from: usize) -> Vec<String> {
        self.log()
            .get(from..)
            .unwrap_or_default()
            .iter()
            .filter(|e| e.method == "GET" && e.path.contains("/contents/default/"))
            .filter_map(|e| e.path.rsplit("/contents/").next().map(str::to_string))
            .collect()
    }

    /// `METHOD path` of every request, in order (paths below the API URL).
    pub fn calls(&self) -> Vec<String> {
        self.log()
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect()
    }

    /// Checks every request against the REST subset (operation, query, body), that it carried
    /// the token and GitHub's headers, and every JSON answer against its documented schema.
    pub async fn verify(&self) {
        let requests = self.server.received_requests().await.unwrap_or_default();
        assert!(!requests.is_empty(), "no request reached the fake");
        let mut errors = Vec::new();
        for r in &requests {
            let full = r.url.path();
            let Some(path) = full.strip_prefix(&self.base_path) else {
                errors.push(format!("{} {full}: not below the API URL", r.method));
                continue;
            };
            if let Err(e) = self
                .spec
                .check_request(r.method.as_str(), path, r.url.query(), &r.body)
            {
                errors.push(e);
            }
            let header = |n: &str| {
                r.headers
                    .get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string()
            };
            if header("authorization") != format!("Bearer {TOKEN}") {
                errors.push(format!("{} {path}: no bearer token", r.method));
            }
            if !header("accept").starts_with("application/vnd.github") {
                errors.push(format!(
                    "{} {path}: Accept is `{}`",
                    r.method,
                    header("accept")
                ));
            }
            if header("x-github-api-version").is_empty() {
                errors.push(format!("{} {path}: no X-GitHub-Api-Version", r.method));
            }
        }
        for e in self.log() {
            if e.accept.contains("raw") && e.status == 200 {
                continue;
            }
            if let Err(err) = self
                .spec
                .check_response(&e.method, &e.path, e.status, &e.body)
            {
                errors.push(err);
            }
        }
        assert!(
            errors.is_empty(),
            "contract violations:\n{}",
            errors.join("\n")
        );
    }
}

struct Responder {
    state: Arc<Mutex<State>>,
    spec: Arc<Spec>,
    base_path: String,
}

/// An answer before it becomes a wiremock response.
struct Answer {
    status: u16,
    body: Value,
    raw: Option<String>,
    headers: Vec<(String, String)>,
}

fn answer(status: u16, body: Value) -> Answer {
    Answer {
        status,
        body,
        raw: None,
        headers: Vec::new(),
    }
}

fn error(status: u16, message: &str) -> Answer {
    let doc = "https://docs.github.com/rest";
    answer(
        status,
        if status == 422 {
            json!({"message": message, "documentation_url": doc, "errors": []})
        } else {
            json!({"message": message, "documentation_url": doc, "status": status.to_string()})
        },
    )
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let method = request.method.as_str().to_string();
        let full = request.url.path().to_string();
        let path = full
            .strip_prefix(&self.base_path)
            .unwrap_or(&full)
            .to_string();
        let query = request.url.query().map(str::to_string);
        let accept = request
            .headers
            .get("accept")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let request_body: Option<Value> = serde_json::from_slice(&request.body).ok();
        let mut state = self.state.lock().unwrap();

        let mut injected = None;
        let mut lose_answer = None;
        let mut delay = None;
        if let Some(i) = state
            .faults
            .iter()
            .position(|f| f.method == method && path.contains(&f.path_contains) && f.times > 0)
        {
            state.faults[i].times -= 1;
            match &state.faults[i].kind {
                FaultKind::Respond(status, body, headers) => {
                    injected = Some(Answer {
                        status: *status,
                        body: body.clone(),
                        raw: None,
                        headers: headers.clone(),
                    })
                }
                FaultKind::LoseAnswer(status) => lose_answer = Some(*status),
                FaultKind::Delay(d) => delay = Some(*d),
                FaultKind::Before(_) => {
                    let fault = state.faults.remove(i);
                    if let FaultKind::Before(f) = &fault.kind {
                        f(&mut state);
                    }
                    if fault.times > 0 {
                        state.faults.insert(i, fault);
                    }
                }
            }
        }
        let authorized = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(&format!("Bearer {TOKEN}"));
        let mut a = match injected {
            Some(a) => a,
            None if !authorized => error(401, "Bad credentials"),
            None => match self.spec.match_request(&method, &path) {
                None => error(404, "Not Found"),
                Some(m) => handle(
                    &mut state,
                    &self.spec,
                    &m.operation.id,
                    &m.params,
                    query.as_deref(),
                    &accept,
                    request_body.as_ref(),
                ),
            },
        };
        if let Some(status) = lose_answer {
            a = error(status, "Server Error");
        }
        state.log.push(Exchange {
            method,
            path,
            query,
            accept,
            status: a.status,
            body: a.body.clone(),
            request_body,
        });
        let mut t = ResponseTemplate::new(a.status);
        if let Some(d) = delay {
            t = t.set_delay(d);
        }
        for (k, v) in &a.headers {
            t = t.insert_header(k.as_str(), v.as_str());
        }
        match a.raw {
            _ if a.status == 204 => t,
            Some(raw) => t.set_body_raw(raw.into_bytes(), "application/vnd.github.raw+json"),
            None => t.set_body_json(a.body),
        }
    }
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| super::openapi::percent_decode(v))
}

/// A list request's `page` (from 1) and `per_page` (GitHub's default 30, at most 100).
fn pagination(query: Option<&str>) -> (usize, usize) {
    let number = |name| query_param(query, name).and_then(|v| v.parse::<usize>().ok());
    let page = number("page").unwrap_or(1).max(1);
    let per_page = number("per_page").unwrap_or(30).min(100);
    (page, per_page)
}

/// The items of `all` on page `page` of `per_page`.
fn page_of<T>(all: &[T], page: usize, per_page: usize) -> impl Iterator<Item = &T> {
    all.iter().skip((page - 1) * per_page).take(per_page)
}

fn handle(
    s: &mut State,
    spec: &Spec,
    op: &str,
    params: &BTreeMap<String, String>,
    query: Option<&str>,
    accept: &str,
    body: Option<&Value>,
) -> Answer {
    let owner = params.get("owner").cloned().unwrap_or_default();
    let repo = params.get("repo").cloned().unwrap_or_default();
    if !params.contains_key("owner") || owner != OWNER || repo != REPO {
        return error(404, "Not Found");
    }
    let is_write = !matches!(
        op,
        "issues/list-comments"
            | "repos/get-content"
            | "git/get-ref"
            | "git/get-tree"
            | "git/get-commit"
            | "pulls/get"
            | "repos/list-comments-for-commit"
            | "issues/list-for-repo"
    );
    if is_write && s.read_only {
        return error(403, "Resource not accessible by integration");
    }
    let api = format!("https://api.github.com/repos/{OWNER}/{REPO}");
    let body = body.cloned().unwrap_or(Value::Null);
    match op {
        "issues/list-comments" => {
            let issue: u64 = params["issue_number"].parse().unwrap_or(0);
            let (page, per_page) = pagination(query);
            let all: Vec<Comment> = s.comments.clone();
            let items: Vec<Value> = page_of(&all, page, per_page)
                .map(|c| comment_json(spec, c, issue))
                .collect();
            let last = all.len().div_ceil(per_page).max(1);
            let mut a = answer(200, Value::Array(items));
            // GitHub's Link URLs use the repository id form, outside the REST subset.
            let link = |p: usize, rel: &str| {
                format!(
                    "<https://api.github.com/repositories/1296269/issues/{issue}/comments?per_page={per_page}&page={p}>; rel=\"{rel}\""
                )
            };
            let mut links = Vec::new();
            if page < last {
                links.push(link(page + 1, "next"));
                links.push(link(last, "last"));
            }
            if page > 1 {
                links.push(link(page - 1, "prev"));
                links.push(link(1, "first"));
            }
            if !links.is_empty() {
                a.headers.push(("link".into(), links.join(", ")));
            }
            a
        }
        "issues/create-comment" => {
            let issue: u64 = params["issue_number"].parse().unwrap_or(0);
            let text = body["body"].as_str().unwrap_or_default().to_string();
            let login = s.token_login.clone();
            let id = s.add_comment(&login, &text);
            let c = s.comments.iter().find(|c| c.id == id).cloned().unwrap();
            answer(201, comment_json(spec, &c, issue))
        }
        "issues/update-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap_or(0);
            let login = s.token_login.clone();
            let Some(c) = s.comments.iter_mut().find(|c| c.id == id) else {
                return error(404, "Not Found");
            };
            if c.login != login {
                return error(403, "Resource not accessible by integration");
            }
            c.body = body["body"].as_str().unwrap_or_default().to_string();
            let c = c.clone();
            answer(200, comment_json(spec, &c, 1))
        }
        "issues/delete-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap_or(0);
            let login = s.token_login.clone();
            let Some(i) = s.comments.iter().position(|c| c.id == id) else {
                return error(404, "Not Found");
            };
            if s.comments[i].login != login {
                return error(403, "Resource not accessible by integration");
            }
            s.comments.remove(i);
            answer(204, Value::Null)
        }
        "repos/list-comments-for-commit" => {
            let sha = params["commit_sha"].clone();
            let (page, per_page) = pagination(query);
            let all = s.commit_comments.get(&sha).cloned().unwrap_or_default();
            let items: Vec<Value> = page_of(&all, page, per_page)
                .map(|c| commit_comment_json(spec, c, &sha))
                .collect();
            answer(200, Value::Array(items))
        }
        "repos/create-commit-comment" => {
            let sha = params["commit_sha"].clone();
            let c = Comment {
                id: s.next_comment_id,
                login: s.token_login.clone(),
                body: body["body"].as_str().unwrap_or_default().to_string(),
            };
            s.next_comment_id += 1;
            s.commit_comments
                .entry(sha.clone())
                .or_default()
                .push(c.clone());
            answer(201, commit_comment_json(spec, &c, &sha))
        }
        "repos/update-commit-comment" => {
            let id: u64 = params["comment_id"].parse().unwrap_or(0);
            let login = s.token_login.clone();
            let found = s.commit_comments.iter_mut().find_map(|(sha, list)| {
                list.iter_mut()
                    .find(|c| c.id == id)
                    .map(|c| (sha.clone(), c))
            });
            let Some((sha, c)) = found else {
                return error(404, "Not Found");
            };
            if c.login != login {
                return error(403, "Resource not accessible by integration");
            }
            c.body = body["body"].as_str().unwrap_or_default().to_string();
            let c = c.clone();
            answer(200, commit_comment_json(spec, &c, &sha))
        }
        "issues/list-for-repo" => {
            let state = query_param(query, "state").unwrap_or_else(|| "open".into());
            let labels: Vec<String> = query_param(query, "labels")
                .map(|l| l.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            let page: usize = query_param(query, "page")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1)
                .max(1);
            let items: Vec<Value> = s
                .issues
                .iter()
                .filter(|i| state == "all" || i.state == state)
                .filter(|i| labels.iter().all(|l| i.labels.contains(l)))
                .skip((page - 1) * 100)
                .take(100)
                .map(|i| issue_json(spec, i))
                .collect();
            answer(200, Value::Array(items))
        }
        "issues/create" => {
            let issue = FakeIssue {
                number: s.issues.len() as u64 + 1,
                login: s.token_login.clone(),
                title: body["title"].as_str().unwrap_or_default().to_string(),
                body: body["body"].as_str().unwrap_or_default().to_string(),
                state: "open".into(),
                state_reason: None,
                labels: body["labels"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.as_str().map(str::to_string))
                    .collect(),
            };
            s.issues.push(issue.clone());
            answer(201, issue_json(spec, &issue))
        }
        "issues/update" => {
            let n: u64 = params["issue_number"].parse().unwrap_or(0);
            let Some(issue) = s.issues.iter_mut().find(|i| i.number == n) else {
                return error(404, "Not Found");
            };
            if let Some(b) = body["body"].as_str() {
                issue.body = b.to_string();
            }
            if let Some(st) = body["state"].as_str() {
                issue.state = st.to_string();
                issue.state_reason = body["state_reason"].as_str().map(str::to_string);
            }
            let issue = issue.clone();
            answer(200, issue_json(spec, &issue))
        }
        "pulls/get" => {
            let n: u64 = params["pull_number"].parse().unwrap_or(0);
            let Some((head, base)) = s.pulls.get(&n).cloned() else {
                return error(404, "Not Found");
            };
            let mut v = spec.example("pull-request");
            v["number"] = json!(n);
            v["head"]["sha"] = json!(head);
            let head_repo = s
                .pull_heads
                .get(&n)
                .cloned()
                .unwrap_or_else(|| format!("{OWNER}/{REPO}"));
            v["head"]["repo"]["full_name"] = json!(head_repo);
            v["base"]["sha"] = json!(base);
            // The documented example's team lacks the `type` its own schema requires.
            v["requested_teams"] = json!([]);
            answer(200, v)
        }
        "git/get-ref" => {
            let r = &params["ref"];
            let branch = r.strip_prefix("heads/").unwrap_or(r);
            match s.refs.get(branch) {
                Some(sha) => answer(200, ref_json(spec, branch, sha)),
                None => error(404, "Not Found"),
            }
        }
        "git/create-ref" => {
            let r = body["ref"].as_str().unwrap_or_default();
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            let Some(branch) = r.strip_prefix("refs/heads/") else {
                return error(422, "Reference name is not valid");
            };
            if s.refs.contains_key(branch) {
                return error(422, "Reference already exists");
            }
            if !s.commits.contains_key(&sha) {
                return error(422, "Object does not exist");
            }
            s.refs.insert(branch.to_string(), sha.clone());
            answer(201, ref_json(spec, branch, &sha))
        }
        "git/update-ref" => {
            let r = &params["ref"];
            let branch = r.strip_prefix("heads/").unwrap_or(r).to_string();
            let sha = body["sha"].as_str().unwrap_or_default().to_string();
            let force = body["force"].as_bool().unwrap_or(false);
            let Some(current) = s.refs.get(&branch).cloned() else {
                return error(422, "Reference does not exist");
            };
            if !s.commits.contains_key(&sha) {
                return error(422, "Object does not exist");
            }
            if !force && !s.is_ancestor(&current, &sha) {
                return error(422, "Update is not a fast forward");
            }
            s.refs.insert(branch.clone(), sha.clone());
            answer(200, ref_json(spec, &branch, &sha))
        }
        "git/create-blob" => {
            let content = body["content"].as_str().unwrap_or_default();
            let text = if body["encoding"] == "base64" {
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(content)
                        .unwrap_or_default(),
                )
                .unwrap_or_default()
            } else {
                content.to_string()
            };
            let sha = s.put_blob(&text);
            let mut v = spec.example("short-blob");
            v["sha"] = json!(sha);
            v["url"] = json!(format!("{api}/git/blobs/{sha}"));
            answer(201, v)
        }
        "git/create-tree" => {
            let mut files = match body["base_tree"].as_str() {
                Some(base) => match s.trees.get(base) {
                    Some(t) => t.clone(),
                    None => return error(422, "base_tree is not a tree"),
                },
                None => BTreeMap::new(),
            };
            for e in body["tree"].as_array().cloned().unwrap_or_default() {
                let path = e["path"].as_str().unwrap_or_default().to_string();
                match (&e["sha"], e["content"].as_str()) {
                    (Value::Null, None) => {
                        if files.remove(&path).is_none() {
                            return error(422, &format!("path `{path}` does not exist"));
                        }
                    }
                    (Value::String(sha), None) => {
                        if !s.blobs.contains_key(sha) {
                            return error(422, &format!("blob {sha} does not exist"));
                        }
                        files.insert(path, sha.clone());
                    }
                    (Value::Null, Some(text)) => {
                        let sha = s.put_blob(text);
                        files.insert(path, sha);
                    }
                    _ => return error(422, "use either tree.sha or content"),
                }
            }
            let entries: Vec<Value> = files
                .iter()
                .map(|(p, b)| {
                    json!({"path": p, "mode": "100644", "type": "blob", "sha": b,
                           "size": s.blobs.get(b).map(String::len).unwrap_or(0),
                           "url": format!("{api}/git/blobs/{b}")})
                })
                .collect();
            let sha = s.put_tree(files);
            let mut v = spec.example("git-tree");
            v["sha"] = json!(sha);
            v["url"] = json!(format!("{api}/git/trees/{sha}"));
            v["tree"] = Value::Array(entries);
            v["truncated"] = json!(false);
            answer(201, v)
        }
        "git/get-tree" => {
            // The root level of a flat tree: a folder is a `tree` entry.
            let sha = params["tree_sha"].clone();
            let Some(files) = s.trees.get(&sha).cloned() else {
                return error(404, "Not Found");
            };
            let mut level: BTreeMap<String, (&str, String)> = BTreeMap::new();
            for (p, b) in &files {
                match p.split_once('/') {
                    Some((dir, _)) => {
                        level
                            .entry(dir.to_string())
                            .or_insert(("tree", String::new()));
                    }
                    None => {
                        level.insert(p.clone(), ("blob", b.clone()));
                    }
                }
            }
            let mut entries = Vec::new();
            for (name, (kind, blob)) in level {
                let (mode, sha) = if kind == "tree" {
                    ("040000", s.sha(&name))
                } else {
                    ("100644", blob)
                };
                let kind_path = if kind == "tree" { "trees" } else { "blobs" };
                entries.push(json!({"path": name, "mode": mode, "type": kind, "sha": sha,
                    "url": format!("{api}/git/{kind_path}/{sha}")}));
            }
            let mut v = spec.example("git-tree");
            v["sha"] = json!(sha);
            v["url"] = json!(format!("{api}/git/trees/{sha}"));
            v["tree"] = Value::Array(entries);
            v["truncated"] = json!(false);
            answer(200, v)
        }
        "git/create-commit" => {
            let tree = body["tree"].as_str().unwrap_or_default().to_string();
            if !s.trees.contains_key(&tree) {
                return error(422, "tree is not a tree");
            }
            let parents: Vec<String> = body["parents"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect();
            if parents.iter().any(|p| !s.commits.contains_key(p)) {
                return error(422, "parent does not exist");
            }
            let sha = s.put_commit(&tree, parents.clone());
            let mut v = spec.example("git-commit");
            v["sha"] = json!(sha);
            v["message"] = body["message"].clone();
            v["tree"]["sha"] = json!(tree);
            v["parents"] = Value::Array(
                parents
                    .iter()
                    .map(|p| json!({"sha": p, "url": format!("{api}/git/commits/{p}"),
                                    "html_url": format!("https://github.com/{OWNER}/{REPO}/commit/{p}")}))
                    .collect(),
            );
            answer(201, v)
        }
        "git/get-commit" => {
            let sha = params["commit_sha"].clone();
            let Some((tree, parents)) = s.commits.get(&sha).cloned() else {
                return error(404, "Not Found");
            };
            let mut v = spec.example("git-commit");
            v["sha"] = json!(sha);
            v["url"] = json!(format!("{api}/git/commits/{sha}"));
            v["tree"]["sha"] = json!(tree);
            v["tree"]["url"] = json!(format!("{api}/git/trees/{tree}"));
            v["parents"] = Value::Array(
                parents
                    .iter()
                    .map(|p| json!({"sha": p, "url": format!("{api}/git/commits/{p}"),
                                    "html_url": format!("https://github.com/{OWNER}/{REPO}/commit/{p}")}))
                    .collect(),
            );
            answer(200, v)
        }
        "repos/get-content" => {
            let path = params["path"].clone();
            let git_ref = query_param(query, "ref").unwrap_or_else(|| "main".into());
            let Some(commit) = s.resolve(&git_ref) else {
                return error(404, &format!("No commit found for the ref {git_ref}"));
            };
            let tree = s.tree_of(&commit);
            if let Some(blob) = tree.get(&path) {
                let text = s.blobs.get(blob).cloned().unwrap_or_default();
                if accept.contains("raw") {
                    let mut a = answer(200, Value::Null);
                    a.raw = Some(text);
                    return a;
                }
                return answer(200, file_json(spec, &path, blob, &text, s.large_file_bytes));
            }
            let prefix = format!("{path}/");
            let mut seen = BTreeMap::new();
            for (p, b) in &tree {
                if let Some(rest) = p.strip_prefix(&prefix) {
                    let (name, kind) = match rest.split_once('/') {
                        Some((dir, _)) => (dir.to_string(), "dir"),
                        None => (rest.to_string(), "file"),
                    };
                    seen.entry(name).or_insert((kind, b.clone()));
                }
            }
            if seen.is_empty() {
                return error(404, "Not Found");
            }
            let items: Vec<Value> = seen
                .into_iter()
                .map(|(name, (kind, sha))| {
                    let p = format!("{path}/{name}");
                    json!({"type": kind, "size": 0, "name": name, "path": p, "sha": sha,
                        "url": format!("{api}/contents/{p}"), "git_url": null, "html_url": null,
                        "download_url": null,
                        "_links": {"git": null, "html": null, "self": format!("{api}/contents/{p}")}})
                })
                .collect();
            answer(200, Value::Array(items))
        }
        "repos/create-or-update-file-contents" => {
            let path = params["path"].clone();
            let branch = body["branch"].as_str().unwrap_or("main").to_string();
            let Some(head) = s.refs.get(&branch).cloned() else {
                return error(404, &format!("Branch {branch} not found"));
            };
            let text = String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(body["content"].as_str().unwrap_or_default())
                    .unwrap_or_default(),
            )
            .unwrap_or_default();
            let mut tree = s.tree_of(&head);
            let current = tree.get(&path).cloned();
            match (&current, body["sha"].as_str()) {
                (Some(cur), Some(given)) if cur != given => {
                    return error(409, &format!("{path} does not match {given}"))
                }
                (Some(_), None) => {
                    return error(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
                }
                (None, Some(_)) => return error(409, &format!("{path} does not exist")),
                _ => {}
            }
            let blob = s.put_blob(&text);
            tree.insert(path.clone(), blob.clone());
            let tree_sha = s.put_tree(tree);
            let commit = s.put_commit(&tree_sha, vec![head.clone()]);
            s.refs.insert(branch, commit.clone());
            let mut v = spec.example("file-commit-example-for-creating-a-file");
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            v["content"]["name"] = json!(name);
            v["content"]["path"] = json!(path);
            v["content"]["sha"] = json!(blob);
            v["content"]["size"] = json!(text.len());
            v["commit"]["sha"] = json!(commit);
            v["commit"]["message"] = body["message"].clone();
            v["commit"]["tree"]["sha"] = json!(tree_sha);
            v["commit"]["parents"] = json!([{"sha": head, "url": format!("{api}/git/commits/{head}"),
                "html_url": format!("https://github.com/{OWNER}/{REPO}/commit/{head}")}]);
            answer(if current.is_some() { 200 } else { 201 }, v)
        }
        _ => error(404, "Not Found"),
    }
}

fn comment_json(spec: &Spec, c: &Comment, issue: u64) -> Value {
    let mut v = spec.example("issue-comment");
    v["id"] = json!(c.id);
    v["body"] = json!(c.body);
    v["user"]["login"] = json!(c.login);
    v["user"]["type"] = json!(if c.login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    });
    v["url"] = json!(format!(
        "https://api.github.com/repos/{OWNER}/{REPO}/issues/comments/{}",
        c.id
    ));
    v["html_url"] = json!(format!(
        "https://github.com/{OWNER}/{REPO}/pull/{issue}#issuecomment-{}",
        c.id
    ));
    v["issue_url"] = json!(format!(
        "https://api.github.com/repos/{OWNER}/{REPO}/issues/{issue}"
    ));
    v
}

fn commit_comment_json(spec: &Spec, c: &Comment, sha: &str) -> Value {
    let mut v = spec.example("commit-comment");
    v["id"] = json!(c.id);
    v["body"] = json!(c.body);
    v["commit_id"] = json!(sha);
    v["user"]["login"] = json!(c.login);
    v["url"] = json!(format!(
        "https://api.github.com/repos/{OWNER}/{REPO}/comments/{}",
        c.id
    ));
    v["html_url"] = json!(format!(
        "https://github.com/{OWNER}/{REPO}/commit/{sha}#commitcomment-{}",
        c.id
    ));
    v
}

fn issue_json(spec: &Spec, i: &FakeIssue) -> Value {
    let mut v = spec.example("issue");
    let label = v["labels"][0].clone();
    v["id"] = json!(i.number);
    v["number"] = json!(i.number);
    v["title"] = json!(i.title);
    v["body"] = json!(i.body);
    v["state"] = json!(i.state);
    v["state_reason"] = json!(i.state_reason);
    v["user"]["login"] = json!(i.login);
    v["labels"] = Value::Array(
        i.labels
            .iter()
            .map(|name| {
                let mut l = label.clone();
                l["name"] = json!(name);
                l
            })
            .collect(),
    );
    if let Some(o) = v.as_object_mut() {
        o.remove("pull_request");
    }
    v["html_url"] = json!(format!(
        "https://github.com/{OWNER}/{REPO}/issues/{}",
        i.number
    ));
    v
}

fn ref_json(spec: &Spec, branch: &str, sha: &str) -> Value {
    let mut v = spec.example("git-ref");
    v["ref"] = json!(format!("refs/heads/{branch}"));
    v["url"] = json!(format!(
        "https://api.github.com/repos/{OWNER}/{REPO}/git/refs/heads/{branch}"
    ));
    v["object"]["sha"] = json!(sha);
    v["object"]["url"] = json!(format!(
        "https://api.github.com/repos/{OWNER}/{REPO}/git/commits/{sha}"
    ));
    v
}

fn file_json(spec: &Spec, path: &str, sha: &str, text: &str, large: usize) -> Value {
    let mut v = spec.example("content-file-response-if-content-is-a-file");
    let name = path.rsplit('/').next().unwrap_or_default();
    let (content, encoding) = if text.len() > large {
        (String::new(), "none")
    } else {
        // GitHub wraps base64 at 60 columns.
        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
        let wrapped: Vec<String> = b64
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        (wrapped.join("\n") + "\n", "base64")
    };
    let api = format!("https://api.github.com/repos/{OWNER}/{REPO}");
    v["name"] = json!(name);
    v["path"] = json!(path);
    v["sha"] = json!(sha);
    v["size"] = json!(text.len());
    v["content"] = json!(content);
    v["encoding"] = json!(encoding);
    v["url"] = json!(format!("{api}/contents/{path}"));
    v["git_url"] = json!(format!("{api}/git/blobs/{sha}"));
    v["_links"]["self"] = json!(format!("{api}/contents/{path}"));
    v["_links"]["git"] = json!(format!("{api}/git/blobs/{sha}"));
    v
}
