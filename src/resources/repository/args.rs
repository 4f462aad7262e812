//! Repository inputs: the raw property map is checked into [`RepositoryArgs`],
//! the typed value the rest of the resource trusts. Check also applies the
//! defaults and picks the repository name.

use std::collections::BTreeMap;

use super::{PROPERTIES, TOKEN};
use crate::config::ProviderConfig;
use crate::names::*;
use crate::naming::{NamingContext, apply_naming};
use crate::policy::access::{Access, MAX_POLICY_LENGTH};
use crate::policy::lifecycle::{self, LifecyclePolicy};
use crate::property::{Map, Value};
pub use crate::repository_settings::Encryption;
use crate::repository_settings::{ACCESS_INPUTS, encryption, mutability_mode, principals, tag_exclusions, tags};
use crate::resource::{input_reader, program_inputs, replace_on_change};
use crate::validate::{Failure, Field, Reader, redact, stringify_values};

/// Validated inputs of a repository, every value known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryArgs {
    pub repository_name: String,
    pub immutable_tags: bool,
    /// The exceptions to `immutable_tags`: tags that stay mutable in an
    /// immutable repository (`mutableTagExclusions`), or that become
    /// immutable in a mutable one (`immutableTagExclusions`).
    pub tag_exclusions: Vec<String>,
    pub scan_on_push: bool,
    pub encryption_type: Encryption,
    pub kms_key: Option<String>,
    pub lifecycle_policy: Option<LifecyclePolicy>,
    /// A lifecycle policy as ECR's JSON, for one the fields cannot express
    /// (an adopted repository's); never together with `lifecycle_policy`.
    pub lifecycle_document: Option<String>,
    /// A repository policy as JSON, for one the access fields cannot
    /// express; never together with `access`.
    pub policy_document: Option<String>,
    pub force_delete: bool,
    pub tags: BTreeMap<String, String>,
    /// Who may pull and who may push (principals, organizations, the Lambda
    /// service); nothing granted means no repository policy.
    pub access: Access,
}

impl RepositoryArgs {
    /// The ECR tag mutability mode these inputs ask for.
    pub fn image_tag_mutability(&self) -> &'static str {
        mutability_mode(self.immutable_tags, !self.tag_exclusions.is_empty())
    }

    /// The lifecycle policy these inputs ask for, as ECR's JSON.
    pub fn lifecycle_text(&self) -> Option<String> {
        self.lifecycle_document.clone().or_else(|| self.lifecycle_policy.as_ref().and_then(|p| p.to_json()))
    }

    /// The repository policy these inputs ask for, in `partition`.
    pub fn repository_policy_text(&self, partition: &str) -> Option<String> {
        self.policy_document.clone().or_else(|| self.access.to_policy(partition))
    }

    /// The inputs as a property map (the shape Check returns and Read
    /// rebuilds), written by the getters of [`PROPERTIES`].
    pub fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

/// Check: validates `news`, applies defaults and the name, and returns the
/// checked inputs (secret markings kept) with every failure.
pub fn check(news: &Map, olds: &Map, naming: &NamingContext, config: &ProviderConfig) -> (Map, Vec<Failure>) {
    let mut checked = program_inputs(PROPERTIES, news);
    let mut failures = Vec::new();

    if let Some(f) = apply_naming(&mut checked, news, olds, naming, REPOSITORY_NAME, name_problem) {
        failures.push(f);
    }
    if let Some(f) = force_delete_off_in_a_replacement(olds, &checked) {
        failures.push(f);
    }
    // Tag values are strings: a number or boolean is kept in its string form.
    if let Some(tags) = checked.get_mut(TAGS) {
        *tags = stringify_values(tags);
    }
    let (_, mut more) = parse(&checked, config);
    failures.append(&mut more);
    (checked, redact(failures, news))
}

/// A replacement deletes the old repository with the old state's
/// `forceDelete`. Turning forceDelete off in the same update that replaces
/// the repository would therefore delete the old one with its images,
/// against the program's latest word: refused, with the order that works.
fn force_delete_off_in_a_replacement(olds: &Map, checked: &Map) -> Option<Failure> {
    let plain = |m: &Map, k: &str| m.get(k).map(Value::plain).filter(|v| *v != Value::Null);
    let (Some(Value::Bool(true)), Some(Value::Bool(false))) = (plain(olds, FORCE_DELETE), plain(checked, FORCE_DELETE))
    else {
        return None;
    };
    let replacing: Vec<&str> = replace_on_change(PROPERTIES)
        .into_iter()
        .filter(|k| {
            let (old, new) = (plain(olds, k), plain(checked, k));
            !new.as_ref().is_some_and(Value::contains_unknown) && old != new
        })
        .collect();
    if replacing.is_empty() {
        return None;
    }
    Some(Failure::new(
        FORCE_DELETE,
        format!(
            "is turned off in the same update that replaces the repository ({} changes), but the replacement would delete the old repository with the forceDelete: true it has now, images and all; set forceDelete: false in a `pulumi up` of its own first, then make the change",
            replacing.join(", ")
        ),
    ))
}

/// Reads checked inputs. Returns the typed arguments when every value is
/// known and valid (`None` while something is unknown), plus the failures.
pub fn parse(map: &Map, config: &ProviderConfig) -> (Option<RepositoryArgs>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);

    let name = match r.string(REPOSITORY_NAME) {
        Field::Known(n) => match name_problem(&n) {
            Some(reason) => {
                r.fail(REPOSITORY_NAME, reason);
                Field::Invalid
            }
            None => Field::Known(n),
        },
        Field::Absent => {
            r.fail(REPOSITORY_NAME, "is required");
            Field::Invalid
        }
        other => other,
    };
    let immutable = r.bool(IMMUTABLE_TAGS);
    let exclusions = tag_exclusions(&mut r, &immutable);
    let scan = r.bool(SCAN_ON_PUSH);
    let (encryption, kms_key) = encryption(&mut r, config.region_in_force());
    let lifecycle = lifecycle::read(&mut r, LIFECYCLE_POLICY);
    let force = r.bool(FORCE_DELETE);
    let tags =
        tags(&mut r, |own| config.effective_tags(own).len(), "including the provider's defaultTags and metadata tags");
    let access = principals(&mut r, config.partition(), config.region_in_force());
    let lifecycle_document = policy_document(&mut r, PolicyKind::Lifecycle, map);
    let policy_document = policy_document(&mut r, PolicyKind::Repository, map);

    let failures = std::mem::take(&mut r.failures);
    if !failures.is_empty() {
        return (None, failures);
    }
    let kms_key = match kms_key {
        Field::Known(k) => Some(k),
        Field::Absent => None,
        _ => return (None, failures),
    };
    let args = (|| {
        Some(RepositoryArgs {
            repository_name: name.known()?,
            immutable_tags: immutable.or(true)?,
            tag_exclusions: match exclusions {
                Field::Absent => Vec::new(),
                other => other.known()?,
            },
            scan_on_push: scan.or(true)?,
            encryption_type: encryption.or(Encryption::Aes256)?,
            kms_key,
            lifecycle_policy: lifecycle.known()?,
            lifecycle_document: lifecycle_document.optional()?,
            policy_document: policy_document.optional()?,
            force_delete: force.or(false)?,
            tags: tags.known()?,
            access: access.known()?,
        })
    })();
    (args, failures)
}

#[derive(Clone, Copy)]
pub(crate) enum PolicyKind {
    Lifecycle,
    Repository,
}

/// Reads `lifecyclePolicyDocument` or `repositoryPolicyDocument`: JSON that
/// ECR would take (an object with lifecycle `rules`, or policy `Statement`s,
/// within ECR's length limit), and never together with the simple fields it
/// stands in for. Shared with the RepositoryTemplate, whose documents have
/// the same limits (botocore's `LifecyclePolicyTextForRepositoryCreationTemplate`
/// and `RepositoryPolicyText`).
pub(crate) fn policy_document(r: &mut Reader<'_>, kind: PolicyKind, map: &Map) -> Field<String> {
    let (key, list, max, simple): (&str, &str, usize, &[&str]) = match kind {
        PolicyKind::Lifecycle => {
            (LIFECYCLE_POLICY_DOCUMENT, "rules", lifecycle::MAX_POLICY_LENGTH, &[LIFECYCLE_POLICY])
        }
        PolicyKind::Repository => (REPOSITORY_POLICY_DOCUMENT, "Statement", MAX_POLICY_LENGTH, ACCESS_INPUTS),
    };
    let text = match r.string(key) {
        Field::Known(t) => t,
        other => return other,
    };
    let given: Vec<&str> =
        simple.iter().copied().filter(|k| !matches!(map.get(*k), None | Some(Value::Null))).collect();
    if !given.is_empty() {
        r.fail(
            key,
            format!(
                "is the JSON form of {}; set one or the other (the JSON form is for a policy those fields cannot express)",
                given.join(" and ")
            ),
        );
        return Field::Invalid;
    }
    let problem = match serde_json::from_str::<serde_json::Value>(&text) {
        Err(e) => Some(format!("must be JSON, got text that does not parse ({e})")),
        Ok(doc) => match doc.get(list) {
            _ if !doc.is_object() => Some("must be a JSON object".to_string()),
            Some(serde_json::Value::Array(items)) if !items.is_empty() => None,
            Some(serde_json::Value::Object(_)) if list == "Statement" => None,
            _ => Some(format!("must hold a non-empty \"{list}\" list")),
        },
    };
    let problem = problem.or_else(|| {
        (text.chars().count() > max)
            .then(|| format!("must be at most {max} characters (ECR's limit), got {}", text.chars().count()))
    });
    match problem {
        Some(reason) => {
            r.fail(key, reason);
            Field::Invalid
        }
        None => Field::Known(text),
    }
}

// ---------------------------------------------------------------- names

/// Why ECR would refuse a repository name, if it would. ECR's rule
/// (botocore's ECR model, shape RepositoryName), 2-256 characters:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`.
pub fn name_problem(name: &str) -> Option<String> {
    let len = name.chars().count();
    if !(2..=256).contains(&len) {
        return Some(format!("must be 2 to 256 characters, got {len}"));
    }
    if name.split('/').all(name_component_ok) {
        None
    } else {
        Some(format!(
            "must be lowercase letters and digits, separated by single . or _ characters, a double __ or any run of -, with optional namespaces separated by / (like my-org/service-name), got \"{name}\""
        ))
    }
}

/// One `/`-separated part of a repository name: runs of lowercase letters
/// and digits joined by `.`, `_`, `__` or one or more `-`.
fn name_component_ok(c: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = c.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
    if !alnum(first) || !alnum(last) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::naming::{Autonaming, auto_name, has_random_name};
    use crate::repository_settings::kms_key_problem;

    use crate::property::map_of as map;
    fn ctx() -> NamingContext {
        NamingContext { resource_name: "My_App".into(), random_seed: vec![1, 2, 3], autonaming: None }
    }
    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(map(pairs))
    }
    fn n(x: f64) -> Value {
        Value::Number(x)
    }

    #[test]
    fn defaults_are_applied() {
        let (checked, failures) = check(&Map::new(), &Map::new(), &ctx(), &ProviderConfig::default());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(checked["immutableTags"], Value::Bool(true));
        assert_eq!(checked["scanOnPush"], Value::Bool(true));
        assert_eq!(checked["encryptionType"], Value::String("AES256".into()));
        assert_eq!(checked["forceDelete"], Value::Bool(false));
        let name = checked["repositoryName"].as_str().unwrap();
        assert!(name.starts_with("my-app-") && name.len() == "my-app-".len() + 7, "{name}");
        let (args, _) = parse(&checked, &ProviderConfig::default());
        let args = args.unwrap();
        assert_eq!(args.image_tag_mutability(), "IMMUTABLE");
        assert_eq!(args.lifecycle_policy, None);
    }

    #[test]
    fn naming_is_deterministic_and_honours_olds_and_autonaming() {
        let c = ProviderConfig::default();
        let a = check(&Map::new(), &Map::new(), &ctx(), &c).0;
        let b = check(&Map::new(), &Map::new(), &ctx(), &c).0;
        assert_eq!(a["repositoryName"], b["repositoryName"]);
        let other = NamingContext { random_seed: vec![9], ..ctx() };
        assert_ne!(check(&Map::new(), &Map::new(), &other, &c).0["repositoryName"], a["repositoryName"]);

        assert!(has_random_name(&a), "a generated name is marked");
        let olds = map(&[("repositoryName", "kept-name".into())]);
        let kept = check(&Map::new(), &olds, &ctx(), &c).0;
        assert_eq!(kept["repositoryName"], Value::String("kept-name".into()));
        assert!(!has_random_name(&kept), "a reused name is marked only if it was generated");
        assert!(has_random_name(&check(&Map::new(), &a, &ctx(), &c).0));

        let given = map(&[("repositoryName", "explicit".into())]);
        let explicit = check(&given, &a, &ctx(), &c).0;
        assert_eq!(explicit["repositoryName"], Value::String("explicit".into()));
        assert!(!has_random_name(&explicit));

        let propose = NamingContext { autonaming: Some(Autonaming::Propose("Team_Repo".into())), ..ctx() };
        assert_eq!(
            check(&Map::new(), &Map::new(), &propose, &c).0["repositoryName"],
            Value::String("team-repo".into())
        );

        let enforce = NamingContext { autonaming: Some(Autonaming::Enforce("Bad Name".into())), ..ctx() };
        let (_, f) = check(&Map::new(), &Map::new(), &enforce, &c);
        assert_eq!(f[0].property, "repositoryName");

        let disable = NamingContext { autonaming: Some(Autonaming::Disable), ..ctx() };
        let (_, f) = check(&Map::new(), &Map::new(), &disable, &c);
        assert!(f[0].reason.contains("automatic naming is disabled"), "{f:?}");
    }

    #[test]
    fn sanitize_makes_valid_names() {
        for raw in ["My_App", "--x--", "a//b", "ÄÖÜ", "UPPER case", "x", "a.b_c", "/lead"] {
            let s = auto_name(raw, b"seed");
            assert_eq!(name_problem(&s), None, "{raw} -> {s}");
        }
    }

    #[test]
    fn every_bad_value_names_its_path() {
        type Case<'a> = (Vec<(&'a str, Value)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("repositoryName", "A".into())], "repositoryName", "must be 2 to 256 characters, got 1"),
            (
                vec![("repositoryName", "x".repeat(257).into())],
                "repositoryName",
                "must be 2 to 256 characters, got 257",
            ),
            (vec![("repositoryName", "My-Repo".into())], "repositoryName", "must be lowercase letters and digits"),
            (vec![("repositoryName", "a..b".into())], "repositoryName", "separated by single"),
            (vec![("repositoryName", "org//svc".into())], "repositoryName", "namespaces"),
            (vec![("repositoryName", "-abc".into())], "repositoryName", "got \"-abc\""),
            (vec![("repositoryName", Value::Number(3.0))], "repositoryName", "must be a string, got a number"),
            (vec![("immutableTags", "yes".into())], "immutableTags", "must be true or false, got a string"),
            (vec![("scanOnPush", Value::Number(1.0))], "scanOnPush", "must be true or false, got a number"),
            (vec![("forceDelete", "true".into())], "forceDelete", "must be true or false"),
            (
                vec![("encryptionType", "RSA".into())],
                "encryptionType",
                "must be one of AES256, KMS, KMS_DSSE, got \"RSA\"",
            ),
            (vec![("kmsKey", "alias/x".into())], "kmsKey", "is only allowed when encryptionType is KMS or KMS_DSSE"),
            (vec![("encryptionType", "KMS".into()), ("kmsKey", "".into())], "kmsKey", "got an empty string"),
            (
                vec![("mutableTagExclusions", Value::Array(vec![]))],
                "mutableTagExclusions",
                "must hold 1 to 5 tag filters, got 0",
            ),
            (
                vec![("mutableTagExclusions", Value::Array((0..6).map(|i| format!("t{i}").into()).collect()))],
                "mutableTagExclusions",
                "got 6",
            ),
            (
                vec![("mutableTagExclusions", Value::Array(vec!["lat est".into()]))],
                "mutableTagExclusions[0]",
                "wildcard",
            ),
            (
                vec![("mutableTagExclusions", Value::Array(vec!["x".repeat(129).into()]))],
                "mutableTagExclusions[0]",
                "1 to 128",
            ),
            (vec![("mutableTagExclusions", "latest".into())], "mutableTagExclusions", "must be a list of strings"),
            (
                vec![("lifecyclePolicy", obj(&[]))],
                "lifecyclePolicy",
                "must set expireUntaggedAfterDays or maxImageCount",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("maxImageCount", n(0.0))]))],
                "lifecyclePolicy.maxImageCount",
                "must be between 1 and 10000, got 0",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("maxImageCount", n(10001.0))]))],
                "lifecyclePolicy.maxImageCount",
                "got 10001",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("expireUntaggedAfterDays", n(0.0))]))],
                "lifecyclePolicy.expireUntaggedAfterDays",
                "must be between 1 and 3650, got 0",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("expireUntaggedAfterDays", n(3651.0))]))],
                "lifecyclePolicy.expireUntaggedAfterDays",
                "got 3651",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("expireUntaggedAfterDays", n(1.5))]))],
                "lifecyclePolicy.expireUntaggedAfterDays",
                "whole number",
            ),
            (
                vec![("lifecyclePolicy", obj(&[("keepLast", n(3.0))]))],
                "lifecyclePolicy.keepLast",
                "is not a field of lifecyclePolicy",
            ),
            (vec![("lifecyclePolicy", "14".into())], "lifecyclePolicy", "must be an object"),
            (vec![("tags", obj(&[("aws:team", "x".into())]))], "tags.aws:team", "reserved prefix"),
            (vec![("tags", obj(&[("", "x".into())]))], "tags.", "1 to 128 characters"),
            (vec![("tags", obj(&[("k", "v".repeat(257).into())]))], "tags.k", "at most 256"),
            (vec![("tags", obj(&[("k", Value::Array(vec![]))]))], "tags.k", "must be a string"),
            (
                vec![(
                    "tags",
                    obj(&(0..51)
                        .map(|i| (Box::leak(format!("k{i}").into_boxed_str()) as &str, Value::from("v")))
                        .collect::<Vec<_>>()),
                )],
                "tags",
                "at most 50 tags",
            ),
            (vec![("colour", "blue".into())], "colour", "is not a property of awsecr:index:Repository"),
            (
                vec![("pullPrincipals", Value::Array(vec!["123456789012".into(), "arn:aws:iam::1:role/x".into()]))],
                "pullPrincipals[1]",
                "must be a 12-digit AWS account id or the ARN of an IAM role or user",
            ),
            (
                vec![("pushPrincipals", Value::Array(vec!["arn:aws:iam::123456789012:group/devs".into()]))],
                "pushPrincipals[0]",
                "only roles and users",
            ),
            (
                vec![("pushPrincipals", Value::Array(vec!["123456789012".into(), "123456789012".into()]))],
                "pushPrincipals[1]",
                "is listed twice (also at pushPrincipals[0])",
            ),
            (
                vec![
                    ("pullPrincipals", Value::Array(vec!["111122223333".into(), "123456789012".into()])),
                    ("pushPrincipals", Value::Array(vec!["123456789012".into()])),
                ],
                "pullPrincipals[1]",
                "is also in pushPrincipals",
            ),
            (vec![("pullPrincipals", "123456789012".into())], "pullPrincipals", "must be a list of strings"),
            (
                vec![("pushPrincipals", Value::Array(vec![Value::Number(1.0)]))],
                "pushPrincipals[0]",
                "quote account ids",
            ),
            (
                vec![(
                    "pullPrincipals",
                    Value::Array(
                        (0..200)
                            .map(|i| format!("arn:aws:iam::123456789012:role/some-fairly-long-role-name-{i}").into())
                            .collect(),
                    ),
                )],
                "pullPrincipals",
                "more than the 10240 ECR allows",
            ),
        ];
        for (pairs, path, reason) in cases {
            let (_, failures) = check(&map(&pairs), &Map::new(), &ctx(), &ProviderConfig::default());
            assert!(
                failures.iter().any(|f| f.property == path && f.reason.contains(reason)),
                "{pairs:?}: wanted {path}: {reason}; got {failures:?}"
            );
        }
    }

    #[test]
    fn names_follow_the_current_aws_rule() {
        for good in ["a__b", "my-app--v2", "a---b", "platform/api", "a.b_c-d", "ns/a__b/c--d", "ab", "0x"] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in ["a___b", "a_-b", "a-_b", "a..b", "a._b", "-ab", "ab-", "a//b", "/ab", "ab/", "a b", "aB", "é1"] {
            let reason = name_problem(bad).unwrap_or_default();
            assert!(reason.contains("must be lowercase letters and digits"), "{bad}: {reason}");
        }
    }

    #[test]
    fn kms_keys_take_every_form_aws_accepts() {
        let id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        let region = Some("us-east-1");
        for good in [
            id.to_string(),
            "mrk-1234abcd12ab34cd56ef1234567890ab".to_string(),
            "alias/app-key".to_string(),
            "alias/aws/ecr".to_string(),
            format!("arn:aws:kms:us-east-1:123456789012:key/{id}"),
            "arn:aws:kms:us-east-1:123456789012:alias/app".to_string(),
        ] {
            assert_eq!(kms_key_problem(&good, region), None, "{good}");
        }
        let cases = [
            ("app-key", "must be a KMS key id, key ARN, alias"),
            ("alias/", "must be a KMS key id"),
            ("alias/bad name", "must be a KMS key id"),
            ("1234abcd-12ab-34cd-56ef", "must be a KMS key id"),
            ("arn:aws:s3:::bucket", "must be a KMS key id"),
            ("arn:aws:kms:us-east-1:123456789012:key/not-a-key-id", "must be a KMS key id"),
            ("arn:aws-cn:kms:us-east-1:123456789012:alias/app", "must be a KMS key id"),
            ("arn:aws:kms:eu-west-1:123456789012:alias/app", "must be a key of the repository's region us-east-1"),
            ("arn:aws-cn:kms:cn-north-1:123456789012:alias/app", "must be a key of the repository's region us-east-1"),
            ("", "got an empty string"),
        ];
        for (key, words) in cases {
            let reason = kms_key_problem(key, region).unwrap_or_default();
            assert!(reason.contains(words), "{key}: {reason}");
        }
        // Without a known region, any region's ARN has the right form.
        assert_eq!(kms_key_problem("arn:aws:kms:eu-west-1:123456789012:alias/app", None), None);
    }

    #[test]
    fn principals_must_be_in_the_repository_partition() {
        let config = ProviderConfig { region: Some("cn-north-1".into()), ..Default::default() };
        let news = map(&[(
            "pullPrincipals",
            Value::Array(vec![
                "arn:aws-cn:iam::123456789012:role/ok".into(),
                "arn:aws:iam::123456789012:role/x".into(),
            ]),
        )]);
        let (_, f) = check(&news, &Map::new(), &ctx(), &config);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].property, "pullPrincipals[1]");
        assert!(f[0].reason.contains("is in the partition aws, but the repository is in aws-cn"), "{f:?}");
        // The policy size is measured with the partition's own root ARNs:
        // 280 accounts fit in the aws partition, not in aws-us-gov.
        let accounts: Vec<Value> = (0..280).map(|i| Value::from(format!("{:012}", 100_000_000_000u64 + i))).collect();
        let news = map(&[("pullPrincipals", Value::Array(accounts))]);
        let (_, f_aws) = check(&news, &Map::new(), &ctx(), &Default::default());
        assert!(f_aws.is_empty(), "{f_aws:?}");
        let gov = ProviderConfig { region: Some("us-gov-west-1".into()), ..Default::default() };
        let (_, f_gov) = check(&news, &Map::new(), &ctx(), &gov);
        assert!(
            f_gov.iter().any(|f| f.property == "pullPrincipals" && f.reason.contains("more than the 10240")),
            "{f_gov:?}"
        );
    }

    #[test]
    fn each_mode_has_its_own_exclusions_field() {
        let c = ProviderConfig::default();
        let failures = |pairs: Vec<(&str, Value)>| check(&map(&pairs), &Map::new(), &ctx(), &c).1;
        let list = |items: &[&str]| Value::Array(items.iter().map(|s| Value::from(*s)).collect());
        // The right field for each mode.
        let ok = failures(vec![("mutableTagExclusions", list(&["latest"]))]);
        assert!(ok.is_empty(), "{ok:?}");
        let ok = failures(vec![("immutableTags", false.into()), ("immutableTagExclusions", list(&["v*"]))]);
        assert!(ok.is_empty(), "{ok:?}");
        let (checked, _) = check(
            &map(&[("immutableTags", false.into()), ("immutableTagExclusions", list(&["v*"]))]),
            &Map::new(),
            &ctx(),
            &c,
        );
        assert_eq!(parse(&checked, &c).0.unwrap().image_tag_mutability(), "MUTABLE_WITH_EXCLUSION");
        // The wrong field for the mode names the right one.
        let f = failures(vec![("immutableTags", false.into()), ("mutableTagExclusions", list(&["latest"]))]);
        assert!(
            f.iter().any(|f| f.property == "mutableTagExclusions" && f.reason.contains("use immutableTagExclusions")),
            "{f:?}"
        );
        let f = failures(vec![("immutableTagExclusions", list(&["v*"]))]);
        assert!(
            f.iter().any(|f| f.property == "immutableTagExclusions" && f.reason.contains("use mutableTagExclusions")),
            "{f:?}"
        );
        // A filter of every tag would turn the mode around.
        for (pairs, key, words) in [
            (
                vec![("mutableTagExclusions", list(&["*"]))],
                "mutableTagExclusions[0]",
                "set immutableTags: false instead",
            ),
            (
                vec![("immutableTags", true.into()), ("mutableTagExclusions", list(&["v*", "**"]))],
                "mutableTagExclusions[1]",
                "set immutableTags: false instead",
            ),
            (
                vec![("immutableTags", false.into()), ("immutableTagExclusions", list(&["*"]))],
                "immutableTagExclusions[0]",
                "set immutableTags: true instead",
            ),
        ] {
            let f = failures(pairs);
            assert!(f.iter().any(|f| f.property == key && f.reason.contains(words)), "{key}: {f:?}");
        }
    }

    #[test]
    fn failures_never_quote_a_secret_value() {
        let secret = |v: Value| Value::Secret(Box::new(v));
        let news = map(&[
            ("repositoryName", secret("Secret_Name".into())),
            ("pullPrincipals", secret(Value::Array(vec!["arn:aws:iam::1:role/hidden-role".into()]))),
            ("mutableTagExclusions", secret(Value::Array(vec!["bad filter".into()]))),
            ("tags", secret(Value::Object(map(&[("aws:hidden-key", "v".into())])))),
        ]);
        let (_, f) = check(&news, &Map::new(), &ctx(), &ProviderConfig::default());
        let text = format!("{f:?}");
        for s in ["Secret_Name", "hidden-role", "bad filter", "hidden-key"] {
            assert!(!text.contains(s), "{s} shows in {text}");
        }
        for path in ["repositoryName", "pullPrincipals[0]", "mutableTagExclusions[0]", "tags"] {
            assert!(f.iter().any(|f| f.property == path), "{path} is named: {text}");
        }
    }

    #[test]
    fn policy_documents_are_json_and_exclusive_with_the_fields() {
        let c = ProviderConfig::default();
        let lifecycle = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["pr-*"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#;
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":["ecr:BatchGetImage"]}]}"#;
        let (checked, f) = check(
            &map(&[("lifecyclePolicyDocument", lifecycle.into()), ("repositoryPolicyDocument", policy.into())]),
            &Map::new(),
            &ctx(),
            &c,
        );
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &c).0.unwrap();
        assert_eq!(args.lifecycle_text().as_deref(), Some(lifecycle));
        assert_eq!(args.repository_policy_text("aws").as_deref(), Some(policy));
        type Case<'a> = (Vec<(&'a str, Value)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("lifecyclePolicyDocument", "{not json".into())], "lifecyclePolicyDocument", "must be JSON"),
            (
                vec![("lifecyclePolicyDocument", r#"{"rules":[]}"#.into())],
                "lifecyclePolicyDocument",
                "non-empty \"rules\"",
            ),
            (vec![("repositoryPolicyDocument", "[1]".into())], "repositoryPolicyDocument", "must be a JSON object"),
            (
                vec![("repositoryPolicyDocument", r#"{"Version":"2012-10-17"}"#.into())],
                "repositoryPolicyDocument",
                "\"Statement\"",
            ),
            (
                vec![
                    ("lifecyclePolicyDocument", lifecycle.into()),
                    ("lifecyclePolicy", obj(&[("maxImageCount", n(3.0))])),
                ],
                "lifecyclePolicyDocument",
                "is the JSON form of lifecyclePolicy; set one or the other",
            ),
            (
                vec![
                    ("repositoryPolicyDocument", policy.into()),
                    ("pushPrincipals", Value::Array(vec!["123456789012".into()])),
                ],
                "repositoryPolicyDocument",
                "is the JSON form of pushPrincipals",
            ),
            (
                vec![(
                    "repositoryPolicyDocument",
                    format!(r#"{{"Statement":[],"x":"{}"}}"#, "a".repeat(10_300)).into(),
                )],
                "repositoryPolicyDocument",
                "\"Statement\"",
            ),
        ];
        for (pairs, path, words) in cases {
            let (_, f) = check(&map(&pairs), &Map::new(), &ctx(), &c);
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{path}: {f:?}");
        }
        let long = format!(r#"{{"Statement":[{{"Effect":"Allow","Sid":"{}"}}]}}"#, "a".repeat(10_300));
        let (_, f) = check(&map(&[("repositoryPolicyDocument", long.into())]), &Map::new(), &ctx(), &c);
        assert!(f.iter().any(|f| f.reason.contains("must be at most 10240 characters")), "{f:?}");
    }

    #[test]
    fn force_delete_turned_off_in_a_replacement_is_refused() {
        let c = ProviderConfig::default();
        let olds = map(&[
            ("repositoryName", "keep".into()),
            ("forceDelete", true.into()),
            ("encryptionType", "AES256".into()),
        ]);
        let news =
            map(&[("repositoryName", "keep".into()), ("forceDelete", false.into()), ("encryptionType", "KMS".into())]);
        let (_, f) = check(&news, &olds, &ctx(), &c);
        assert!(
            f.iter().any(|f| f.property == "forceDelete"
                && f.reason.contains("encryptionType changes")
                && f.reason.contains("in a `pulumi up` of its own first")),
            "{f:?}"
        );
        // Either change alone is fine.
        let only_off = map(&[("repositoryName", "keep".into()), ("forceDelete", false.into())]);
        assert!(check(&only_off, &olds, &ctx(), &c).1.is_empty());
        let only_replace = map(&[("repositoryName", "kept".into()), ("forceDelete", true.into())]);
        assert!(check(&only_replace, &olds, &ctx(), &c).1.is_empty());
    }

    #[test]
    fn numbers_and_booleans_are_tag_values_in_their_string_form() {
        let news = map(&[("tags", obj(&[("cost", n(42.0)), ("billable", true.into()), ("team", "a".into())]))]);
        let (checked, f) = check(&news, &Map::new(), &ctx(), &ProviderConfig::default());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["tags"], obj(&[("cost", "42".into()), ("billable", "true".into()), ("team", "a".into())]));
        let secret = map(&[("tags", Value::Secret(Box::new(obj(&[("cost", n(7.5))]))))]);
        let (checked, _) = check(&secret, &Map::new(), &ctx(), &ProviderConfig::default());
        assert_eq!(checked["tags"], Value::Secret(Box::new(obj(&[("cost", "7.5".into())]))));
    }

    #[test]
    fn provider_tags_count_towards_the_limit() {
        let config = ProviderConfig {
            default_tags: (0..45).map(|i| (format!("d{i}"), "v".to_string())).collect(),
            organization: Some("acme".into()),
            ..Default::default()
        };
        let tags = obj(&(0..5)
            .map(|i| (Box::leak(format!("t{i}").into_boxed_str()) as &str, Value::from("v")))
            .collect::<Vec<_>>());
        let (_, f) = check(&map(&[("tags", tags)]), &Map::new(), &ctx(), &config);
        assert!(f.iter().any(|f| f.property == "tags" && f.reason.contains("add up to 51")), "{f:?}");
    }

    #[test]
    fn unknowns_never_fail_and_leave_args_unknown() {
        let news = map(&[
            ("repositoryName", Value::Unknown),
            ("kmsKey", Value::Unknown),
            ("encryptionType", "KMS".into()),
            ("lifecyclePolicy", obj(&[("maxImageCount", Value::Unknown)])),
            ("tags", obj(&[("team", Value::Unknown)])),
            ("mutableTagExclusions", Value::Array(vec![Value::Unknown])),
            ("pullPrincipals", Value::Array(vec![Value::Unknown])),
            ("pushPrincipals", Value::Unknown),
        ]);
        let (checked, failures) = check(&news, &Map::new(), &ctx(), &ProviderConfig::default());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(checked["repositoryName"], Value::Unknown);
        assert_eq!(parse(&checked, &ProviderConfig::default()).0, None);
    }

    #[test]
    fn secret_inputs_are_read_and_stay_marked() {
        let news = map(&[("tags", Value::Secret(Box::new(obj(&[("team", "x".into())]))))]);
        let (checked, failures) = check(&news, &Map::new(), &ctx(), &ProviderConfig::default());
        assert!(failures.is_empty());
        assert!(matches!(checked["tags"], Value::Secret(_)));
        let args = parse(&checked, &ProviderConfig::default()).0.unwrap();
        assert_eq!(args.tags["team"], "x");
    }

    #[test]
    fn to_map_round_trips_through_parse() {
        let args = RepositoryArgs {
            repository_name: "platform/api".into(),
            immutable_tags: true,
            tag_exclusions: vec!["latest".into()],
            scan_on_push: false,
            encryption_type: Encryption::Kms,
            kms_key: Some("alias/app".into()),
            lifecycle_policy: Some(LifecyclePolicy {
                expire_untagged_after_days: Some(14),
                max_image_count: Some(100),
                tagged: vec![lifecycle::TaggedRule {
                    selector: lifecycle::TagSelector::Prefixes(vec!["v".into()]),
                    action: lifecycle::TaggedAction::KeepLast(50),
                }],
                ..Default::default()
            }),
            lifecycle_document: None,
            policy_document: None,
            force_delete: true,
            tags: BTreeMap::from([("team".into(), "platform".into())]),
            access: Access {
                pull: vec!["123456789012".into(), "arn:aws:iam::123456789012:role/task".into()],
                push: vec!["arn:aws:iam::123456789012:user/ci".into()],
                organizations: vec!["o-a1b2c3d4e5".into()],
                organization_paths: vec!["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".into()],
                lambda: Some(crate::policy::access::LambdaPull {
                    source_accounts: vec!["111122223333".into()],
                    source_arns: vec![],
                }),
            },
        };
        let (back, failures) = parse(&args.to_map(), &ProviderConfig::default());
        assert!(failures.is_empty(), "{failures:?}");
        assert_eq!(back, Some(args.clone()));
        assert_eq!(args.image_tag_mutability(), "IMMUTABLE_WITH_EXCLUSION");
    }
    #[test]
    fn organization_and_lambda_grants_are_checked() {
        let c = ProviderConfig { region: Some("us-east-1".into()), ..Default::default() };
        let list = |items: &[&str]| Value::Array(items.iter().map(|s| Value::from(*s)).collect());
        let good = map(&[
            ("pullOrganizations", list(&["o-a1b2c3d4e5"])),
            ("pullOrganizationPaths", list(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"])),
            ("pushPrincipals", list(&["arn:aws:iam::111122223333:role/ci"])),
            (
                "lambdaPull",
                obj(&[
                    ("sourceAccounts", list(&["444455556666"])),
                    ("sourceArns", list(&["arn:aws:lambda:us-east-1:444455556666:function:*"])),
                ]),
            ),
        ]);
        let (checked, f) = check(&good, &Map::new(), &ctx(), &c);
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &c).0.unwrap();
        assert_eq!(args.access.organizations, ["o-a1b2c3d4e5"]);
        let text = args.repository_policy_text("aws").unwrap();
        assert!(text.contains("aws:PrincipalOrgID") && text.contains("lambda.amazonaws.com"), "{text}");
        type Case<'a> = (Vec<(&'a str, Value)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("pullOrganizations", list(&["o-123"]))], "pullOrganizations[0]", "o- followed by 10 to 32"),
            (
                vec![("pullOrganizations", list(&["o-a1b2c3d4e5", "o-a1b2c3d4e5"]))],
                "pullOrganizations[1]",
                "listed twice",
            ),
            (
                vec![("pullOrganizationPaths", list(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]))],
                "pullOrganizationPaths[0]",
                "leave out the final *",
            ),
            (
                vec![("lambdaPull", obj(&[]))],
                "lambdaPull",
                "without a condition would let Lambda functions of every AWS account pull",
            ),
            (
                vec![("lambdaPull", obj(&[("sourceAccounts", list(&[])), ("sourceArns", list(&[]))]))],
                "lambdaPull",
                "must set sourceAccounts or sourceArns",
            ),
            (
                vec![("lambdaPull", obj(&[("sourceAccounts", Value::Array(vec![n(111122223333.0)]))]))],
                "lambdaPull.sourceAccounts[0]",
                "quote account ids",
            ),
            (
                vec![("lambdaPull", obj(&[("functions", list(&["x"]))]))],
                "lambdaPull.functions",
                "allowed: sourceAccounts, sourceArns",
            ),
            (
                vec![("lambdaPull", obj(&[("sourceArns", list(&["arn:aws:lambda:us-east-1:*:function:*"]))]))],
                "lambdaPull.sourceArns[0]",
                "12-digit account id",
            ),
            (
                vec![(
                    "lambdaPull",
                    obj(&[("sourceArns", list(&["arn:aws:lambda:eu-west-1:444455556666:function:*"]))]),
                )],
                "lambdaPull.sourceArns[0]",
                "but the repository is in us-east-1",
            ),
            (
                vec![("lambdaPull", obj(&[("sourceArns", list(&["arn:aws-cn:lambda:*:444455556666:function:*"]))]))],
                "lambdaPull.sourceArns[0]",
                "is in the partition aws-cn",
            ),
            (
                vec![
                    ("repositoryPolicyDocument", r#"{"Statement":[{"Effect":"Allow"}]}"#.into()),
                    ("pullOrganizations", list(&["o-a1b2c3d4e5"])),
                ],
                "repositoryPolicyDocument",
                "is the JSON form of pullOrganizations",
            ),
        ];
        for (pairs, path, words) in cases {
            let (_, f) = check(&map(&pairs), &Map::new(), &ctx(), &c);
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{path}: {f:?}");
        }
        // Unknown during preview: no failure, arguments unknown.
        let news =
            map(&[("lambdaPull", obj(&[("sourceAccounts", Value::Unknown)])), ("pullOrganizations", Value::Unknown)]);
        let (checked, f) = check(&news, &Map::new(), &ctx(), &c);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(parse(&checked, &c).0, None);
    }
}
