//! The baseline report: how each repository an inventory found differs from
//! the production defaults a Repository stands for (README, "The resource:
//! `awsecr:index:Repository`": `immutableTags` true, `scanOnPush` true, a
//! lifecycle policy, KMS when the team asks for it, no grant to everyone,
//! images that expire). Pure: the facts come from `list`.

use serde_json::json;

use super::list::{Inventory, RepositoryFacts};

/// What the team asked the report to hold the repositories to, beyond the
/// provider's own defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// `--want-kms`: AES256 is a deviation.
    pub kms: bool,
    /// `--older-than-days N`: images pushed more than N days ago, in a
    /// repository whose lifecycle policy expires nothing, are a deviation.
    pub older_than_days: Option<u32>,
}

/// One way a repository differs from the production defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// A stable key for tools: `mutable-tags`, `no-scanning`,
    /// `no-lifecycle-rules`, `not-kms`, `policy-grants-everyone`,
    /// `old-images-without-expiry`.
    pub rule: &'static str,
    /// The sentence a person reads, in the README's words.
    pub detail: String,
}

/// The deviations of one repository, in a fixed order.
pub fn deviations(repo: &RepositoryFacts, inv: &Inventory, wanted: &Wanted) -> Vec<Deviation> {
    let mut out = Vec::new();
    let mut add = |rule: &'static str, detail: String| out.push(Deviation { rule, detail });
    if repo.mutability.starts_with("MUTABLE") {
        let how = if repo.mutability == "MUTABLE_WITH_EXCLUSION" {
            "tags can be moved except those matching its immutable tag exclusions"
        } else {
            "every tag can be moved"
        };
        add("mutable-tags", format!("immutableTags is false (default true): {how}"));
    }
    if !repo.scan_on_push && !inv.registry.scans(&repo.name) {
        add(
            "no-scanning",
            "scanOnPush is false (default true) and no registry scanning rule covers it: its images are never scanned"
                .into(),
        );
    }
    if repo.lifecycle_policy.is_none() {
        add("no-lifecycle-rules", "no lifecyclePolicy: no image ever expires".into());
    }
    if wanted.kms && repo.encryption_type == "AES256" {
        add("not-kms", "encryptionType is AES256 where KMS was asked (--want-kms)".into());
    }
    if let Some(policy) = &repo.repository_policy
        && grants_everyone(policy)
    {
        add(
            "policy-grants-everyone",
            "its repository policy grants \"*\" (any AWS principal) without a condition".into(),
        );
    }
    if let Some(days) = wanted.older_than_days
        && repo.old_images > 0
        && !repo.expires_images()
    {
        let images = if repo.old_images == 1 { "1 image".to_string() } else { format!("{} images", repo.old_images) };
        add(
            "old-images-without-expiry",
            format!("{images} older than {days} days and no lifecycle rule expires images"),
        );
    }
    out
}

/// True when a repository policy allows `*` (any principal, as `"*"` or
/// `{"AWS": "*"}`) in a statement without a condition. A grant to `*` under a
/// condition (an organization, a source account) is how the access fields
/// write an organization's pull, and is no deviation; an unreadable policy
/// is reported as granting nothing here (ECR holds only valid JSON).
pub fn grants_everyone(policy: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(v) => v.clone(),
        s @ serde_json::Value::Object(_) => vec![s.clone()],
        _ => return false,
    };
    let is_star = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s == "*",
        serde_json::Value::Array(a) => a.iter().any(|s| s == "*"),
        _ => false,
    };
    statements.iter().any(|s| {
        let allow = s["Effect"].as_str() == Some("Allow");
        let everyone = is_star(&s["Principal"]) || s["Principal"].get("AWS").is_some_and(is_star);
        let unconditioned = s.get("Condition").is_none_or(|c| c.as_object().is_none_or(|o| o.is_empty()));
        allow && everyone && unconditioned
    })
}

/// The report as JSON (`--report FILE`): every repository listed, each with
/// its deviations (an empty list when it has none).
pub fn to_json(inv: &Inventory, wanted: &Wanted) -> serde_json::Value {
    let repositories: Vec<serde_json::Value> = inv
        .repositories
        .iter()
        .map(|r| {
            let devs: Vec<serde_json::Value> =
                deviations(r, inv, wanted).into_iter().map(|d| json!({"rule": d.rule, "detail": d.detail})).collect();
            json!({"name": r.name, "deviations": devs})
        })
        .collect();
    let differing = repositories.iter().filter(|r| r["deviations"].as_array().is_some_and(|d| !d.is_empty())).count();
    json!({
        "registryId": inv.registry_id,
        "region": inv.region,
        "prefix": inv.prefix,
        "wantKms": wanted.kms,
        "olderThanDays": wanted.older_than_days,
        "repositories": repositories,
        "differing": differing,
    })
}

/// The report as text, for stdout.
pub fn to_text(inv: &Inventory, wanted: &Wanted) -> String {
    let mut text = String::from("Baseline: how each repository differs from the production defaults\n");
    let mut differing = 0;
    for r in &inv.repositories {
        let devs = deviations(r, inv, wanted);
        if devs.is_empty() {
            continue;
        }
        differing += 1;
        text.push_str(&format!("  {}\n", r.name));
        for d in devs {
            text.push_str(&format!("    - {} [{}]\n", d.detail, d.rule));
        }
    }
    let total = inv.repositories.len();
    text.push_str(&format!("{differing} of {total} repositories differ from the production defaults.\n"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::list::{RegistryFacts, RepositoryFacts};

    fn repo(name: &str) -> RepositoryFacts {
        RepositoryFacts {
            lifecycle_policy: Some(
                r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}"#.into(),
            ),
            ..RepositoryFacts::example(name)
        }
    }

    fn inv(repos: Vec<RepositoryFacts>, scan_filters: &[&str]) -> Inventory {
        Inventory {
            registry_id: "123456789012".into(),
            region: "us-east-1".into(),
            prefix: None,
            repositories: repos,
            registry: RegistryFacts {
                scan_on_push_filters: scan_filters.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
            rules: vec![],
            templates: vec![],
        }
    }

    fn rules(r: &RepositoryFacts, i: &Inventory, w: &Wanted) -> Vec<&'static str> {
        deviations(r, i, w).into_iter().map(|d| d.rule).collect()
    }

    #[test]
    fn the_production_defaults_are_no_deviation() {
        let r = repo("a");
        assert!(deviations(&r, &inv(vec![], &[]), &Wanted { kms: false, older_than_days: Some(1) }).is_empty());
    }

    #[test]
    fn each_rule_is_reported_in_the_readmes_words() {
        let mut r = repo("a");
        r.mutability = "MUTABLE".into();
        r.scan_on_push = false;
        r.lifecycle_policy = None;
        r.repository_policy =
            Some(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"ecr:*"}}"#.into());
        r.old_images = 3;
        let i = inv(vec![], &[]);
        let w = Wanted { kms: true, older_than_days: Some(90) };
        let found = deviations(&r, &i, &w);
        assert_eq!(
            found.iter().map(|d| d.rule).collect::<Vec<_>>(),
            [
                "mutable-tags",
                "no-scanning",
                "no-lifecycle-rules",
                "not-kms",
                "policy-grants-everyone",
                "old-images-without-expiry"
            ]
        );
        assert_eq!(found[0].detail, "immutableTags is false (default true): every tag can be moved");
        assert_eq!(found[3].detail, "encryptionType is AES256 where KMS was asked (--want-kms)");
        assert_eq!(found[5].detail, "3 images older than 90 days and no lifecycle rule expires images");
    }

    #[test]
    fn mutable_with_exclusions_is_mutable_and_immutable_with_exclusions_is_not() {
        let i = inv(vec![], &[]);
        let mut r = repo("a");
        r.mutability = "MUTABLE_WITH_EXCLUSION".into();
        assert_eq!(rules(&r, &i, &Wanted::default()), ["mutable-tags"]);
        r.mutability = "IMMUTABLE_WITH_EXCLUSION".into();
        assert!(rules(&r, &i, &Wanted::default()).is_empty());
    }

    #[test]
    fn a_registry_scanning_rule_covers_a_repository_without_scan_on_push() {
        let mut r = repo("team/api");
        r.scan_on_push = false;
        assert!(rules(&r, &inv(vec![], &["team/*"]), &Wanted::default()).is_empty());
        assert!(rules(&r, &inv(vec![], &["*"]), &Wanted::default()).is_empty());
        assert_eq!(rules(&r, &inv(vec![], &["other/*"]), &Wanted::default()), ["no-scanning"]);
        assert_eq!(rules(&r, &inv(vec![], &["team"]), &Wanted::default()), ["no-scanning"]);
    }

    #[test]
    fn kms_is_asked_for_only_with_the_flag() {
        let r = repo("a");
        assert!(rules(&r, &inv(vec![], &[]), &Wanted::default()).is_empty());
        assert_eq!(rules(&r, &inv(vec![], &[]), &Wanted { kms: true, older_than_days: None }), ["not-kms"]);
        let mut k = repo("k");
        k.encryption_type = "KMS".into();
        assert!(rules(&k, &inv(vec![], &[]), &Wanted { kms: true, older_than_days: None }).is_empty());
    }

    #[test]
    fn a_grant_to_everyone_counts_only_without_a_condition() {
        assert!(grants_everyone(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ecr:BatchGetImage"}]}"#
        ));
        assert!(grants_everyone(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root","*"]},"Action":"x"}]}"#
        ));
        assert!(!grants_everyone(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"x","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#
        ));
        assert!(!grants_everyone(r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"x"}]}"#));
        assert!(!grants_everyone(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"x"}]}"#
        ));
        assert!(!grants_everyone("not json"));
    }

    #[test]
    fn old_images_count_only_where_nothing_expires() {
        let w = Wanted { kms: false, older_than_days: Some(30) };
        let mut r = repo("a");
        r.old_images = 1;
        assert!(rules(&r, &inv(vec![], &[]), &w).is_empty(), "an expiry rule is there");
        r.lifecycle_policy = Some(r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":30},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#.into());
        assert_eq!(rules(&r, &inv(vec![], &[]), &w), ["old-images-without-expiry"]);
        assert_eq!(
            deviations(&r, &inv(vec![], &[]), &w)[0].detail,
            "1 image older than 30 days and no lifecycle rule expires images"
        );
        assert!(rules(&r, &inv(vec![], &[]), &Wanted::default()).is_empty(), "only with --older-than-days");
    }

    #[test]
    fn the_json_report_lists_every_repository() {
        let mut bad = repo("b");
        bad.lifecycle_policy = None;
        let i = inv(vec![repo("a"), bad], &[]);
        let j = to_json(&i, &Wanted::default());
        assert_eq!(j["repositories"][0], json!({"name": "a", "deviations": []}));
        assert_eq!(j["repositories"][1]["deviations"][0]["rule"], "no-lifecycle-rules");
        assert_eq!(j["differing"], 1);
        let text = to_text(&i, &Wanted::default());
        assert!(text.contains("  b\n    - no lifecyclePolicy: no image ever expires [no-lifecycle-rules]\n"), "{text}");
        assert!(text.ends_with("1 of 2 repositories differ from the production defaults.\n"), "{text}");
    }
}
