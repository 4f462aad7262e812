//! `inventory --from-stack <export.json>`: the ECR objects a pulumi-aws stack
//! manages (read from `pulumi stack export`), as an import file of this
//! package's types plus the `pulumi state delete` commands that drop the old
//! entries. Reads one file and writes one; never calls ECR.
//!
//! The mapping (`plan`) is pure: a repository with its policy and lifecycle
//! policy becomes one Repository (id: the name); the scanning and
//! replication configurations of one account and region become one Registry
//! (id `<registryId>/<region>`); pull-through cache rules and creation
//! templates are imported by prefix. Logical names come from the old ones.
//! The deletions run dependents first (the reverse of the export's order,
//! which lists every resource after what it depends on), then the aws
//! provider when nothing left in the stack uses it.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use serde_json::Value as Json;

use super::{ImportEntry, import_file, unique_name};

/// Pulumi's mark of a special value, and the kind that means "secret".
const SIG: &str = "4dabf18193072939515e22adb298388d";
const SECRET_SIG: &str = "1b47061264138c4ac30d75fd1eb44270";

const REPOSITORY: &str = "aws:ecr/repository:Repository";
const REPOSITORY_POLICY: &str = "aws:ecr/repositoryPolicy:RepositoryPolicy";
const LIFECYCLE_POLICY: &str = "aws:ecr/lifecyclePolicy:LifecyclePolicy";
const SCANNING: &str = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration";
const REPLICATION: &str = "aws:ecr/replicationConfiguration:ReplicationConfiguration";
const PULL_THROUGH: &str = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
const TEMPLATE: &str = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate";
const AWS_PROVIDER: &str = "pulumi:providers:aws";

/// What the command found: the import file's entries, the state entries to
/// drop (in the order to drop them), and notes for the user.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub entries: Vec<ImportEntry>,
    pub deletes: Vec<String>,
    /// Those of `deletes` that are protected (dropped with `--force`).
    pub protected: BTreeSet<String>,
    pub notes: Vec<String>,
    /// The regions the entries are in (the awsecr provider's region must be it).
    pub regions: BTreeSet<String>,
}

/// One resource of the export, as far as the mapping needs it.
struct Res<'a> {
    urn: &'a str,
    ty: &'a str,
    raw: &'a Json,
}

impl<'a> Res<'a> {
    fn name(&self) -> &'a str {
        self.urn.rsplit("::").next().unwrap_or(self.urn)
    }

    /// A string property: the outputs first, then the inputs; a secret only
    /// when the export shows it (`--show-secrets`).
    fn string(&self, key: &str) -> Prop {
        let mut found = Prop::Missing;
        for side in ["outputs", "inputs"] {
            match plain(&self.raw[side][key]) {
                Prop::Value(v) if !v.is_empty() => return Prop::Value(v),
                Prop::Secret => found = Prop::Secret,
                _ => {}
            }
        }
        found
    }

    fn id(&self) -> Option<&'a str> {
        self.raw["id"].as_str().filter(|s| !s.is_empty())
    }

    /// The provider reference `<urn>::<id>` split into its URN.
    fn provider_urn(&self) -> Option<&'a str> {
        self.raw["provider"].as_str().and_then(|p| p.rsplit_once("::")).map(|(urn, _)| urn)
    }

    /// Every URN this resource depends on (parent, dependencies, property
    /// dependencies, deletedWith, provider).
    fn needs(&self) -> BTreeSet<&'a str> {
        let mut out = BTreeSet::new();
        let r = self.raw;
        for key in ["parent", "deletedWith"] {
            if let Some(u) = r[key].as_str() {
                out.insert(u);
            }
        }
        for u in r["dependencies"].as_array().into_iter().flatten() {
            out.extend(u.as_str());
        }
        for list in r["propertyDependencies"].as_object().into_iter().flat_map(|m| m.values()) {
            for u in list.as_array().into_iter().flatten() {
                out.extend(u.as_str());
            }
        }
        out.extend(self.provider_urn());
        out
    }
}

/// A property's value as the export holds it.
#[derive(Debug, PartialEq)]
enum Prop {
    Value(String),
    Secret,
    Missing,
}

impl Prop {
    fn value(self) -> Option<String> {
        match self {
            Prop::Value(v) => Some(v),
            _ => None,
        }
    }
}

fn plain(v: &Json) -> Prop {
    match v {
        Json::String(s) => Prop::Value(s.clone()),
        Json::Object(m) if m.get(SIG).and_then(Json::as_str) == Some(SECRET_SIG) => {
            // `--show-secrets` writes the value as JSON text in `plaintext`.
            match m.get("plaintext").and_then(Json::as_str).map(serde_json::from_str::<Json>) {
                Some(Ok(Json::String(s))) => Prop::Value(s),
                _ => Prop::Secret,
            }
        }
        _ => Prop::Missing,
    }
}

/// Account and region of an ARN (`arn:<partition>:ecr:<region>:<account>:...`).
fn arn_place(arn: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    (parts.len() == 6 && parts[0] == "arn" && !parts[3].is_empty())
        .then(|| (parts[4].to_string(), parts[3].to_string()))
}

/// The import entry being built for one cloud object.
struct Pending {
    entry: ImportEntry,
    /// The old logical name to name it after.
    wanted: String,
}

/// Refused files get one sentence (the `Err`).
pub fn plan(export: &Json, fallback_region: Option<&str>) -> Result<Plan, String> {
    let Some(deployment) = export.get("deployment").filter(|d| d.is_object()) else {
        return Err("this file is not a Pulumi stack export: it has no \"deployment\" object; write one with `pulumi stack export --file stack.json`".into());
    };
    match export.get("version").and_then(Json::as_u64) {
        Some(1..=3) => {}
        Some(v) => {
            return Err(format!(
                "this stack export is in deployment format version {v}, which this command does not know (it reads versions 1 to 3); export the stack with a Pulumi CLI of version 3"
            ));
        }
        None => {
            return Err("this file is not a Pulumi stack export: it has no deployment format \"version\"; write one with `pulumi stack export --file stack.json`".into());
        }
    }
    let empty = Vec::new();
    let raw = match deployment.get("resources") {
        None | Some(Json::Null) => &empty,
        Some(Json::Array(a)) => a,
        Some(_) => {
            return Err("this file is not a Pulumi stack export: \"deployment.resources\" is not a list".into());
        }
    };
    let mut all = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let (Some(urn), Some(ty)) = (r["urn"].as_str(), r["type"].as_str()) else {
            return Err(format!(
                "this file is not a Pulumi stack export: resource {i} of \"deployment.resources\" has no \"urn\" and \"type\""
            ));
        };
        all.push(Res { urn, ty, raw: r });
    }
    Ok(plan_resources(&all, fallback_region))
}

fn plan_resources(all: &[Res<'_>], fallback_region: Option<&str>) -> Plan {
    let mut planner = Planner::new(all, fallback_region);
    let live = |r: &&Res<'_>| r.raw["delete"] != Json::Bool(true);
    let pending_deletes = all.iter().filter(|r| !live(r)).count();
    if pending_deletes > 0 {
        planner.plan.notes.push(format!(
            "the export holds {pending_deletes} resource(s) pending deletion, left out here; finish them with `pulumi up` (or drop them) and export again before running these commands"
        ));
    }
    for r in all.iter().filter(live).filter(|r| r.ty.starts_with("aws:ecr/")) {
        planner.take(r);
    }
    planner.adopt_repositories_of_policies();
    planner.finish(all)
}

/// What `plan_resources` gathers while it walks the export: the cloud
/// objects met (kind, region, key) and their entries in the export's order,
/// the state entries mapped, and what gets a note.
struct Planner<'a, 'r> {
    plan: Plan,
    by_urn: BTreeMap<&'a str, &'r Res<'a>>,
    fallback_region: Option<&'r str>,
    pending: Vec<Pending>,
    seen: BTreeSet<(&'static str, String, String)>,
    dropped: BTreeSet<&'a str>,
    repos_seen: BTreeSet<(String, String)>,
    /// Repository and lifecycle policies: (region, repository, urn).
    by_policy: Vec<(String, String, &'a str)>,
    unmapped: Vec<&'r Res<'a>>,
}

impl<'a, 'r> Planner<'a, 'r> {
    fn new(all: &'r [Res<'a>], fallback_region: Option<&'r str>) -> Self {
        Planner {
            plan: Plan::default(),
            by_urn: all.iter().map(|r| (r.urn, r)).collect(),
            fallback_region,
            pending: Vec::new(),
            seen: BTreeSet::new(),
            dropped: BTreeSet::new(),
            repos_seen: BTreeSet::new(),
            by_policy: Vec::new(),
            unmapped: Vec::new(),
        }
    }

    /// The region of a resource: its own (pulumi-aws 7's `region`), its
    /// provider's, its ARN's, or the one given on the command line.
    fn region_of(&self, r: &Res<'_>) -> Option<String> {
        r.string("region")
            .value()
            .or_else(|| self.by_urn.get(r.provider_urn()?)?.string("region").value())
            .or_else(|| arn_place(&r.string("arn").value()?).map(|(_, region)| region))
            .or_else(|| self.fallback_region.map(str::to_string))
    }

    fn account_of(r: &Res<'_>) -> Option<String> {
        r.string("registryId").value().or_else(|| arn_place(&r.string("arn").value()?).map(|(account, _)| account))
    }

    /// One import entry for the cloud object (kind, region, key), unless
    /// an earlier resource of the export brought it already.
    fn add(&mut self, kind: &'static str, key: String, token: &str, id: String, region: String, wanted: &str) {
        self.plan.regions.insert(region.clone());
        if self.seen.insert((kind, region, key)) {
            self.pending.push(Pending {
                entry: ImportEntry { type_token: token.into(), name: String::new(), id },
                wanted: wanted.to_string(),
            });
        }
    }

    fn missing(&mut self, r: &Res<'_>, what: &str, how: &str) {
        self.plan.notes.push(format!(
            "{} ({}) is left in the stack: the export holds no {what} for it; {how}",
            r.name(),
            r.ty
        ));
    }

    /// One live aws:ecr resource of the export: mapped (its state entry
    /// then dropped), or a note saying why not.
    fn take(&mut self, r: &'r Res<'a>) {
        if r.raw["external"] == Json::Bool(true) {
            // Read with `.get(...)`, not managed: nothing to import.
            self.plan.notes.push(format!(
                "{} ({}) is read, not managed, by this stack (`.get`); its state entry is dropped with the others; read it with awsecr's getRepository (or the Repository's outputs) instead",
                r.name(),
                r.ty
            ));
            self.dropped.insert(r.urn);
            return;
        }
        let mapped = match r.ty {
            REPOSITORY | REPOSITORY_POLICY | LIFECYCLE_POLICY => self.repository_or_policy(r),
            SCANNING | REPLICATION => self.registry(r),
            PULL_THROUGH | TEMPLATE => self.rule_or_template(r),
            _ => {
                self.unmapped.push(r);
                false
            }
        };
        if mapped {
            self.dropped.insert(r.urn);
        }
    }

    fn repository_or_policy(&mut self, r: &Res<'a>) -> bool {
        let key = if r.ty == REPOSITORY { "name" } else { "repository" };
        let name = match r.string(key) {
            Prop::Value(v) => Some(v),
            Prop::Secret => None,
            Prop::Missing => r.id().map(str::to_string),
        };
        let (Some(name), Some(region)) = (name, self.region_of(r)) else {
            self.missing(
                r,
                "repository name and region (or they are secret)",
                "export with `--show-secrets`, or give the region with --region",
            );
            return false;
        };
        if r.ty != REPOSITORY {
            self.by_policy.push((region, name, r.urn));
            return true;
        }
        self.repos_seen.insert((region.clone(), name.clone()));
        if r.raw["inputs"]["forceDelete"] == Json::Bool(true) {
            self.plan.notes.push(format!(
                "{} had forceDelete: true; the imported Repository has forceDelete: false (images are kept on delete); set it in the program if you want the old behaviour",
                r.name()
            ));
        }
        self.add("repository", name.clone(), "awsecr:index:Repository", name, region, r.name());
        true
    }

    fn registry(&mut self, r: &Res<'_>) -> bool {
        let (Some(account), Some(region)) = (Self::account_of(r), self.region_of(r)) else {
            self.missing(
                r,
                "registry id and region",
                "give the region with --region, or import the Registry by hand: `pulumi import awsecr:index:Registry registry <registryId>/<region>`",
            );
            return false;
        };
        let id = format!("{account}/{region}");
        self.add("registry", account, "awsecr:index:Registry", id, region, r.name());
        true
    }

    fn rule_or_template(&mut self, r: &Res<'_>) -> bool {
        let (kind, key, token) = if r.ty == PULL_THROUGH {
            ("rule", "ecrRepositoryPrefix", "awsecr:index:PullThroughCacheRule")
        } else {
            ("template", "prefix", "awsecr:index:RepositoryTemplate")
        };
        let prefix = r.string(key).value().or_else(|| r.id().map(str::to_string));
        let (Some(prefix), Some(region)) = (prefix, self.region_of(r)) else {
            self.missing(r, "prefix and region", "give the region with --region");
            return false;
        };
        self.add(kind, prefix.clone(), token, prefix, region, r.name());
        true
    }

    /// A policy whose repository the stack does not manage brings the
    /// repository itself under this stack: said, since that is new.
    fn adopt_repositories_of_policies(&mut self) {
        for (region, name, urn) in std::mem::take(&mut self.by_policy) {
            if !self.repos_seen.contains(&(region.clone(), name.clone())) {
                self.plan.notes.push(format!(
                    "repository \"{name}\" is not managed by this stack, only its policy ({}); the import file adopts the whole repository as an awsecr Repository (remove its entry if another stack manages the repository)",
                    urn.rsplit("::").next().unwrap_or(urn)
                ));
                self.repos_seen.insert((region.clone(), name.clone()));
            }
            if self.seen.insert(("repository", region.clone(), name.clone())) {
                self.plan.regions.insert(region);
                self.pending.push(Pending {
                    entry: ImportEntry {
                        type_token: "awsecr:index:Repository".into(),
                        name: String::new(),
                        id: name.clone(),
                    },
                    wanted: name,
                });
            }
        }
    }

    /// The plan: notes for what was not mapped, the entries named, the
    /// state deletes and the closing notes.
    fn finish(mut self, all: &[Res<'_>]) -> Plan {
        for r in &self.unmapped {
            self.plan.notes.push(unmapped_note(r));
        }
        let mut taken = BTreeSet::new();
        for p in self.pending {
            let mut entry = p.entry;
            entry.name = unique_name(&p.wanted, &mut taken);
            self.plan.entries.push(entry);
        }
        plan_deletes(&mut self.plan, all, &self.dropped);
        closing_notes(&mut self.plan);
        self.plan
    }
}

/// The `pulumi state delete` commands (`dropped`: the entries mapped),
/// dependents first, each aws provider no staying resource uses after them,
/// and the notes on what stays.
fn plan_deletes(plan: &mut Plan, all: &[Res<'_>], dropped: &BTreeSet<&str>) {
    let live = |r: &&Res<'_>| r.raw["delete"] != Json::Bool(true);
    // Resources of the stack that stay, and what they still need.
    let staying: Vec<&Res<'_>> = all.iter().filter(live).filter(|r| !dropped.contains(r.urn)).collect();
    for r in &staying {
        for needed in r.needs().intersection(dropped) {
            plan.notes.push(format!(
                "{} ({}) depends on {}: `pulumi state delete` refuses to drop it while it does; make {} use the awsecr resource's outputs and run `pulumi up` first",
                r.name(),
                r.ty,
                needed.rsplit("::").next().unwrap_or(needed),
                r.name()
            ));
        }
    }
    // Dependents before what they depend on: the export lists every resource
    // after its parent, dependencies and provider.
    plan.deletes = all.iter().rev().filter(|r| dropped.contains(r.urn)).map(|r| r.urn.to_string()).collect();
    for r in all.iter().filter(|r| dropped.contains(r.urn) && r.raw["protect"] == Json::Bool(true)) {
        plan.protected.insert(r.urn.to_string());
        plan.notes.push(format!(
            "{} is protected: its command has --force, which drops only the state entry (ECR keeps the repository, rule or setting; the import protects the new resource)",
            r.name()
        ));
    }
    let providers: BTreeSet<&str> =
        all.iter().filter(|r| dropped.contains(r.urn)).filter_map(Res::provider_urn).collect();
    for provider in all.iter().rev().filter(|r| providers.contains(r.urn) && r.ty == AWS_PROVIDER) {
        let users: Vec<&str> = staying
            .iter()
            .filter(|r| r.urn != provider.urn && r.needs().contains(provider.urn))
            .map(|r| r.name())
            .collect();
        if users.is_empty() {
            plan.deletes.push(provider.urn.to_string());
            if !provider.name().starts_with("default") {
                plan.notes.push(format!(
                    "the aws provider {} is dropped too (nothing else in the stack uses it); remove its declaration from the program",
                    provider.name()
                ));
            }
        } else {
            plan.notes.push(format!(
                "the aws provider {} stays: {} other resource(s) of the stack use it ({})",
                provider.name(),
                users.len(),
                users.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
}

/// The notes on the plan as a whole: nothing mapped, several regions.
fn closing_notes(plan: &mut Plan) {
    if plan.entries.is_empty() {
        plan.notes.push("the stack manages none of the pulumi-aws ECR resources this command maps (aws:ecr/repository, repositoryPolicy, lifecyclePolicy, registryScanningConfiguration, replicationConfiguration, pullThroughCacheRule, repositoryCreationTemplate)".into());
    }
    if plan.regions.len() > 1 {
        plan.notes.push(format!(
            "the entries are in {} regions ({}): `pulumi import --file` imports every entry with the stack's awsecr provider, so split the file by region and import each part with a provider of that region (an entry's \"provider\" field)",
            plan.regions.len(),
            plan.regions.iter().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
}

/// What to do with an aws:ecr resource no awsecr type is mapped from.
fn unmapped_note(r: &Res<'_>) -> String {
    let what = match r.ty {
        "aws:ecr/registryPolicy:RegistryPolicy" => {
            "awsecr's Registry owns registry policy statements one by one (Sid prefix Awsecr) and keeps the others; leave it to pulumi-aws, or move its statements into a Registry's policyStatements and then drop it with `pulumi state delete`"
        }
        "aws:ecr/accountSetting:AccountSetting" => {
            "awsecr:index:AccountSetting holds one setting; to move it, drop it with `pulumi state delete` and run `pulumi import awsecr:index:AccountSetting <name> <SETTING_NAME>`, or leave it to pulumi-aws"
        }
        "aws:ecr/pullTimeUpdateExclusion:PullTimeUpdateExclusion" => {
            "awsecr:index:PullTimeUpdateExclusion holds one principal; to move it, drop it with `pulumi state delete` and run `pulumi import awsecr:index:PullTimeUpdateExclusion <name> <principal ARN>`, or leave it to pulumi-aws"
        }
        _ => "no awsecr type holds it; leave it to pulumi-aws",
    };
    format!("{} ({}) is left in the stack: {what}", r.name(), r.ty)
}

/// A `pulumi state delete` command per URN to drop, each quoted for a POSIX
/// shell; a protected one with `--force` (state only: the cloud object stays).
pub fn delete_commands(plan: &Plan) -> String {
    let command = |u: &String| {
        let force = if plan.protected.contains(u) { " --force" } else { "" };
        format!("pulumi state delete --yes{force} '{}'\n", u.replace('\'', r"'\''"))
    };
    plan.deletes.iter().map(command).collect()
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "pulumi-resource-awsecr inventory --from-stack: {problem}\nusage: pulumi-resource-awsecr inventory --from-stack EXPORT.json --out IMPORT.json [--region REGION]"
    );
    ExitCode::from(2)
}

/// The flags of `inventory --from-stack` (FILE, IMPORT, REGION), read as
/// the rest of `inventory` reads them: `--flag value` or `--flag=value`.
/// `Ok(None)` asks for the help text.
#[derive(Debug, Default, PartialEq)]
pub struct Flags {
    pub from: Option<String>,
    pub out: Option<String>,
    pub region: Option<String>,
}

pub fn parse_flags(args: &[String]) -> Result<Option<Flags>, String> {
    let mut flags = Flags::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let slot = match flag {
            "-h" | "--help" => return Ok(None),
            "--from-stack" => &mut flags.from,
            "--out" => &mut flags.out,
            "--region" => &mut flags.region,
            _ => return Err(format!("unknown argument \"{a}\"")),
        };
        match inline.or_else(|| it.next().filter(|v| !v.starts_with("--")).cloned()) {
            Some(v) if !v.is_empty() => *slot = Some(v),
            _ => return Err(format!("{flag} needs a value")),
        }
    }
    Ok(Some(flags))
}

/// Entry point for `inventory ... --from-stack FILE ...`.
pub async fn main(args: &[String]) -> ExitCode {
    let Flags { from, out, region } = match parse_flags(args) {
        Ok(Some(flags)) => flags,
        Ok(None) => {
            print!("{}", super::HELP);
            return ExitCode::SUCCESS;
        }
        Err(problem) => return usage(&problem),
    };
    let Some(from) = from else { return usage("--from-stack needs a file") };
    let Some(out) = out else { return usage("--out IMPORT.json is required: where to write the import file") };
    let text = match std::fs::read_to_string(&from) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {from}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let export: Json = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            eprintln!(
                "{from} is not a Pulumi stack export: it is not JSON ({e}); write one with `pulumi stack export --file stack.json`"
            );
            return ExitCode::FAILURE;
        }
    };
    let plan = match plan(&export, region.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{from}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let file = serde_json::to_string_pretty(&import_file(&plan.entries)).unwrap_or_default() + "\n";
    if let Err(e) = std::fs::write(&out, file) {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    print!("{}", delete_commands(&plan));
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    let region = match plan.regions.iter().next() {
        Some(r) if plan.regions.len() == 1 => format!(" (with awsecr:region set to {r})"),
        _ => String::new(),
    };
    let n = plan.entries.len();
    eprintln!(
        "wrote {n} import {} to {out}; the {} `pulumi state delete` commands on stdout drop the old entries from the state without touching ECR: run them, then `pulumi import --file {out}`{region}",
        if n == 1 { "entry" } else { "entries" },
        plan.deletes.len()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_take_a_value_after_them_or_after_an_equals_sign_and_help_asks_for_the_text() {
        let spaced = parse_flags(&words("--from-stack a.json --out b.json --region eu-west-1")).unwrap().unwrap();
        let inline = parse_flags(&words("--from-stack=a.json --out=b.json --region=eu-west-1")).unwrap().unwrap();
        assert_eq!(spaced, inline);
        assert_eq!(
            spaced,
            Flags { from: Some("a.json".into()), out: Some("b.json".into()), region: Some("eu-west-1".into()) }
        );
        assert_eq!(parse_flags(&words("--from-stack a.json --help")), Ok(None));
        assert_eq!(parse_flags(&words("--from-stack a.json -h")), Ok(None));
        assert_eq!(parse_flags(&words("--from-stack a.json --out")), Err("--out needs a value".to_string()));
        assert_eq!(parse_flags(&words("--from-stack --out b.json")), Err("--from-stack needs a value".to_string()));
        assert_eq!(parse_flags(&words("--from-stack= --out b.json")), Err("--from-stack needs a value".to_string()));
        assert_eq!(
            parse_flags(&words("--from-stack a.json --prefix x")),
            Err("unknown argument \"--prefix\"".to_string())
        );
    }

    use serde_json::json;

    use super::*;

    const P: &str = "urn:pulumi:dev::legacy::";

    fn urn(ty: &str, name: &str) -> String {
        format!("{P}{ty}::{name}")
    }

    fn provider(name: &str, region: Option<&str>) -> Json {
        let inputs = match region {
            Some(r) => json!({"region": r, "version": "7.10.0"}),
            None => json!({"version": "7.10.0"}),
        };
        json!({"urn": urn(AWS_PROVIDER, name), "custom": true, "id": "0b3c6f0e", "type": AWS_PROVIDER, "inputs": inputs, "outputs": inputs})
    }

    fn res(ty: &str, name: &str, id: &str, outputs: Json, deps: &[String]) -> Json {
        json!({"urn": urn(ty, name), "custom": true, "id": id, "type": ty, "inputs": outputs.clone(),
               "outputs": outputs, "provider": format!("{}::0b3c6f0e", urn(AWS_PROVIDER, "default_7_10_0")),
               "dependencies": deps})
    }

    fn export(resources: Vec<Json>) -> Json {
        json!({"version": 3, "deployment": {"manifest": {}, "resources": resources}})
    }

    fn stack() -> Json {
        json!({"urn": urn("pulumi:pulumi:Stack", "legacy-dev"), "custom": false, "type": "pulumi:pulumi:Stack"})
    }

    fn whole_registry() -> Vec<Json> {
        let repo = urn(REPOSITORY, "api");
        vec![
            stack(),
            provider("default_7_10_0", Some("eu-west-1")),
            res(
                REPOSITORY,
                "api",
                "team/api",
                json!({"name": "team/api", "arn": "arn:aws:ecr:eu-west-1:123456789012:repository/team/api", "registryId": "123456789012"}),
                &[],
            ),
            res(
                REPOSITORY_POLICY,
                "apiPolicy",
                "team/api",
                json!({"repository": "team/api", "policy": "{}"}),
                std::slice::from_ref(&repo),
            ),
            res(LIFECYCLE_POLICY, "apiExpiry", "team/api", json!({"repository": "team/api", "policy": "{}"}), &[repo]),
            res(REPOSITORY, "api2", "team_api", json!({"name": "team_api"}), &[]),
            res(SCANNING, "scanning", "123456789012", json!({"registryId": "123456789012", "scanType": "BASIC"}), &[]),
            res(REPLICATION, "replication", "123456789012", json!({"registryId": "123456789012"}), &[]),
            res(
                PULL_THROUGH,
                "hub",
                "docker-hub",
                json!({"ecrRepositoryPrefix": "docker-hub", "registryId": "123456789012"}),
                &[],
            ),
            res(TEMPLATE, "root", "ROOT", json!({"prefix": "ROOT", "registryId": "123456789012"}), &[]),
        ]
    }

    fn entry(ty: &str, name: &str, id: &str) -> ImportEntry {
        ImportEntry { type_token: ty.into(), name: name.into(), id: id.into() }
    }

    #[test]
    fn every_mapped_type_becomes_one_awsecr_entry_per_cloud_object() {
        let plan = plan(&export(whole_registry()), None).unwrap();
        assert_eq!(
            plan.entries,
            vec![
                entry("awsecr:index:Repository", "api", "team/api"),
                entry("awsecr:index:Repository", "api2", "team_api"),
                entry("awsecr:index:Registry", "scanning", "123456789012/eu-west-1"),
                entry("awsecr:index:PullThroughCacheRule", "hub", "docker-hub"),
                entry("awsecr:index:RepositoryTemplate", "root", "ROOT"),
            ]
        );
        assert_eq!(plan.regions, BTreeSet::from(["eu-west-1".to_string()]));
        assert_eq!(plan.notes, Vec::<String>::new());
    }

    #[test]
    fn deletions_run_dependents_first_and_the_unused_provider_last() {
        let plan = plan(&export(whole_registry()), None).unwrap();
        let names: Vec<&str> = plan.deletes.iter().map(|u| u.rsplit("::").next().unwrap()).collect();
        assert_eq!(
            names,
            ["root", "hub", "replication", "scanning", "api2", "apiExpiry", "apiPolicy", "api", "default_7_10_0"]
        );
        let commands = delete_commands(&plan);
        assert!(commands.starts_with(&format!("pulumi state delete --yes '{P}{TEMPLATE}::root'\n")), "{commands}");
        assert!(!plan.deletes.iter().any(|u| u.contains("pulumi:pulumi:Stack")));
    }

    #[test]
    fn a_protected_entry_is_dropped_with_force_and_said_so() {
        let mut resources = whole_registry();
        resources[2]["protect"] = json!(true);
        let p = plan(&export(resources), None).unwrap();
        let commands = delete_commands(&p);
        let forced: Vec<&str> = commands.lines().filter(|l| l.contains("--force")).collect();
        assert_eq!(forced, [format!("pulumi state delete --yes --force '{P}{REPOSITORY}::api'")]);
        assert!(p.notes.iter().any(|n| n.starts_with("api is protected")), "{:?}", p.notes);
    }

    #[test]
    fn a_provider_other_resources_use_stays_and_is_named() {
        let mut resources = whole_registry();
        resources.push(res("aws:s3/bucket:Bucket", "logs", "logs", json!({}), &[]));
        let plan = plan(&export(resources), None).unwrap();
        assert!(!plan.deletes.iter().any(|u| u.contains(AWS_PROVIDER)), "{:?}", plan.deletes);
        assert!(
            plan.notes.iter().any(|n| n.contains("default_7_10_0 stays") && n.contains("logs")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn an_outside_dependent_is_named_with_what_to_do() {
        let mut resources = whole_registry();
        resources.push(res("aws:lambda/function:Function", "fn", "fn", json!({}), &[urn(REPOSITORY, "api")]));
        let plan = plan(&export(resources), None).unwrap();
        assert!(
            plan.notes.iter().any(|n| n.starts_with("fn (aws:lambda/function:Function) depends on api")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn the_region_comes_from_the_resource_then_the_provider_then_the_arn_then_the_flag() {
        // pulumi-aws 7's own `region` wins over the provider's.
        let mut resources = vec![stack(), provider("default_7_10_0", Some("eu-west-1"))];
        resources.push(res(SCANNING, "s", "1", json!({"registryId": "123456789012", "region": "us-west-2"}), &[]));
        assert_eq!(plan(&export(resources), None).unwrap().entries[0].id, "123456789012/us-west-2");
        // No region anywhere but the ARN.
        let resources = vec![
            provider("default_7_10_0", None),
            res(
                REPOSITORY,
                "r",
                "r",
                json!({"name": "r", "arn": "arn:aws:ecr:ap-south-1:123456789012:repository/r"}),
                &[],
            ),
        ];
        assert_eq!(plan(&export(resources), None).unwrap().regions, BTreeSet::from(["ap-south-1".to_string()]));
        // Nowhere: the flag, or a note naming it.
        let resources =
            vec![provider("default_7_10_0", None), res(SCANNING, "s", "1", json!({"registryId": "123456789012"}), &[])];
        assert_eq!(
            plan(&export(resources.clone()), Some("eu-north-1")).unwrap().entries[0].id,
            "123456789012/eu-north-1"
        );
        let p = plan(&export(resources), None).unwrap();
        assert!(p.entries.is_empty() && p.deletes.is_empty(), "{p:?}");
        assert!(p.notes[0].contains("--region"), "{:?}", p.notes);
    }

    #[test]
    fn a_policy_without_its_repository_adopts_the_repository_with_a_note() {
        let resources = vec![
            provider("default_7_10_0", Some("eu-west-1")),
            res(LIFECYCLE_POLICY, "expiry", "shared/web", json!({"repository": "shared/web"}), &[]),
        ];
        let p = plan(&export(resources), None).unwrap();
        assert_eq!(p.entries, vec![entry("awsecr:index:Repository", "shared-web", "shared/web")]);
        assert!(p.notes[0].contains("not managed by this stack"), "{:?}", p.notes);
    }

    #[test]
    fn other_ecr_types_are_left_with_a_note_and_keep_the_provider() {
        let mut resources = whole_registry();
        resources.push(res("aws:ecr/registryPolicy:RegistryPolicy", "rp", "123456789012", json!({}), &[]));
        resources.push(res(
            "aws:ecr/accountSetting:AccountSetting",
            "basic",
            "BASIC_SCAN_TYPE_VERSION",
            json!({}),
            &[],
        ));
        let p = plan(&export(resources), None).unwrap();
        assert!(
            p.notes.iter().any(|n| n.starts_with("rp (aws:ecr/registryPolicy:RegistryPolicy) is left")
                && n.contains("policyStatements"))
        );
        assert!(p.notes.iter().any(|n| n.contains("awsecr:index:AccountSetting")));
        assert!(!p.deletes.iter().any(|u| u.ends_with("::rp") || u.contains(AWS_PROVIDER)));
        assert_eq!(p.entries.len(), 5);
    }

    #[test]
    fn secrets_are_read_when_shown_and_named_when_not() {
        let shown = json!({SIG: SECRET_SIG, "plaintext": "\"team/secret\""});
        let hidden = json!({SIG: SECRET_SIG, "ciphertext": "v1:abc"});
        let resources = vec![
            provider("default_7_10_0", Some("eu-west-1")),
            res(REPOSITORY, "shown", "team/secret", json!({"name": shown}), &[]),
            res(REPOSITORY, "hidden", "x", json!({"name": hidden}), &[]),
        ];
        let p = plan(&export(resources), None).unwrap();
        assert_eq!(p.entries, vec![entry("awsecr:index:Repository", "shown", "team/secret")]);
        assert!(p.notes.iter().any(|n| n.starts_with("hidden") && n.contains("--show-secrets")), "{:?}", p.notes);
        assert!(!p.notes.iter().any(|n| n.contains("v1:abc")));
    }

    #[test]
    fn clashing_logical_names_are_made_unique() {
        let resources = vec![
            provider("default_7_10_0", Some("eu-west-1")),
            res(REPOSITORY, "web", "a", json!({"name": "a"}), &[]),
            res(PULL_THROUGH, "web", "b", json!({"ecrRepositoryPrefix": "b"}), &[]),
        ];
        let names: Vec<String> = plan(&export(resources), None).unwrap().entries.into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["web", "web-2"]);
    }

    #[test]
    fn pending_deletions_and_reads_are_not_imported() {
        let mut deleted = res(REPOSITORY, "old", "old", json!({"name": "old"}), &[]);
        deleted["delete"] = json!(true);
        let mut read = res(REPOSITORY, "seen", "seen", json!({"name": "seen"}), &[]);
        read["external"] = json!(true);
        let p = plan(&export(vec![provider("default_7_10_0", Some("eu-west-1")), deleted, read]), None).unwrap();
        assert!(p.entries.is_empty());
        assert_eq!(p.deletes.len(), 2, "{:?}", p.deletes); // the read one and the provider
        assert!(p.notes[0].contains("1 resource(s) pending deletion"), "{:?}", p.notes);
        assert!(p.notes[1].contains("getRepository"), "{:?}", p.notes);
    }

    #[test]
    fn what_is_not_a_stack_export_is_refused_in_one_sentence() {
        for (file, says) in [
            (json!({"resources": []}), "not a Pulumi stack export"),
            (json!({"deployment": {}}), "no deployment format \"version\""),
            (json!({"version": 9, "deployment": {}}), "version 9"),
            (json!({"version": 3, "deployment": {"resources": {}}}), "not a list"),
            (json!({"version": 3, "deployment": {"resources": [{"id": "x"}]}}), "resource 0"),
        ] {
            let e = plan(&file, None).unwrap_err();
            assert!(e.contains(says), "{e}");
            assert_eq!(e.matches(". ").count(), 0, "one sentence: {e}");
        }
        let empty = plan(&json!({"version": 3, "deployment": {"manifest": {}}}), None).unwrap();
        assert!(empty.entries.is_empty() && empty.deletes.is_empty());
        assert!(empty.notes[0].contains("manages none"), "{:?}", empty.notes);
    }
}
