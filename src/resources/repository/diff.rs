//! Diff: compares the stored outputs of a repository with its checked new
//! inputs by meaning and decides between no change, update and
//! replacement. Each input is compared as [`PROPERTIES`] says (tags as
//! maps, exclusions as sets, and by the functions here: the lifecycle policy
//! as parsed rules, principals as the access the policy in force grants);
//! then what the inputs alone cannot show (provider tags, a policy the
//! fields cannot express, a move), and the replacement's order and warnings.

use std::collections::{BTreeMap, BTreeSet};

use super::PROPERTIES;
use super::outputs::{access_of, lifecycle_text};
use crate::config::ProviderConfig;
use crate::names::*;
use crate::naming::has_random_name;
use crate::policy::access::{Access, normalize, same_repository_policy};
use crate::policy::lifecycle::same_policy;
use crate::property::{Map, Value};
use crate::resource::{Compare, DiffKind, DiffResult, Ignoring, Move, Sides, diff_inputs, is_reserved_tag, string_map};

/// Diffs old outputs against checked new inputs.
pub fn diff(olds: &Map, news: &Map, ignore_changes: &[String], config: &ProviderConfig) -> DiffResult {
    let ignoring = Ignoring::new(olds, news, ignore_changes);
    let mut out = diff_inputs(PROPERTIES, olds, &ignoring);
    provider_tags(&mut out, olds, &ignoring, config);
    inexpressible_policy(&mut out, olds, &ignoring);
    let moved = crate::resource::moved(olds, config);
    if let Some(m) = &moved {
        refuse_or_move(&mut out, olds, &ignoring.news, m);
    }
    if !out.replaces.is_empty() {
        replacement(&mut out, olds, &ignoring.news, moved.as_ref());
    }
    out
}

/// Provider-level tags (defaultTags, metadata) change the effective tags
/// even when the resource's own tags did not change.
fn provider_tags(out: &mut DiffResult, olds: &Map, ignoring: &Ignoring<'_>, config: &ProviderConfig) {
    if out.diffs.iter().any(|d| d == TAGS) || ignoring.ignores(TAGS) || ignoring.ignores(TAGS_ALL) {
        return;
    }
    let own = string_map(ignoring.news.get(TAGS));
    if let (Some(own), Some(old_all)) = (own, string_map(olds.get(TAGS_ALL)).map(without_reserved))
        && config.effective_tags(&own) != old_all
    {
        out.diffs.push(TAGS_ALL.into());
        out.detailed.insert(TAGS_ALL.into(), DiffKind::Update);
    }
}

/// A repository policy edited into something the principal lists cannot
/// express: the whole text is what changes.
fn inexpressible_policy(out: &mut DiffResult, olds: &Map, ignoring: &Ignoring<'_>) {
    let news = &ignoring.news;
    let principals_ignored = ignoring.ignores(PULL_PRINCIPALS) && ignoring.ignores(PUSH_PRINCIPALS);
    if !principals_ignored
        && !uses_document(olds, news, REPOSITORY_POLICY_DOCUMENT)
        && !ignoring.ignores(REPOSITORY_POLICY_TEXT)
        && let Some(Value::String(applied)) = olds.get(REPOSITORY_POLICY_TEXT).map(Value::plain)
        && Access::from_policy(&applied).is_none()
    {
        let wanted = access_of(news);
        out.diffs.push(REPOSITORY_POLICY_TEXT.into());
        let kind = if wanted.is_some_and(|a| a.is_empty()) { DiffKind::Delete } else { DiffKind::Update };
        out.detailed.insert(REPOSITORY_POLICY_TEXT.into(), kind);
    }
}

/// The repository's name in the state, for messages.
fn old_name(olds: &Map) -> String {
    olds.get(REPOSITORY_NAME).map(Value::plain).as_ref().and_then(Value::as_str).unwrap_or_default().to_string()
}

fn force_delete(m: &Map) -> Option<bool> {
    match m.get(FORCE_DELETE).map(Value::plain) {
        Some(Value::Bool(b)) => Some(b),
        _ => None,
    }
}

/// The provider now points at another region (or, by its assumeRole,
/// another account): the repository would be made anew there and this
/// one deleted; refused unless forceDelete is and stays true.
fn refuse_or_move(out: &mut DiffResult, olds: &Map, news: &Map, m: &Move) {
    let name = old_name(olds);
    let force = force_delete(olds) == Some(true);
    out.change(ARN, DiffKind::UpdateReplace);
    out.output_diffs.insert(ARN.into());
    if force && force_delete(news) == Some(false) {
        // As for any replacement (`args::force_delete_off_in_a_replacement`):
        // the old repository would go with the forceDelete: true it has
        // now, against the program.
        out.refusal = Some(format!(
            "forceDelete of ECR repository \"{name}\" is turned off in the same update that moves it {}, but the move would delete the old repository with the forceDelete: true it has now, images and all; set forceDelete: false in a `pulumi up` of its own with the old configuration first (the move is then refused), or keep forceDelete: true to move it",
            m.describe()
        ));
    } else if !force {
        out.refusal = Some(format!(
            "ECR repository \"{name}\" is in {}, but the provider now points at {}: moving it would make a new, empty repository there and delete this one, which forceDelete: false forbids for its images, so nothing is changed; to keep it where it is, point its provider back at {} (awsecr:region, or an explicit provider for this resource); to move it and delete its images, first set only forceDelete: true and run `pulumi up` with the old configuration, then change it",
            m.origin(),
            m.destination(),
            m.origin(),
        ));
    }
}

/// The order of a replacement and what the preview warns of.
fn replacement(out: &mut DiffResult, olds: &Map, news: &Map, moved: Option<&Move>) {
    let name = old_name(olds);
    let force = force_delete(olds) == Some(true);
    let old_name = olds.get(REPOSITORY_NAME).map(Value::plain);
    let new_name = news.get(REPOSITORY_NAME).map(Value::plain);
    // A generated name is generated afresh for the replacement, so the
    // new repository can exist beside the old one; a kept name cannot,
    // unless the new one is in another region or account. With
    // forceDelete false the old one goes first whatever the name: if it
    // holds images ECR refuses, and the failure then comes before
    // anything new is made, leaving the stack as it was.
    let same_name = old_name.is_some() && old_name == new_name && !has_random_name(news);
    out.delete_before_replace = moved.is_none() && (same_name || !force);
    if let Some(m) = moved {
        out.warnings.push(format!(
            "ECR repository \"{name}\" moves {}: a new repository is made there and, with forceDelete: true, the one in {} is deleted together with its images (images are not copied)",
            m.describe(),
            m.origin()
        ));
    } else if !force {
        out.warnings.push(format!(
            "replacing ECR repository \"{name}\" ({} changes) deletes the old repository, and with forceDelete: false ECR refuses to delete one that holds images, so the replacement will fail if it does; to replace it together with its images, undo this change, set only forceDelete: true and run `pulumi up`, then make the change again",
            out.replaces.join(", ")
        ));
    }
}

// ------------------------------------------------ comparisons of the table

/// `lifecyclePolicyDocument`: compared by meaning with the text in force.
pub fn same_lifecycle_document(s: &Sides<'_>) -> bool {
    match s.new.and_then(Value::as_str) {
        Some(doc) => same_policy(applied_text(s.olds, LIFECYCLE_POLICY_TEXT).as_deref(), Some(doc)),
        None => s.old == s.new,
    }
}

/// `repositoryPolicyDocument`: compared by meaning with the text in force.
pub fn same_policy_document(s: &Sides<'_>) -> bool {
    match s.new.and_then(Value::as_str) {
        Some(doc) => same_repository_policy(applied_text(s.olds, REPOSITORY_POLICY_TEXT).as_deref(), Some(doc)),
        None => s.old == s.new,
    }
}

/// `lifecyclePolicy`: the rules it generates against the text in force
/// (refresh keeps it, so a hand-edited policy shows up as a change here);
/// while the policy is given as JSON, the fields compare as plain inputs.
pub fn same_lifecycle_fields(s: &Sides<'_>) -> bool {
    if uses_document(s.olds, s.news, LIFECYCLE_POLICY_DOCUMENT) {
        return s.old == s.new;
    }
    match lifecycle_text(s.news) {
        Some(wanted) => same_policy(applied_text(s.olds, LIFECYCLE_POLICY_TEXT).as_deref(), wanted.as_deref()),
        None => false,
    }
}

/// `pullPrincipals`, by [`same_access`]: principals normalized.
pub fn same_pull(s: &Sides<'_>) -> bool {
    same_access(s, |a| a.pull.iter().map(|p| normalize(p)).collect(), Compare::Set)
}

/// `pushPrincipals`, by [`same_access`]: principals normalized.
pub fn same_push(s: &Sides<'_>) -> bool {
    same_access(s, |a| a.push.iter().map(|p| normalize(p)).collect(), Compare::Set)
}

/// `pullOrganizations`, by [`same_access`].
pub fn same_organizations(s: &Sides<'_>) -> bool {
    same_access(s, |a| a.organizations.iter().cloned().collect(), Compare::Set)
}

/// `pullOrganizationPaths`, by [`same_access`].
pub fn same_organization_paths(s: &Sides<'_>) -> bool {
    same_access(s, |a| a.organization_paths.iter().cloned().collect(), Compare::Set)
}

/// `lambdaPull`, by [`same_access`]: its conditions tagged by kind, and
/// marked present, since an empty grant is no grant.
pub fn same_lambda(s: &Sides<'_>) -> bool {
    let part = |a: &Access| {
        a.lambda
            .iter()
            .flat_map(|l| {
                let accounts = l.source_accounts.iter().map(|a| format!("account {a}"));
                let arns = l.source_arns.iter().map(|a| format!("arn {a}"));
                std::iter::once("granted".to_string()).chain(accounts).chain(arns)
            })
            .collect()
    };
    same_access(s, part, Compare::Exact)
}

/// An access field: its `part` of what the policy in force grants against
/// the part the inputs ask for (refresh keeps the policy's text, so a
/// hand-edited policy shows up here). A policy the fields cannot express
/// is reported as repositoryPolicyText ([`inexpressible_policy`]); while it
/// is given as JSON, or the one in force cannot be read, the fields compare
/// as `plain` inputs.
fn same_access(s: &Sides<'_>, part: fn(&Access) -> BTreeSet<String>, plain: Compare) -> bool {
    if uses_document(s.olds, s.news, REPOSITORY_POLICY_DOCUMENT) {
        return plain.same(s);
    }
    let applied = match s.olds.get(REPOSITORY_POLICY_TEXT).map(Value::plain) {
        Some(Value::String(t)) => Access::from_policy(&t),
        _ => Some(Access::default()),
    };
    // The field of the checked inputs: `None` while it is unknown.
    let only: Map = s.news.iter().filter(|(k, _)| *k == s.key).map(|(k, v)| (k.clone(), v.clone())).collect();
    match (applied, access_of(&only)) {
        (Some(applied), Some(wanted)) => part(&applied) == part(&wanted),
        (None, _) => plain.same(s),
        (_, None) => false,
    }
}

/// The policy text in force, as the state holds it.
fn applied_text(olds: &Map, key: &str) -> Option<String> {
    olds.get(key).map(Value::plain).and_then(|v| v.as_str().map(str::to_string))
}

/// Tags without the reserved `aws:` ones, which are not ours to diff (states
/// read before they were kept apart may hold them).
fn without_reserved(tags: BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.into_iter().filter(|(k, _)| !is_reserved_tag(k)).collect()
}

/// True when the old or the new inputs give the policy as JSON.
fn uses_document(olds: &Map, news: &Map, key: &str) -> bool {
    let given = |m: &Map| !matches!(m.get(key).map(Value::plain), None | Some(Value::Null));
    given(olds) || given(news)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::lifecycle::LifecyclePolicy;
    use crate::resources::repository::args::{Encryption, RepositoryArgs};
    use crate::resources::repository::outputs::{Policies, Remote, outputs};

    fn args() -> RepositoryArgs {
        RepositoryArgs {
            repository_name: "app".into(),
            immutable_tags: true,
            tag_exclusions: vec!["latest".into(), "dev-*".into()],
            scan_on_push: true,
            encryption_type: Encryption::Aes256,
            kms_key: None,
            lifecycle_policy: Some(LifecyclePolicy {
                expire_untagged_after_days: Some(14),
                max_image_count: None,
                tagged: vec![],
                ..Default::default()
            }),
            lifecycle_document: None,
            policy_document: None,
            force_delete: false,
            tags: BTreeMap::from([("team".into(), "a".into())]),
            access: Access { pull: vec![ROLE.into()], ..Default::default() },
        }
    }
    const ROLE: &str = "arn:aws:iam::123456789012:role/task";
    fn remote() -> Remote {
        Remote {
            arn: "arn:aws:ecr:us-east-1:123456789012:repository/app".into(),
            registry_id: "123456789012".into(),
            repository_url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app".into(),
        }
    }
    fn state(a: &RepositoryArgs) -> Map {
        let policies = Policies { lifecycle: a.lifecycle_text(), repository: a.repository_policy_text("aws") };
        outputs(a, &remote(), &ProviderConfig::default(), policies)
    }
    fn run(old: &RepositoryArgs, new: &RepositoryArgs) -> DiffResult {
        diff(&state(old), &new.to_map(), &[], &ProviderConfig::default())
    }

    fn in_region(region: &str) -> ProviderConfig {
        ProviderConfig { resolved_region: Some(region.into()), ..Default::default() }
    }

    #[test]
    fn the_region_in_force_decides_whether_the_repository_moves() {
        // The same region, however the configuration spells it: no change.
        let d = diff(&state(&args()), &args().to_map(), &[], &in_region("us-east-1"));
        assert_eq!(d, DiffResult::default());
        // Another region with forceDelete false: refused, nothing to apply.
        let d = diff(&state(&args()), &args().to_map(), &[], &in_region("eu-west-1"));
        let refusal = d.refusal.expect("refused");
        for words in ["\"app\" is in us-east-1", "now points at eu-west-1", "forceDelete: false", "forceDelete: true"] {
            assert!(refusal.contains(words), "{words}: {refusal}");
        }
        // With forceDelete true: a replacement shown on the ARN, made beside
        // the old one (another region), with a warning that images go.
        let mut force = args();
        force.force_delete = true;
        let d = diff(&state(&force), &args().to_map(), &[], &in_region("eu-west-1"));
        assert!(d.refusal.expect("refused").contains("is turned off in the same update that moves it"));
        let d = diff(&state(&force), &force.to_map(), &[], &in_region("eu-west-1"));
        assert_eq!(d.refusal, None);
        assert_eq!(d.replaces, vec!["arn"]);
        assert_eq!(d.detailed["arn"], DiffKind::UpdateReplace);
        assert!(d.output_diffs.contains("arn"));
        assert!(!d.delete_before_replace, "the new one can exist beside the old one in another region");
        assert!(d.warnings[0].contains("moves from us-east-1 to eu-west-1"), "{:?}", d.warnings);
        // An assumed role of another account moves it too; one of the same
        // account does not.
        let role = |account: &str| ProviderConfig {
            assume_role: Some(crate::config::AssumeRole {
                role_arn: format!("arn:aws:iam::{account}:role/deployer"),
                session_name: None,
                external_id: None,
                duration_seconds: None,
            }),
            ..in_region("us-east-1")
        };
        assert!(!diff(&state(&args()), &args().to_map(), &[], &role("123456789012")).has_changes());
        let d = diff(&state(&force), &force.to_map(), &[], &role("210987654321"));
        assert_eq!(d.replaces, vec!["arn"]);
        assert!(d.warnings[0].contains("from account 123456789012 to account 210987654321"), "{:?}", d.warnings);
    }

    #[test]
    fn no_change_is_no_diff() {
        let d = run(&args(), &args());
        assert_eq!(d, DiffResult::default());
        let mut reordered = args();
        reordered.tag_exclusions.reverse();
        assert!(!run(&args(), &reordered).has_changes());
    }

    #[test]
    fn policy_documents_compare_by_meaning_with_the_text_in_force() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"ecr:BatchGetImage"}]}"#;
        let reshaped = r#"{"Statement": [{"Action": "ecr:BatchGetImage", "Principal": {"Service": "lambda.amazonaws.com"}, "Effect": "Allow"}], "Version": "2012-10-17"}"#;
        let mut a = args();
        a.access = Access::default();
        a.policy_document = Some(policy.into());
        a.lifecycle_policy = None;
        a.lifecycle_document = Some(r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":9},"action":{"type":"expire"}}]}"#.into());
        let mut same = a.clone();
        same.policy_document = Some(reshaped.into());
        assert!(!run(&a, &same).has_changes(), "key order and spacing do not matter");
        let mut other = a.clone();
        other.policy_document = Some(policy.replace("BatchGetImage", "GetDownloadUrlForLayer"));
        assert_eq!(run(&a, &other).diffs, vec!["repositoryPolicyDocument"]);
        let mut fields = a.clone();
        fields.lifecycle_document = None;
        fields.lifecycle_policy = Some(LifecyclePolicy { max_image_count: Some(9), ..Default::default() });
        let d = run(&a, &fields);
        assert_eq!(d.diffs, vec!["lifecyclePolicy", "lifecyclePolicyDocument"]);
    }

    #[test]
    fn updates_in_place_with_kinds() {
        type Change = Box<dyn Fn(&mut RepositoryArgs)>;
        let table: Vec<(&str, Change, DiffKind)> = vec![
            (
                "immutableTags",
                Box::new(|a| {
                    a.immutable_tags = false;
                    a.tag_exclusions.clear();
                }),
                DiffKind::Update,
            ),
            ("scanOnPush", Box::new(|a| a.scan_on_push = false), DiffKind::Update),
            ("forceDelete", Box::new(|a| a.force_delete = true), DiffKind::Update),
            ("mutableTagExclusions", Box::new(|a| a.tag_exclusions.clear()), DiffKind::Delete),
            ("lifecyclePolicy", Box::new(|a| a.lifecycle_policy = None), DiffKind::Delete),
            (
                "lifecyclePolicy",
                Box::new(|a| a.lifecycle_policy.as_mut().unwrap().max_image_count = Some(3)),
                DiffKind::Update,
            ),
            (
                "tags",
                Box::new(|a| {
                    a.tags.insert("b".into(), "c".into());
                }),
                DiffKind::Update,
            ),
            ("pullPrincipals", Box::new(|a| a.access.pull.push("123456789012".into())), DiffKind::Update),
            ("pullPrincipals", Box::new(|a| a.access.pull.clear()), DiffKind::Delete),
            ("pushPrincipals", Box::new(|a| a.access.push.push("123456789012".into())), DiffKind::Add),
        ];
        // Turning tags mutable moves the exceptions to the other mode's field.
        let mut mutable = args();
        mutable.immutable_tags = false;
        let d = run(&args(), &mutable);
        assert_eq!(d.diffs, vec!["immutableTags", "mutableTagExclusions", "immutableTagExclusions"]);
        assert_eq!(d.detailed["mutableTagExclusions"], DiffKind::Delete);
        assert_eq!(d.detailed["immutableTagExclusions"], DiffKind::Add);
        for (key, change, kind) in table {
            let mut new = args();
            change(&mut new);
            let mut old = args();
            if key == "immutableTags" {
                old.tag_exclusions.clear();
            }
            let d = run(&old, &new);
            assert_eq!(d.diffs, vec![key.to_string()], "{key}");
            assert_eq!(d.detailed[key], kind, "{key}");
            assert!(d.replaces.is_empty(), "{key}");
        }
    }

    #[test]
    fn encryption_change_replaces_delete_first_when_name_is_kept() {
        let mut forced = args();
        forced.force_delete = true;
        let mut new = forced.clone();
        new.encryption_type = Encryption::Kms;
        let d = run(&forced, &new);
        assert_eq!(d.replaces, vec!["encryptionType".to_string()]);
        assert_eq!(d.detailed["encryptionType"], DiffKind::UpdateReplace);
        assert!(d.delete_before_replace);
        assert!(d.warnings.is_empty(), "forceDelete is true: nothing to warn about");

        let mut generated = new.to_map();
        generated.insert("__defaults".into(), Value::Array(vec!["repositoryName".into()]));
        let d = diff(&state(&forced), &generated, &[], &ProviderConfig::default());
        assert!(!d.delete_before_replace, "a generated name is generated afresh on replacement");

        new.repository_name = "app2".into();
        let d = run(&forced, &new);
        assert_eq!(d.replaces, vec!["repositoryName".to_string(), "encryptionType".to_string()]);
        assert!(!d.delete_before_replace);
    }

    #[test]
    fn without_force_delete_the_old_repository_goes_first_and_the_preview_warns() {
        let mut renamed = args();
        renamed.repository_name = "app2".into();
        let d = run(&args(), &renamed);
        assert_eq!(d.replaces, vec!["repositoryName".to_string()]);
        assert!(d.delete_before_replace, "a failure to delete comes before anything new is made");
        assert_eq!(d.warnings.len(), 1);
        assert!(
            d.warnings[0].contains("replacing ECR repository \"app\" (repositoryName changes)"),
            "{:?}",
            d.warnings
        );
        assert!(d.warnings[0].contains("set only forceDelete: true"), "{:?}", d.warnings);
        assert!(run(&args(), &args()).warnings.is_empty(), "no replacement, no warning");
    }

    #[test]
    fn unknown_new_values_are_changes() {
        let mut forced = args();
        forced.force_delete = true;
        let mut news = forced.to_map();
        news.insert("repositoryName".into(), Value::Unknown);
        news.insert("scanOnPush".into(), Value::Unknown);
        let d = diff(&state(&forced), &news, &[], &ProviderConfig::default());
        assert_eq!(d.diffs, vec!["repositoryName".to_string(), "scanOnPush".to_string()]);
        assert!(!d.delete_before_replace);
    }

    #[test]
    fn ignore_changes_is_honoured() {
        let mut new = args();
        new.tags.insert("b".into(), "c".into());
        new.scan_on_push = false;
        let d = diff(&state(&args()), &new.to_map(), &["tags".into(), "scanOnPush".into()], &ProviderConfig::default());
        assert_eq!(d, DiffResult::default());
        let d = diff(&state(&args()), &new.to_map(), &["tags[\"b\"]".into()], &ProviderConfig::default());
        assert_eq!(d.diffs, vec!["scanOnPush".to_string()]);
    }

    #[test]
    fn drift_in_stored_policy_text_shows_as_update() {
        let mut olds = state(&args());
        olds.insert("lifecyclePolicyText".into(), r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#.into());
        let d = diff(&olds, &args().to_map(), &[], &ProviderConfig::default());
        assert_eq!(d.detailed.get("lifecyclePolicy"), Some(&DiffKind::Update));
    }

    #[test]
    fn principals_compare_with_the_policy_in_force() {
        let mut a = args();
        a.access.pull = vec![ROLE.into(), "123456789012".into()];
        // Reordered lists: no change.
        let mut reordered = a.clone();
        reordered.access.pull.reverse();
        assert!(!diff(&state(&a), &reordered.to_map(), &[], &ProviderConfig::default()).has_changes());

        // Refresh found the policy edited by hand (still expressible): the
        // account moved to push. Both lists differ from what is in force.
        let mut olds = state(&a);
        let edited = Access { pull: vec![ROLE.into()], push: vec!["123456789012".into()], ..Default::default() };
        olds.insert("repositoryPolicyText".into(), edited.to_policy("aws").unwrap().into());
        let d = diff(&olds, &a.to_map(), &[], &ProviderConfig::default());
        assert_eq!(d.diffs, vec!["pullPrincipals".to_string(), "pushPrincipals".to_string()]);

        // The policy in force is gone: declaring principals is a change.
        let mut olds = state(&a);
        olds.remove("repositoryPolicyText");
        let d = diff(&olds, &a.to_map(), &[], &ProviderConfig::default());
        assert_eq!(d.diffs, vec!["pullPrincipals".to_string()]);

        // A policy the lists cannot express: the text itself is the change,
        // an update while principals are declared, a delete when none are.
        let mut olds = state(&a);
        let odd = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}"#;
        olds.insert("repositoryPolicyText".into(), odd.into());
        let d = diff(&olds, &a.to_map(), &[], &ProviderConfig::default());
        assert_eq!(d.diffs, vec!["repositoryPolicyText".to_string()]);
        assert_eq!(d.detailed["repositoryPolicyText"], DiffKind::Update);
        let mut none = a.clone();
        none.access = Access::default();
        let mut olds_none = state(&none);
        olds_none.insert("repositoryPolicyText".into(), odd.into());
        let d = diff(&olds_none, &none.to_map(), &[], &ProviderConfig::default());
        assert_eq!(d.detailed["repositoryPolicyText"], DiffKind::Delete);
        let ignored = ["pullPrincipals".to_string(), "pushPrincipals".to_string()];
        assert!(!diff(&olds_none, &none.to_map(), &ignored, &ProviderConfig::default()).has_changes());

        // Unknown principals are a change.
        let mut news = a.to_map();
        news.insert("pushPrincipals".into(), Value::Unknown);
        assert_eq!(diff(&state(&a), &news, &[], &ProviderConfig::default()).diffs, vec!["pushPrincipals".to_string()]);
    }

    #[test]
    fn provider_tag_changes_update_tags_all() {
        let config = ProviderConfig { environment: Some("prod".into()), ..Default::default() };
        let d = diff(&state(&args()), &args().to_map(), &[], &config);
        assert_eq!(d.diffs, vec!["tagsAll".to_string()]);
    }
}
