//! Repository settings shared by the resources that describe repositories
//! (the Repository itself and the RepositoryTemplate, whose repositories ECR
//! creates): encryption and its KMS key forms, tag mutability with one
//! exclusions field per mode, and the principals that may pull and push.
//! Each reader checks AWS's rules and names the property path on failure.

use crate::names::*;
use crate::partition;
use crate::policy::access::{
    Access, LambdaPull, MAX_POLICY_LENGTH, lambda_source_arn_problem, organization_path_problem, organization_problem,
    principal_partition_problem, principal_problem,
};
use crate::property::{Map, Value};
use std::collections::BTreeMap;

use crate::validate::{Field, MAX_TAGS, Reader, check_tags};

pub const ENCRYPTION_TYPES: &[&str] = &["AES256", "KMS", "KMS_DSSE"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Aes256,
    Kms,
    KmsDsse,
}

impl Encryption {
    pub fn as_str(self) -> &'static str {
        match self {
            Encryption::Aes256 => "AES256",
            Encryption::Kms => "KMS",
            Encryption::KmsDsse => "KMS_DSSE",
        }
    }
    /// Every type, in the order of [`ENCRYPTION_TYPES`].
    pub const ALL: [Encryption; 3] = [Encryption::Aes256, Encryption::Kms, Encryption::KmsDsse];

    pub fn parse(s: &str) -> Option<Encryption> {
        match s {
            "AES256" => Some(Encryption::Aes256),
            "KMS" => Some(Encryption::Kms),
            "KMS_DSSE" => Some(Encryption::KmsDsse),
            _ => None,
        }
    }
}

/// Reads `encryptionType` and `kmsKey`: a key only with KMS or KMS_DSSE, in
/// one of the forms ECR takes, in the region in force.
pub fn encryption(r: &mut Reader<'_>, region: Option<&str>) -> (Field<Encryption>, Field<String>) {
    let encryption = r.one_of_items(ENCRYPTION_TYPE, &Encryption::ALL, |e| e.as_str()).map(|e| *e);
    let kms_key = match r.string(KMS_KEY) {
        Field::Known(k) => match kms_key_problem(&k, region) {
            Some(reason) => {
                r.fail(KMS_KEY, reason);
                Field::Invalid
            }
            None => Field::Known(k),
        },
        other => other,
    };
    if let (Field::Known(Encryption::Aes256), Field::Known(_) | Field::Unknown) = (&encryption, &kms_key) {
        r.fail(KMS_KEY, "is only allowed when encryptionType is KMS or KMS_DSSE (encryptionType is AES256)");
    }
    (encryption, kms_key)
}

/// ECR's mutability mode for a choice of immutability and exclusions.
pub fn mutability_mode(immutable: bool, with_exclusions: bool) -> &'static str {
    match (immutable, with_exclusions) {
        (true, false) => "IMMUTABLE",
        (true, true) => "IMMUTABLE_WITH_EXCLUSION",
        (false, false) => "MUTABLE",
        (false, true) => "MUTABLE_WITH_EXCLUSION",
    }
}

/// Reads the exceptions to the tag mutability mode. Each mode has its own
/// field, so a list never flips meaning: `mutableTagExclusions` (tags that
/// stay mutable) only with immutable tags, `immutableTagExclusions` (tags
/// that become immutable) only with mutable ones; 1-5 wildcard filters, and
/// never a filter of only `*`, which would turn the whole mode around.
pub fn tag_exclusions(r: &mut Reader<'_>, immutable: &Field<bool>) -> Field<Vec<String>> {
    let mode = match immutable {
        Field::Known(b) => Some(*b),
        Field::Absent => Some(true),
        _ => None,
    };
    let mut found = Field::Absent;
    for (key, for_immutable) in [(MUTABLE_TAG_EXCLUSIONS, true), (IMMUTABLE_TAG_EXCLUSIONS, false)] {
        if !r.has(key) {
            continue;
        }
        if mode == Some(!for_immutable) {
            let (this, other_key) = if for_immutable {
                ("lists the tags that stay mutable when immutableTags is true", IMMUTABLE_TAG_EXCLUSIONS)
            } else {
                ("lists the tags that become immutable when immutableTags is false", MUTABLE_TAG_EXCLUSIONS)
            };
            r.fail(
                key,
                format!(
                    "{this}, but immutableTags is {}; use {other_key} for the exceptions of that mode",
                    !for_immutable
                ),
            );
            found = Field::Invalid;
            continue;
        }
        let (every, says, instead) = if for_immutable {
            ("mutable", "immutable", "set immutableTags: false instead")
        } else {
            ("immutable", "mutable", "set immutableTags: true instead")
        };
        let problem = |f: &str| {
            if !is_exclusion_filter(f) {
                Some(format!("must be 1 to 128 characters of letters, digits and . _ - * (wildcard), got \"{f}\""))
            } else if f.chars().all(|c| c == '*') {
                Some(format!(
                    "\"{f}\" matches every tag, so every tag would be {every} while immutableTags says they are {says}; {instead}"
                ))
            } else {
                None
            }
        };
        let checked = r.checked_list(key, 1..=5, "tag filters", false, problem);
        if !matches!(found, Field::Invalid) {
            found = checked;
        }
    }
    found
}

/// The inputs that grant access to the repository, each generating its own
/// statement of the one repository policy.
pub const ACCESS_INPUTS: &[&str] =
    &[PULL_PRINCIPALS, PUSH_PRINCIPALS, PULL_ORGANIZATIONS, PULL_ORGANIZATION_PATHS, LAMBDA_PULL];
/// What a repository's (or a template's) policy text is written from: the
/// access inputs, or the policy given whole.
pub const POLICY_INPUTS: &[&str] = &[
    PULL_PRINCIPALS,
    PUSH_PRINCIPALS,
    PULL_ORGANIZATIONS,
    PULL_ORGANIZATION_PATHS,
    LAMBDA_PULL,
    REPOSITORY_POLICY_DOCUMENT,
];
/// What the image tag mutability is written from.
pub const MUTABILITY_INPUTS: &[&str] = &[IMMUTABLE_TAGS, MUTABLE_TAG_EXCLUSIONS, IMMUTABLE_TAG_EXCLUSIONS];
/// What the lifecycle policy text is written from.
pub const LIFECYCLE_INPUTS: &[&str] = &[LIFECYCLE_POLICY, LIFECYCLE_POLICY_DOCUMENT];

/// Reads the access inputs: `pullPrincipals` and `pushPrincipals` (each
/// entry a valid principal, no entry twice in one list or in both, since
/// push already grants pull), `pullOrganizations` and `pullOrganizationPaths`
/// (AWS Organizations' id and path forms), and `lambdaPull` (at least one
/// condition, function ARNs of the repository's partition and region); and
/// checks that the policy they make is small enough for ECR.
pub fn principals(r: &mut Reader<'_>, partition: Option<&str>, region: Option<&str>) -> Field<Access> {
    let [pull, push] = [PULL_PRINCIPALS, PUSH_PRINCIPALS].map(|key| {
        let problem =
            |p: &str| principal_problem(p).or_else(|| partition.and_then(|part| principal_partition_problem(p, part)));
        let list = match r.checked_list(key, 0..=usize::MAX, "principals", true, problem) {
            Field::Absent => Field::Known(Vec::new()),
            other => other,
        };
        // An unquoted account id in YAML arrives as a number, and would lose
        // any leading zero: say how to write it.
        for f in r.failures.iter_mut().filter(|f| f.property.starts_with(&format!("{key}["))) {
            if f.reason == "must be a string, got a number" {
                f.reason.push_str("; quote account ids (\"012345678901\"), since a number loses leading zeros");
            }
        }
        list
    });
    let organizations =
        match r.checked_list(PULL_ORGANIZATIONS, 0..=usize::MAX, "organizations", true, organization_problem) {
            Field::Absent => Field::Known(Vec::new()),
            other => other,
        };
    let paths = match r.checked_list(PULL_ORGANIZATION_PATHS, 0..=usize::MAX, "paths", true, organization_path_problem)
    {
        Field::Absent => Field::Known(Vec::new()),
        other => other,
    };
    let lambda = lambda_pull(r, partition, region);
    let (pull, push, organizations, organization_paths, lambda) = match (pull, push, organizations, paths, lambda) {
        (Field::Known(a), Field::Known(b), Field::Known(c), Field::Known(d), Field::Known(e)) => (a, b, c, d, e),
        (Field::Invalid, ..)
        | (_, Field::Invalid, ..)
        | (_, _, Field::Invalid, ..)
        | (.., Field::Invalid, _)
        | (.., Field::Invalid) => {
            return Field::Invalid;
        }
        _ => return Field::Unknown,
    };
    let mut ok = true;
    for (i, p) in pull.iter().enumerate() {
        if push.contains(p) {
            r.fail(
                &format!("pullPrincipals[{i}]"),
                format!("\"{p}\" is also in pushPrincipals, which grants pull as well; list it only in pushPrincipals"),
            );
            ok = false;
        }
    }
    let access = Access { pull, push, organizations, organization_paths, lambda };
    let measured_in = partition.unwrap_or("aws");
    if ok && let Some(len) = access.to_policy(measured_in).map(|t| t.len()).filter(|l| *l > MAX_POLICY_LENGTH) {
        r.fail(
            PULL_PRINCIPALS,
            format!(
                "the repository policy for these pullPrincipals, pushPrincipals, pullOrganizations, pullOrganizationPaths and lambdaPull would be {len} characters, more than the {MAX_POLICY_LENGTH} ECR allows; grant whole accounts or an organization instead of many roles, or fewer principals"
            ),
        );
        ok = false;
    }
    if ok { Field::Known(access) } else { Field::Invalid }
}

/// Reads `lambdaPull`: `sourceAccounts` (account ids) and `sourceArns`
/// (function ARN patterns of the repository's partition and region), at
/// least one of them, since a grant to the Lambda service without a
/// condition would let functions of every AWS account pull.
fn lambda_pull(r: &mut Reader<'_>, partition: Option<&str>, region: Option<&str>) -> Field<Option<LambdaPull>> {
    let obj = match r.object(LAMBDA_PULL) {
        Field::Known(obj) => obj,
        Field::Absent => return Field::Known(None),
        Field::Unknown => return Field::Unknown,
        Field::Invalid => return Field::Invalid,
    };
    let read = r.nested(&obj, LAMBDA_PULL, |lr| {
        lr.reject_unknown_keys(&[SOURCE_ACCOUNTS, SOURCE_ARNS], "field of lambdaPull");
        let accounts = lr.checked_list(SOURCE_ACCOUNTS, 0..=usize::MAX, "accounts", true, |a| {
            (!partition::is_account_id(a)).then(|| format!("must be a 12-digit AWS account id, got \"{a}\""))
        });
        for f in lr.failures.iter_mut().filter(|f| f.property.starts_with("lambdaPull.sourceAccounts[")) {
            if f.reason == "must be a string, got a number" {
                f.reason.push_str("; quote account ids (\"012345678901\"), since a number loses leading zeros");
            }
        }
        let arns = lr.checked_list(SOURCE_ARNS, 0..=usize::MAX, "function ARNs", true, |arn| {
            lambda_source_arn_problem(arn).or_else(|| lambda_source_arn_place_problem(arn, partition, region))
        });
        match (accounts, arns) {
            (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
            (Field::Unknown, _) | (_, Field::Unknown) => Field::Unknown,
            (accounts, arns) => {
                let (source_accounts, source_arns) =
                    (accounts.or(Vec::new()).unwrap_or_default(), arns.or(Vec::new()).unwrap_or_default());
                // No condition: said below, under lambdaPull itself.
                if source_accounts.is_empty() && source_arns.is_empty() {
                    return Field::Absent;
                }
                Field::Known(Some(LambdaPull { source_accounts, source_arns }))
            }
        }
    });
    if read.is_absent() {
        r.fail(
            LAMBDA_PULL,
            "must set sourceAccounts or sourceArns (or both): a grant to the Lambda service without a condition would let Lambda functions of every AWS account pull; leave lambdaPull out for none",
        );
        return Field::Invalid;
    }
    read
}

/// Why a function ARN pattern that is well formed cannot grant a pull from
/// a repository of `partition` and `region` (when known): Lambda pulls only
/// from repositories of the function's own partition and region.
fn lambda_source_arn_place_problem(arn: &str, partition: Option<&str>, region: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = arn.split(':').collect();
    let (arn_partition, arn_region) = (parts[1], parts[3]);
    if let Some(own) = partition.filter(|p| *p != arn_partition) {
        return Some(format!(
            "is in the partition {arn_partition}, but the repository is in {own}; Lambda pulls only from repositories of its own partition"
        ));
    }
    region.filter(|own| arn_region != "*" && arn_region != *own).map(|own| {
        format!(
            "names functions in {arn_region}, but the repository is in {own}; Lambda pulls container images only from repositories of the function's own region"
        )
    })
}

/// A list of strings as a property map holds it; `None` when empty (left out).
pub fn strings(l: &[String]) -> Option<Value> {
    (!l.is_empty()).then(|| Value::Array(l.iter().map(|s| s.clone().into()).collect()))
}

/// A map of strings as a property map holds it; `None` when empty (left out).
pub fn string_map(m: &BTreeMap<String, String>) -> Option<Value> {
    (!m.is_empty()).then(|| Value::Object(m.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect()))
}

/// `lambdaPull` as a property map holds it; `None` when not granted.
pub fn lambda_value(access: &Access) -> Option<Value> {
    let l = access.lambda.as_ref()?;
    let mut obj = Map::new();
    if let Some(v) = strings(&l.source_accounts) {
        obj.insert(SOURCE_ACCOUNTS.into(), v);
    }
    if let Some(v) = strings(&l.source_arns) {
        obj.insert(SOURCE_ARNS.into(), v);
    }
    Some(Value::Object(obj))
}

/// The access the inputs ask for, read without checking (Check did): `None`
/// while any of it is unknown.
pub fn access_of(inputs: &Map) -> Option<Access> {
    let plain: Map = inputs
        .iter()
        .filter(|(k, _)| ACCESS_INPUTS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.plain()))
        .collect();
    if plain.values().any(Value::contains_unknown) {
        return None;
    }
    principals(&mut Reader::new(&plain, ""), None, None).known()
}

/// Reads `tags`: each key and value within AWS's rules, and at most
/// [`MAX_TAGS`] in all, counted by `total` (which adds whatever else lands
/// on the resource, described by `counted_with`). Absent: no tags.
pub fn tags(
    r: &mut Reader<'_>,
    total: impl Fn(&BTreeMap<String, String>) -> usize,
    counted_with: &str,
) -> Field<BTreeMap<String, String>> {
    match r.tag_map(TAGS) {
        Field::Known(tags) => {
            let fs = check_tags(TAGS, &tags);
            if !fs.is_empty() {
                r.take_failures(fs);
                return Field::Invalid;
            }
            let total = total(&tags);
            if total > MAX_TAGS {
                r.fail(
                    TAGS,
                    format!("at most {MAX_TAGS} tags are allowed in total, {counted_with}; these add up to {total}"),
                );
                return Field::Invalid;
            }
            Field::Known(tags)
        }
        Field::Absent => Field::Known(BTreeMap::new()),
        other => other,
    }
}

/// Why ECR would refuse a KMS key reference, if it would. ECR takes a key id
/// (a UUID, or `mrk-` and 32 hex digits for a multi-Region key), a key ARN,
/// an alias (`alias/name`) or an alias ARN; an ARN must be in the region (and
/// so the partition) of the repository, `region` when it is known.
pub fn kms_key_problem(key: &str, region: Option<&str>) -> Option<String> {
    const FORMS: &str = "must be a KMS key id, key ARN, alias (alias/name) or alias ARN";
    if key.is_empty() {
        return Some("must be a KMS key ARN, key id or alias, got an empty string".into());
    }
    if key.len() > 2048 {
        return Some(format!("must be at most 2048 characters, got {}", key.len()));
    }
    if is_key_id(key) || key.strip_prefix("alias/").is_some_and(is_alias_name) {
        return None;
    }
    let Some(arn) = partition::parse_arn(key) else {
        return Some(format!("{FORMS}, got \"{key}\""));
    };
    let resource_ok = match arn.resource.split_once('/') {
        Some(("key", id)) => is_key_id(id),
        Some(("alias", name)) => is_alias_name(name),
        _ => false,
    };
    if arn.service != "kms"
        || !partition::is_account_id(arn.account)
        || !resource_ok
        || partition::of_region(arn.region) != Some(arn.partition)
    {
        return Some(format!("{FORMS}, got \"{key}\""));
    }
    match region {
        Some(region) if arn.region != region => Some(format!(
            "must be a key of the repository's region {region} (ECR encrypts with keys of its own region), got a key of {}",
            arn.region
        )),
        _ => None,
    }
}

fn is_key_id(s: &str) -> bool {
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = s.strip_prefix("mrk-") {
        return hex(rest, 32);
    }
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), [a, b, c, d, e] if hex(a, 8) && hex(b, 4) && hex(c, 4) && hex(d, 4) && hex(e, 12))
}

/// The name of a KMS alias after `alias/`: letters, digits, `/`, `_`, `-`.
fn is_alias_name(s: &str) -> bool {
    (1..=250).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c))
}

fn is_exclusion_filter(f: &str) -> bool {
    (1..=128).contains(&f.len()) && f.chars().all(|c| c.is_ascii_alphanumeric() || "._*-".contains(c))
}
