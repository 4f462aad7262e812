//! What an account and region hold, read with the provider's ECR client:
//! every repository (under an optional name prefix) with the settings the
//! baseline report looks at, the registry-wide groups in use, the
//! pull-through cache rules and the creation templates. Only Describe, Get
//! and List calls: an inventory never writes to ECR.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_sdk_ecr::Client;
use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ecr::types::{ImageTagMutability, ScanFrequency, ScanType};

use crate::config::ProviderConfig;
use crate::error::{Call, Subject, aws_error};
use crate::names::{REPLICATION, SCANNING, SIGNING};

/// Repositories whose settings are read at once.
const CONCURRENCY: usize = 16;
/// A listing longer than this shows its progress on stderr.
const PROGRESS_FROM: usize = 100;

/// One repository and the settings the report looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryFacts {
    pub name: String,
    /// ECR's `imageTagMutability`: `IMMUTABLE`, `MUTABLE`, `..._WITH_EXCLUSION`.
    pub mutability: String,
    pub scan_on_push: bool,
    /// `AES256`, `KMS` or `KMS_DSSE`.
    pub encryption_type: String,
    /// The lifecycle policy in force, if any.
    pub lifecycle_policy: Option<String>,
    /// The repository policy in force, if any.
    pub repository_policy: Option<String>,
    /// Images pushed before the `--older-than-days` cut (read only when that
    /// flag is given and the lifecycle policy expires nothing).
    pub old_images: u64,
}

#[cfg(test)]
impl RepositoryFacts {
    /// A repository with the production defaults, no policies and no old
    /// images: what tests start from.
    pub fn example(name: &str) -> RepositoryFacts {
        RepositoryFacts {
            name: name.into(),
            mutability: "IMMUTABLE".into(),
            scan_on_push: true,
            encryption_type: "AES256".into(),
            lifecycle_policy: None,
            repository_policy: None,
            old_images: 0,
        }
    }
}

impl RepositoryFacts {
    /// True when the lifecycle policy has a rule that expires images.
    pub fn expires_images(&self) -> bool {
        let Some(text) = &self.lifecycle_policy else { return false };
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else { return false };
        doc["rules"].as_array().is_some_and(|rules| rules.iter().any(|r| r["action"]["type"] == "expire"))
    }
}

/// The registry-wide groups (the Registry's) and what each holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryFacts {
    /// `ENHANCED` scanning (else BASIC).
    pub enhanced: bool,
    /// Repository filters scanned on push (wildcards).
    pub scan_on_push_filters: Vec<String>,
    /// Repository filters scanned continuously (ENHANCED only).
    pub continuous_filters: Vec<String>,
    pub replication_rules: usize,
    pub signing_rules: usize,
    /// Sids of the registry policy's statements a Registry owns (`Awsecr...`).
    pub owned_statements: Vec<String>,
    /// Statements of others in the registry policy (never imported).
    pub other_statements: usize,
}

impl RegistryFacts {
    /// The Registry's groups that hold a configuration: what its import reads.
    pub fn groups_in_use(&self) -> Vec<&'static str> {
        let mut groups = Vec::new();
        if self.enhanced || !self.scan_on_push_filters.is_empty() || !self.continuous_filters.is_empty() {
            groups.push(SCANNING);
        }
        if self.replication_rules > 0 {
            groups.push(REPLICATION);
        }
        if self.signing_rules > 0 {
            groups.push(SIGNING);
        }
        if !self.owned_statements.is_empty() {
            groups.push("registry policy statements (Awsecr...)");
        }
        groups
    }

    /// True when a registry scanning rule (on push or continuous) covers the
    /// repository: its wildcard filter (`*` any run of characters) matches
    /// the whole name.
    pub fn scans(&self, repository: &str) -> bool {
        self.scan_on_push_filters.iter().chain(&self.continuous_filters).any(|f| wildcard_match(f, repository))
    }
}

/// Everything an inventory found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    pub registry_id: String,
    pub region: String,
    pub prefix: Option<String>,
    pub repositories: Vec<RepositoryFacts>,
    pub registry: RegistryFacts,
    /// Pull-through cache rules: (ECR repository prefix, upstream URL).
    pub rules: Vec<(String, String)>,
    /// Creation templates, by prefix.
    pub templates: Vec<String>,
}

/// `*` matches any run of characters; everything else matches itself.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// What the listing needs besides the client.
pub struct Listing<'a> {
    pub client: &'a Client,
    pub config: &'a ProviderConfig,
    pub region: String,
    pub prefix: Option<String>,
    /// `--older-than-days`: count the images pushed before now minus this.
    pub older_than_days: Option<u32>,
    /// Progress lines on stderr.
    pub progress: bool,
    /// DescribeRepositories' `maxResults` (1-1000).
    pub page_size: i32,
    /// Read each repository's settings (lifecycle and repository policies,
    /// old images) for the report; `false` (`--no-report`): the listing only.
    pub settings: bool,
}

impl Listing<'_> {
    fn error<E, R>(&self, action: &str, subject: Subject<'_>, err: &SdkError<E, R>) -> String
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug + 'static,
    {
        let call = Call {
            action,
            subject,
            resource_name: "",
            max_retries: self.config.max_retries.unwrap_or(crate::config::DEFAULT_MAX_RETRIES),
            profile: self.config.profile.as_deref(),
            role_arn: self.config.assume_role.as_ref().map(|r| r.role_arn.as_str()),
        };
        aws_error(&call, err).message().to_string()
    }

    fn say(&self, line: String) {
        if self.progress {
            eprintln!("inventory: {line}");
        }
    }
}

/// Reads everything: the repositories' pages, then (unless `settings` is
/// false) their settings (at most [`CONCURRENCY`] repositories at once);
/// beside them the registry's groups, the rules and the templates.
pub async fn inventory(l: &Listing<'_>) -> Result<Inventory, String> {
    let (names, registry, rules, templates) =
        tokio::join!(repositories(l), registry(l), pull_through_rules(l), templates(l));
    let mut listed = names?;
    let (registry_id, registry) = registry?;
    let (rules, templates) = (rules?, templates?);
    if l.settings {
        read_settings(l, &mut listed).await?;
    }
    Ok(Inventory {
        registry_id,
        region: l.region.clone(),
        prefix: l.prefix.clone(),
        repositories: listed,
        registry,
        rules,
        templates,
    })
}

/// Each listed repository's settings (at most [`CONCURRENCY`] at once),
/// written back in listing order.
async fn read_settings(l: &Listing<'_>, listed: &mut [RepositoryFacts]) -> Result<(), String> {
    let total = listed.len();
    if total > PROGRESS_FROM {
        l.say(format!("{total} repositories listed; reading their settings"));
    }
    let cut = l.older_than_days.map(|d| SystemTime::now() - Duration::from_secs(u64::from(d) * 86_400));
    let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = tokio::task::JoinSet::new();
    // The settings of each repository: its own reads, spawned under the
    // semaphore; the facts come back in listing order.
    let client = l.client.clone();
    for (i, facts) in listed.iter().cloned().enumerate() {
        let (client, permits) = (client.clone(), permits.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, settings(&client, facts, cut).await)
        });
    }
    let mut done = 0usize;
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|e| format!("a read task failed: {e}"))?;
        listed[i] = match result {
            Ok(f) => f,
            Err(Failed::Lifecycle(name, e)) => {
                return Err(l.error("ecr:GetLifecyclePolicy", Subject::Repository(&name), &e));
            }
            Err(Failed::Policy(name, e)) => {
                return Err(l.error("ecr:GetRepositoryPolicy", Subject::Repository(&name), &e));
            }
            Err(Failed::Images(name, e)) => return Err(l.error("ecr:DescribeImages", Subject::Repository(&name), &e)),
        };
        done += 1;
        if done.is_multiple_of(100) && done < total {
            l.say(format!("settings of {done} of {total} repositories read"));
        }
    }
    Ok(())
}

/// Every repository (every page, `page_size` a page), under the prefix.
async fn repositories(l: &Listing<'_>) -> Result<Vec<RepositoryFacts>, String> {
    let mut pages = l.client.describe_repositories().max_results(l.page_size).into_paginator().send();
    let mut found = Vec::new();
    let mut listed = 0usize;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| l.error("ecr:DescribeRepositories", Subject::Registry, &e))?;
        for r in page.repositories() {
            listed += 1;
            let name = r.repository_name().unwrap_or_default();
            if l.prefix.as_deref().is_some_and(|p| !name.starts_with(p)) {
                continue;
            }
            found.push(RepositoryFacts {
                name: name.to_string(),
                mutability: r
                    .image_tag_mutability()
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_else(|| ImageTagMutability::Mutable.as_str().into()),
                scan_on_push: r.image_scanning_configuration().is_some_and(|c| c.scan_on_push()),
                encryption_type: r
                    .encryption_configuration()
                    .map(|c| c.encryption_type().as_str().to_string())
                    .unwrap_or_else(|| "AES256".into()),
                lifecycle_policy: None,
                repository_policy: None,
                old_images: 0,
            });
        }
        if listed > PROGRESS_FROM {
            l.say(format!("{listed} repositories listed so far"));
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

enum Failed {
    Lifecycle(String, SdkError<aws_sdk_ecr::operation::get_lifecycle_policy::GetLifecyclePolicyError>),
    Policy(String, SdkError<aws_sdk_ecr::operation::get_repository_policy::GetRepositoryPolicyError>),
    Images(String, SdkError<aws_sdk_ecr::operation::describe_images::DescribeImagesError>),
}

/// A repository's lifecycle and repository policies (at once), then, when
/// the cut is given and nothing expires, its images pushed before the cut.
async fn settings(
    client: &Client,
    mut facts: RepositoryFacts,
    cut: Option<SystemTime>,
) -> Result<RepositoryFacts, Failed> {
    let name = facts.name.clone();
    let (lifecycle, policy) = tokio::join!(
        client.get_lifecycle_policy().repository_name(&name).send(),
        client.get_repository_policy().repository_name(&name).send(),
    );
    facts.lifecycle_policy = match lifecycle {
        Ok(p) => p.lifecycle_policy_text().map(str::to_string),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_lifecycle_policy_not_found_exception()) => None,
        Err(e) => return Err(Failed::Lifecycle(name, e)),
    };
    facts.repository_policy = match policy {
        Ok(p) => p.policy_text().map(str::to_string),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_repository_policy_not_found_exception()) => None,
        Err(e) => return Err(Failed::Policy(name, e)),
    };
    if let Some(cut) = cut
        && !facts.expires_images()
    {
        let cut = aws_smithy_types::DateTime::from(cut);
        let mut pages = client.describe_images().repository_name(&name).max_results(1000).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| Failed::Images(name.clone(), e))?;
            facts.old_images += page
                .image_details()
                .iter()
                .filter(|d| d.image_pushed_at().is_some_and(|t| t.secs() < cut.secs()))
                .count() as u64;
        }
    }
    Ok(facts)
}

/// The registry id and the Registry's groups: replication (DescribeRegistry),
/// scanning, signing and the registry policy, read at once.
async fn registry(l: &Listing<'_>) -> Result<(String, RegistryFacts), String> {
    let c = l.client;
    let (described, scanning, signing, policy) = tokio::join!(
        c.describe_registry().send(),
        c.get_registry_scanning_configuration().send(),
        c.get_signing_configuration().send(),
        c.get_registry_policy().send(),
    );
    let described = described.map_err(|e| l.error("ecr:DescribeRegistry", Subject::Registry, &e))?;
    let scanning = scanning.map_err(|e| l.error("ecr:GetRegistryScanningConfiguration", Subject::Registry, &e))?;
    let mut facts = RegistryFacts {
        replication_rules: described.replication_configuration().map(|r| r.rules().len()).unwrap_or_default(),
        ..Default::default()
    };
    if let Some(s) = scanning.scanning_configuration() {
        facts.enhanced = s.scan_type() == Some(&ScanType::Enhanced);
        for rule in s.rules() {
            let filters = rule.repository_filters().iter().map(|f| f.filter().to_string());
            match rule.scan_frequency() {
                ScanFrequency::ScanOnPush => facts.scan_on_push_filters.extend(filters),
                ScanFrequency::ContinuousScan => facts.continuous_filters.extend(filters),
                _ => {}
            }
        }
    }
    facts.signing_rules = match signing {
        Ok(s) => s.signing_configuration().map(|c| c.rules().len()).unwrap_or_default(),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_signing_configuration_not_found_exception()) => 0,
        Err(e) => return Err(l.error("ecr:GetSigningConfiguration", Subject::Registry, &e)),
    };
    let policy = match policy {
        Ok(p) => p.policy_text().map(str::to_string),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_registry_policy_not_found_exception()) => None,
        Err(e) => return Err(l.error("ecr:GetRegistryPolicy", Subject::Registry, &e)),
    };
    if let Some(doc) = policy.as_deref().and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()) {
        let statements = match &doc["Statement"] {
            serde_json::Value::Array(v) => v.clone(),
            s @ serde_json::Value::Object(_) => vec![s.clone()],
            _ => Vec::new(),
        };
        for s in statements {
            match s["Sid"].as_str() {
                Some(sid) if sid.starts_with(crate::policy::registry::SID_PREFIX) => {
                    facts.owned_statements.push(sid.to_string())
                }
                _ => facts.other_statements += 1,
            }
        }
    }
    Ok((described.registry_id().unwrap_or_default().to_string(), facts))
}

/// Every pull-through cache rule (every page).
async fn pull_through_rules(l: &Listing<'_>) -> Result<Vec<(String, String)>, String> {
    let mut pages = l.client.describe_pull_through_cache_rules().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| l.error("ecr:DescribePullThroughCacheRules", Subject::Registry, &e))?;
        for r in page.pull_through_cache_rules() {
            found.push((
                r.ecr_repository_prefix().unwrap_or_default().to_string(),
                r.upstream_registry_url().unwrap_or_default().to_string(),
            ));
        }
    }
    found.sort();
    Ok(found)
}

/// Every repository creation template (every page).
async fn templates(l: &Listing<'_>) -> Result<Vec<String>, String> {
    let mut pages = l.client.describe_repository_creation_templates().into_paginator().send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| l.error("ecr:DescribeRepositoryCreationTemplates", Subject::Registry, &e))?;
        found.extend(page.repository_creation_templates().iter().filter_map(|t| t.prefix().map(str::to_string)));
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_the_whole_name() {
        assert!(wildcard_match("*", "a/b"));
        assert!(wildcard_match("team/*", "team/api"));
        assert!(wildcard_match("*api", "team/api"));
        assert!(wildcard_match("t*m/*i", "team/api"));
        assert!(wildcard_match("team/api", "team/api"));
        assert!(!wildcard_match("team", "team/api"));
        assert!(!wildcard_match("team/*x", "team/api"));
        assert!(!wildcard_match("ab*ba", "aba"), "the two ends may not overlap");
    }

    #[test]
    fn an_expiry_rule_is_one_whose_action_expires() {
        let mut r = RepositoryFacts::example("a");
        assert!(!r.expires_images());
        r.lifecycle_policy = Some(r#"{"rules":[{"action":{"type":"transition"}}]}"#.into());
        assert!(!r.expires_images());
        r.lifecycle_policy =
            Some(r#"{"rules":[{"action":{"type":"transition"}},{"action":{"type":"expire"}}]}"#.into());
        assert!(r.expires_images());
    }

    #[test]
    fn the_groups_in_use_are_those_an_import_reads() {
        let mut r = RegistryFacts::default();
        assert!(r.groups_in_use().is_empty());
        r.other_statements = 2;
        assert!(r.groups_in_use().is_empty(), "statements of others are never a Registry's");
        r.scan_on_push_filters = vec!["*".into()];
        r.replication_rules = 1;
        r.owned_statements = vec!["AwsecrX".into()];
        assert_eq!(r.groups_in_use(), ["scanning", "replication", "registry policy statements (Awsecr...)"]);
    }
}
