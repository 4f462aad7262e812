//! `pulumi-resource-awsecr inventory`: what an account and region already
//! hold, written as Pulumi's bulk import file (`pulumi import --file`), with
//! a report of how each repository differs from the production defaults; or,
//! with `--from-stack`, the same for the ECR objects a pulumi-aws stack
//! manages. Never writes to ECR.
//!
//! The flags, the import entries and their names live here; the reads in
//! `list`, the baseline rules in `report`, the pulumi-aws migration in
//! `from_stack`.

pub mod from_stack;
pub mod list;
pub mod report;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::ProviderConfig;
use crate::names::config;
use crate::property::{Map, Value};
use list::{Inventory, Listing};
use report::Wanted;

/// One entry of the import file: a resource of this package to adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    /// The type token, e.g. `awsecr:index:Repository`.
    pub type_token: String,
    /// The logical name the generated program will use.
    pub name: String,
    /// The import id the resource's Read takes.
    pub id: String,
}

/// Pulumi's bulk import file for these entries
/// (`{"resources": [{"type", "name", "id"}]}`).
pub fn import_file(entries: &[ImportEntry]) -> serde_json::Value {
    let resources: Vec<serde_json::Value> =
        entries.iter().map(|e| serde_json::json!({"type": e.type_token, "name": e.name, "id": e.id})).collect();
    serde_json::json!({ "resources": resources })
}

/// A logical name from `wanted` that is not in `taken` (then taken): letters,
/// digits, `-` and `_` kept, anything else `-`; `-2`, `-3`, ... on a clash.
pub fn unique_name(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String =
        wanted.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if base.is_empty() {
        base.push_str("resource");
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// How the subcommand is used (`--help`).
pub const HELP: &str = "\
pulumi-resource-awsecr inventory: what an ECR account and region hold, as Pulumi's
bulk import file, with how each repository differs from the production defaults.
Reads only (Describe, Get and List calls): it never writes to ECR.

Usage:
  pulumi-resource-awsecr inventory [--out FILE] [--report FILE] [options]
  pulumi-resource-awsecr inventory --from-stack EXPORT.json --out IMPORT.json [--region R]
      (a pulumi-aws stack's ECR resources; docs/migrate-from-pulumi-aws.md)

What it lists: every repository (under --prefix when given), the Registry's
groups that hold a configuration (scanning, replication, signing, registry
policy statements whose Sid starts with Awsecr), pull-through cache rules and
repository creation templates. Then `pulumi import --file FILE` adopts them.

Output:
  --out FILE             write the import file (awsecr types, readable unique names)
  --report FILE          write the baseline report as JSON (it is printed either way)
  --prefix P             only repositories whose name starts with P
  --want-kms             report repositories encrypted with AES256
  --older-than-days N    report images pushed more than N days ago (1-3650) in
                         repositories whose lifecycle policy expires nothing
  --no-report            write the import file and the summary only: no baseline
                         report, so no per-repository reads (GetLifecyclePolicy,
                         GetRepositoryPolicy, DescribeImages), only the listing's
                         pages; not with --report, --want-kms or --older-than-days
  --page-size N          repositories per DescribeRepositories page (1-1000,
                         default 1000, ECR's largest)

AWS settings (the provider's own keys, checked and defaulted the same way;
unset ones come from the environment as in the provider: AWS_REGION,
AWS_PROFILE, AWS_ENDPOINT_URL_ECR, the SDK's credential chain):
  --region R                  awsecr:region
  --profile P                 awsecr:profile
  --endpoint URL              awsecr:endpoint
  --assume-role ARN           awsecr:assumeRole.roleArn
  --session-name S            awsecr:assumeRole.sessionName
  --external-id X             awsecr:assumeRole.externalId
  --max-retries N             awsecr:maxRetries
  --skip-region-validation    awsecr:skipRegionValidation
  -h, --help                  this text
";

/// The flags that take a value, and the configuration key each one sets
/// (`None`: a flag of the inventory itself).
const VALUE_FLAGS: &[(&str, Option<&str>)] = &[
    ("--region", Some(config::REGION)),
    ("--profile", Some(config::PROFILE)),
    ("--endpoint", Some(config::ENDPOINT)),
    ("--assume-role", Some("assumeRole.roleArn")),
    ("--session-name", Some("assumeRole.sessionName")),
    ("--external-id", Some("assumeRole.externalId")),
    ("--max-retries", Some(config::MAX_RETRIES)),
    ("--out", None),
    ("--report", None),
    ("--prefix", None),
    ("--older-than-days", None),
    ("--page-size", None),
];

/// What the command line asked for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// The provider configuration the flags spell (keys as in `Pulumi.yaml`).
    pub config: Map,
    pub out: Option<PathBuf>,
    pub report: Option<PathBuf>,
    pub prefix: Option<String>,
    pub wanted: Wanted,
    /// `--no-report`: the import file and the summary only.
    pub no_report: bool,
    /// `--page-size`: DescribeRepositories' `maxResults` (1-1000).
    pub page_size: i32,
    pub help: bool,
}

/// ECR's largest DescribeRepositories page, the default `--page-size`.
pub const DEFAULT_PAGE_SIZE: i32 = 1000;

/// Reads the words after `inventory`. A mistake is one sentence naming the
/// flag and what it takes.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options { page_size: DEFAULT_PAGE_SIZE, ..Options::default() };
    let mut assume_role = Map::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        match flag {
            "-h" | "--help" => o.help = true,
            "--want-kms" => o.wanted.kms = true,
            "--no-report" => o.no_report = true,
            "--skip-region-validation" => {
                o.config.insert(
                    config::SKIP_REGION_VALIDATION.into(),
                    Value::String(inline.unwrap_or_else(|| "true".into())),
                );
            }
            _ => {
                let Some((_, key)) = VALUE_FLAGS.iter().find(|(f, _)| *f == flag) else {
                    return Err(format!("unknown argument \"{arg}\"; see `pulumi-resource-awsecr inventory --help`"));
                };
                let value = match inline.or_else(|| it.next().cloned()) {
                    Some(v) => v,
                    None => return Err(format!("{flag} needs a value; see `pulumi-resource-awsecr inventory --help`")),
                };
                set_value(&mut o, &mut assume_role, flag, *key, value)?;
            }
        }
    }
    if !assume_role.is_empty() {
        o.config.insert(config::ASSUME_ROLE.into(), Value::Object(assume_role));
    }
    if o.no_report {
        let clash = [
            (o.report.is_some(), "--report"),
            (o.wanted.kms, "--want-kms"),
            (o.wanted.older_than_days.is_some(), "--older-than-days"),
        ];
        if let Some((_, flag)) = clash.iter().find(|(given, _)| *given) {
            return Err(format!(
                "--no-report leaves the baseline report out, so it cannot be given with {flag}, which is about the report: drop one of them"
            ));
        }
    }
    Ok(o)
}

/// Sets what value flag `flag` (configuration key `key`, if it sets one)
/// says, or says what the flag takes.
fn set_value(
    o: &mut Options,
    assume_role: &mut Map,
    flag: &str,
    key: Option<&str>,
    value: String,
) -> Result<(), String> {
    match (flag, key) {
        (_, Some(key)) => match key.strip_prefix("assumeRole.") {
            Some(field) => {
                assume_role.insert(field.into(), Value::String(value));
            }
            None => {
                o.config.insert(key.into(), Value::String(value));
            }
        },
        ("--out", None) => o.out = Some(PathBuf::from(value)),
        ("--report", None) => o.report = Some(PathBuf::from(value)),
        ("--prefix", None) => {
            if value.is_empty()
                || !value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b))
            {
                return Err(format!(
                    "--prefix: must be the start of a repository name: lowercase letters, digits and . _ - /, got \"{value}\""
                ));
            }
            o.prefix = Some(value);
        }
        ("--page-size", None) => match value.parse::<i32>() {
            Ok(n) if (1..=DEFAULT_PAGE_SIZE).contains(&n) => o.page_size = n,
            _ => {
                return Err(format!(
                    "--page-size: must be a whole number of repositories between 1 and 1000, got \"{value}\""
                ));
            }
        },
        _ => match value.parse::<u32>() {
            Ok(n) if (1..=3650).contains(&n) => o.wanted.older_than_days = Some(n),
            _ => {
                return Err(format!(
                    "--older-than-days: must be a whole number of days between 1 and 3650, got \"{value}\""
                ));
            }
        },
    }
    Ok(())
}

/// The flag that sets a configuration key, for messages about it.
fn flag_of(property: &str) -> String {
    VALUE_FLAGS
        .iter()
        .find(|(_, k)| *k == Some(property))
        .map(|(f, _)| f.to_string())
        .or_else(|| (property == config::SKIP_REGION_VALIDATION).then(|| "--skip-region-validation".to_string()))
        .or_else(|| (property == config::ASSUME_ROLE).then(|| "--assume-role".to_string()))
        .unwrap_or_else(|| property.to_string())
}

/// The provider configuration the flags spell, checked by the provider's
/// own rules; a refusal names the flag.
pub fn provider_config(options: &Options) -> Result<ProviderConfig, String> {
    ProviderConfig::parse(&options.config).map_err(|failures| {
        failures
            .iter()
            .map(|f| {
                let reason = f.reason.replace("skipRegionValidation: true", "--skip-region-validation");
                format!("{}: {reason}", flag_of(&f.property))
            })
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// A sentence of the provider's (which names its settings) in the words of
/// this command: the flags that set them.
pub fn in_flags(sentence: &str) -> String {
    sentence
        .replace("`pulumi config set awsecr:region <region>`", "--region")
        .replace(
            "`pulumi config set --secret awsecr:accessKey ...`",
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment",
        )
        .replace("awsecr:region", "--region")
        .replace("awsecr:endpoint", "--endpoint")
        .replace("awsecr:profile", "--profile")
        .replace("awsecr:assumeRole", "--assume-role")
        .replace("awsecr:maxRetries", "--max-retries")
        .replace("awsecr:accessKey/secretKey/token", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN")
        .replace("awsecr:accessKey/secretKey", "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
}

/// The import file's entries for what an inventory found: the Registry
/// (when a group of it is in use), then the repositories, the pull-through
/// cache rules and the templates, each under a readable unique name and the
/// id its resource's Read takes.
pub fn entries(inv: &Inventory) -> Vec<ImportEntry> {
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    let mut add = |type_token: &str, wanted: &str, id: String, taken: &mut BTreeSet<String>| {
        out.push(ImportEntry { type_token: type_token.into(), name: unique_name(wanted, taken), id })
    };
    if !inv.registry.groups_in_use().is_empty() {
        add("awsecr:index:Registry", "registry", format!("{}/{}", inv.registry_id, inv.region), &mut taken);
    }
    for r in &inv.repositories {
        add("awsecr:index:Repository", &r.name, r.name.clone(), &mut taken);
    }
    for (prefix, _) in &inv.rules {
        add(
            "awsecr:index:PullThroughCacheRule",
            &format!("cache-{}", prefix.to_lowercase()),
            prefix.clone(),
            &mut taken,
        );
    }
    for prefix in &inv.templates {
        add(
            "awsecr:index:RepositoryTemplate",
            &format!("template-{}", prefix.to_lowercase()),
            prefix.clone(),
            &mut taken,
        );
    }
    out
}

/// What was found, in a few lines (stdout).
pub fn summary(inv: &Inventory) -> String {
    let mut s = format!("Account {}, region {}:\n", inv.registry_id, inv.region);
    let under = inv.prefix.as_deref().map(|p| format!(" under \"{p}\"")).unwrap_or_default();
    s.push_str(&format!("  {} repositories{under}\n", inv.repositories.len()));
    let groups = inv.registry.groups_in_use();
    if groups.is_empty() {
        s.push_str("  Registry: no group holds a configuration (nothing to import)\n");
    } else {
        s.push_str(&format!(
            "  Registry groups in use: {} (import id {}/{})\n",
            groups.join(", "),
            inv.registry_id,
            inv.region
        ));
    }
    if inv.registry.other_statements > 0 {
        s.push_str(&format!(
            "  the registry policy holds {} statement(s) of others (Sid not starting with Awsecr): left out, a Registry never owns them\n",
            inv.registry.other_statements
        ));
    }
    let rules: Vec<String> = inv.rules.iter().map(|(p, url)| format!("{p} ({url})")).collect();
    s.push_str(&format!("  {} pull-through cache rules{}\n", rules.len(), list_suffix(&rules)));
    s.push_str(&format!("  {} repository creation templates{}\n", inv.templates.len(), list_suffix(&inv.templates)));
    s
}

fn list_suffix(items: &[String]) -> String {
    if items.is_empty() { String::new() } else { format!(": {}", items.join(", ")) }
}

/// The subcommand's entry point: `args` are the words after `inventory`.
pub async fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--from-stack" || a.starts_with("--from-stack=")) {
        return from_stack::main(args).await;
    }
    let options = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("pulumi-resource-awsecr inventory: {e}");
            return ExitCode::from(2);
        }
    };
    if options.help {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let config = match provider_config(&options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pulumi-resource-awsecr inventory: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&options, &config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pulumi-resource-awsecr inventory: {}", in_flags(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options, config: &ProviderConfig) -> Result<(), String> {
    let (client, region) = config.ecr_client().await?;
    let listing = Listing {
        client: &client,
        config,
        region,
        prefix: options.prefix.clone(),
        older_than_days: options.wanted.older_than_days,
        progress: true,
        page_size: options.page_size,
        settings: !options.no_report,
    };
    let inv = list::inventory(&listing).await?;
    let mut out = summary(&inv);
    let entries = entries(&inv);
    if let Some(path) = &options.out {
        let text = serde_json::to_string_pretty(&import_file(&entries)).unwrap_or_default() + "\n";
        std::fs::write(path, text).map_err(|e| format!("cannot write the import file {}: {e}", path.display()))?;
        out.push_str(&format!(
            "Wrote {} with {} resources to import; adopt them with:\n  pulumi import --file {}\n",
            path.display(),
            entries.len(),
            path.display()
        ));
    } else {
        out.push_str(&format!("{} resources to import; give --out FILE to write the import file.\n", entries.len()));
    }
    if options.no_report {
        print!("{out}");
        return Ok(());
    }
    out.push('\n');
    out.push_str(&report::to_text(&inv, &options.wanted));
    if let Some(path) = &options.report {
        let text = serde_json::to_string_pretty(&report::to_json(&inv, &options.wanted)).unwrap_or_default() + "\n";
        std::fs::write(path, text).map_err(|e| format!("cannot write the report {}: {e}", path.display()))?;
        out.push_str(&format!("Wrote the report to {}.\n", path.display()));
    }
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique_and_readable() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_name("team/api", &mut taken), "team-api");
        assert_eq!(unique_name("team-api", &mut taken), "team-api-2");
        assert_eq!(unique_name("", &mut taken), "resource");
        let file = import_file(&[ImportEntry {
            type_token: "awsecr:index:Repository".into(),
            name: "a".into(),
            id: "a".into(),
        }]);
        assert_eq!(file["resources"][0]["type"], "awsecr:index:Repository");
    }
    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_become_the_providers_configuration_keys() {
        let o = parse_args(&args(&[
            "--region",
            "eu-west-1",
            "--profile=ops",
            "--endpoint",
            "http://127.0.0.1:5000",
            "--assume-role",
            "arn:aws:iam::123456789012:role/reader",
            "--session-name",
            "inv",
            "--max-retries",
            "3",
            "--skip-region-validation",
            "--want-kms",
            "--older-than-days",
            "90",
            "--prefix",
            "team/",
            "--out",
            "import.json",
        ]))
        .unwrap();
        let cfg = provider_config(&o).unwrap();
        assert_eq!(cfg.region.as_deref(), Some("eu-west-1"));
        assert_eq!(cfg.profile.as_deref(), Some("ops"));
        assert_eq!(cfg.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        let role = cfg.assume_role.unwrap();
        assert_eq!(
            (role.role_arn.as_str(), role.session_name.as_deref()),
            ("arn:aws:iam::123456789012:role/reader", Some("inv"))
        );
        assert_eq!(cfg.max_retries, Some(3));
        assert!(cfg.skip_region_validation);
        assert_eq!(o.wanted, Wanted { kms: true, older_than_days: Some(90) });
        assert_eq!((o.prefix.as_deref(), o.out.as_deref()), (Some("team/"), Some(std::path::Path::new("import.json"))));
    }

    #[test]
    fn the_providers_sentences_name_the_flags() {
        assert_eq!(
            in_flags("no AWS region is configured: set `pulumi config set awsecr:region <region>` or AWS_REGION"),
            "no AWS region is configured: set --region or AWS_REGION"
        );
        assert_eq!(
            in_flags("check the network, awsecr:region and awsecr:endpoint, then run again"),
            "check the network, --region and --endpoint, then run again"
        );
    }

    #[test]
    fn bad_flags_are_refused_naming_the_flag() {
        let refused = |v: &[&str]| match parse_args(&args(v)) {
            Err(e) => e,
            Ok(o) => provider_config(&o).unwrap_err(),
        };
        assert!(
            refused(&["--region", "us-west-9"]).starts_with("--region: must be an AWS region"),
            "{}",
            refused(&["--region", "us-west-9"])
        );
        assert!(refused(&["--endpoint", "http://example.com"]).starts_with("--endpoint: "));
        assert!(
            refused(&["--assume-role", "arn:aws:iam::1:user/x"]).starts_with("--assume-role: must be an IAM role ARN")
        );
        assert!(refused(&["--max-retries", "1000"]).starts_with("--max-retries: "));
        assert_eq!(
            refused(&["--older-than-days", "0"]),
            "--older-than-days: must be a whole number of days between 1 and 3650, got \"0\""
        );
        assert!(refused(&["--prefix", "Team"]).starts_with("--prefix: must be the start of a repository name"));
        assert!(refused(&["--out"]).starts_with("--out needs a value"));
        assert!(refused(&["--bogus"]).starts_with("unknown argument \"--bogus\""));
        for bad in ["0", "1001", "-5", "ten"] {
            assert_eq!(
                refused(&["--page-size", bad]),
                format!("--page-size: must be a whole number of repositories between 1 and 1000, got \"{bad}\"")
            );
        }
    }

    #[test]
    fn no_report_and_page_size_are_read_and_checked() {
        let o = parse_args(&args(&["--out", "i.json"])).unwrap();
        assert_eq!((o.no_report, o.page_size), (false, 1000), "the defaults: report on, ECR's largest page");
        let o = parse_args(&args(&["--no-report", "--page-size", "100", "--out", "i.json"])).unwrap();
        assert_eq!((o.no_report, o.page_size), (true, 100));
        assert_eq!(parse_args(&args(&["--page-size=1"])).unwrap().page_size, 1);
        assert_eq!(parse_args(&args(&["--page-size", "1000"])).unwrap().page_size, 1000);
        for (other, flag) in [
            (vec!["--report", "r.json"], "--report"),
            (vec!["--want-kms"], "--want-kms"),
            (vec!["--older-than-days", "30"], "--older-than-days"),
        ] {
            let mut words = vec!["--no-report"];
            words.extend(other);
            assert_eq!(
                parse_args(&args(&words)).unwrap_err(),
                format!(
                    "--no-report leaves the baseline report out, so it cannot be given with {flag}, which is about the report: drop one of them"
                )
            );
        }
    }

    #[test]
    fn entries_carry_the_ids_each_read_takes_under_unique_names() {
        let repo = list::RepositoryFacts::example;
        let mut inv = Inventory {
            registry_id: "123456789012".into(),
            region: "us-east-1".into(),
            prefix: None,
            repositories: vec![repo("registry"), repo("team/api"), repo("team-api")],
            registry: list::RegistryFacts { replication_rules: 1, ..Default::default() },
            rules: vec![("docker-hub".into(), "registry-1.docker.io".into())],
            templates: vec!["ROOT".into(), "team".into()],
        };
        let got: Vec<(String, String, String)> =
            entries(&inv).into_iter().map(|e| (e.type_token, e.name, e.id)).collect();
        let want = [
            ("awsecr:index:Registry", "registry", "123456789012/us-east-1"),
            ("awsecr:index:Repository", "registry-2", "registry"),
            ("awsecr:index:Repository", "team-api", "team/api"),
            ("awsecr:index:Repository", "team-api-2", "team-api"),
            ("awsecr:index:PullThroughCacheRule", "cache-docker-hub", "docker-hub"),
            ("awsecr:index:RepositoryTemplate", "template-root", "ROOT"),
            ("awsecr:index:RepositoryTemplate", "template-team", "team"),
        ];
        assert_eq!(got, want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())));
        inv.registry = list::RegistryFacts { other_statements: 1, ..Default::default() };
        assert!(entries(&inv).iter().all(|e| e.type_token != "awsecr:index:Registry"), "no group in use: no Registry");
    }
}
