//! Registry inputs: the groups a Registry may own (`scanning`,
//! `replication`, `signing`, `replicationSourceAccounts`,
//! `policyStatements`), checked into [`RegistryArgs`] with every rule of
//! botocore's ECR model and AWS's documented limits, and turned back into
//! the property map.

use std::collections::BTreeSet;

use super::{PROPERTIES, TOKEN};
use crate::config::ProviderConfig;
use crate::names::*;
use crate::partition::{is_account_id, region_problem};
use crate::policy::access::{ORG_ID_KEY, ORG_PATHS_KEY, organization_path_problem, organization_problem};
use crate::policy::registry::{
    Body, Condition, MAX_REGISTRY_POLICY_LENGTH, Place, PolicyStatement, RESERVED_SID, SIZING_REGISTRY_ID, TypedBody,
    declared, is_service_principal, policy_length, scope_of,
};
use crate::property::{Map, Value};
use crate::resource::{input_reader, program_inputs};
use crate::validate::{Failure, Field, Reader, redact};

pub const SCAN_TYPES: &[&str] = &["BASIC", "ENHANCED"];
/// Replication rules a registry may hold (AWS's quota).
pub const MAX_REPLICATION_RULES: usize = 10;
/// Unique destinations across all rules (AWS's quota).
pub const MAX_DESTINATIONS: usize = 25;
/// Filters one scanning, replication or signing rule may hold (botocore's model).
pub const MAX_FILTERS: usize = 100;
/// Signing rules a registry may hold (botocore's SigningRuleList).
pub const MAX_SIGNING_RULES: usize = 10;
/// The longest signing profile ARN (botocore's SigningProfileArn).
pub const MAX_SIGNING_PROFILE_ARN: usize = 200;

/// The registry's scanning configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanning {
    pub enhanced: bool,
    /// Repositories (wildcard filters) scanned on push.
    pub scan_on_push: Vec<String>,
    /// Repositories scanned continuously (ENHANCED only).
    pub continuous: Vec<String>,
}

impl Scanning {
    /// AWS's default: BASIC, no rules (each repository's own scanOnPush decides).
    pub fn is_default(&self) -> bool {
        !self.enhanced && self.scan_on_push.is_empty() && self.continuous.is_empty()
    }

    /// The same configuration, order of filters aside.
    pub fn same_as(&self, other: &Scanning) -> bool {
        let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
        self.enhanced == other.enhanced
            && set(&self.scan_on_push) == set(&other.scan_on_push)
            && set(&self.continuous) == set(&other.continuous)
    }

    pub fn scan_type(&self) -> &'static str {
        if self.enhanced { "ENHANCED" } else { "BASIC" }
    }

    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(TYPE.into(), self.scan_type().into());
        m.insert(SCAN_ON_PUSH.into(), strings(&self.scan_on_push));
        if !self.continuous.is_empty() {
            m.insert(CONTINUOUS.into(), strings(&self.continuous));
        }
        Value::Object(m)
    }
}

/// Where a replication rule copies images to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Destination {
    pub region: String,
    /// `None`: this registry's own account.
    pub registry_id: Option<String>,
    /// Start a replication backfill (the images already in the registry)
    /// when this destination is added; no ECR counterpart, never compared
    /// (see `backfill.rs`).
    pub backfill: bool,
}

/// One replication rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationRule {
    pub destinations: Vec<Destination>,
    /// Repository name prefixes this rule applies to (all when empty).
    pub repository_prefixes: Vec<String>,
}

impl ReplicationRule {
    /// The rule's meaning with destinations in `own` account spelled out.
    fn key(&self, registry_id: &str) -> (BTreeSet<(String, String)>, BTreeSet<String>) {
        (
            self.destinations
                .iter()
                .map(|d| (d.region.clone(), d.registry_id.clone().unwrap_or_else(|| registry_id.to_string())))
                .collect(),
            self.repository_prefixes.iter().cloned().collect(),
        )
    }
}

/// True when two sets of rules mean the same for the registry `own`
/// (order of rules, destinations and prefixes aside; a missing registryId
/// is `own`).
pub fn same_rules(a: &[ReplicationRule], b: &[ReplicationRule], registry_id: &str) -> bool {
    let keys = |rules: &[ReplicationRule]| {
        let mut k: Vec<_> = rules.iter().map(|r| r.key(registry_id)).collect();
        k.sort();
        k
    };
    keys(a) == keys(b)
}

/// One managed-signing rule: images pushed to a matching repository are
/// signed with this AWS Signer profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningRule {
    pub profile_arn: String,
    /// Wildcard filters of the repositories whose images are signed (every
    /// repository when empty: ECR's rule without filters).
    pub repository_filters: Vec<String>,
}

/// True when two sets of signing rules mean the same (order of rules and of
/// filters aside).
pub fn same_signing(a: &[SigningRule], b: &[SigningRule]) -> bool {
    let keys = |rules: &[SigningRule]| {
        let mut k: Vec<(String, BTreeSet<String>)> =
            rules.iter().map(|r| (r.profile_arn.clone(), r.repository_filters.iter().cloned().collect())).collect();
        k.sort();
        k
    };
    keys(a) == keys(b)
}

/// Validated inputs of a registry: each group `None` when not declared
/// (then not owned: never read, changed or reset).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegistryArgs {
    pub scanning: Option<Scanning>,
    pub replication: Option<Vec<ReplicationRule>>,
    /// Managed signing's rules (the registry's signing configuration).
    pub signing: Option<Vec<SigningRule>>,
    pub source_accounts: Option<Vec<String>>,
    /// Further statements of the registry policy, each owned by its sid.
    pub statements: Option<Vec<PolicyStatement>>,
    /// Take over a group's configuration that is already there.
    pub adopt: bool,
}

impl RegistryArgs {
    /// The inputs as a property map, written by the getters of
    /// [`PROPERTIES`].
    pub fn to_map(&self) -> Map {
        crate::resource::to_map(PROPERTIES, self)
    }
}

/// `replication` as a property map holds it.
pub fn replication_value(rules: &[ReplicationRule]) -> Value {
    let rule = |r: &ReplicationRule| {
        let mut rule = Map::new();
        let dests = r
            .destinations
            .iter()
            .map(|d| {
                let mut dm = Map::new();
                dm.insert(REGION.into(), d.region.clone().into());
                if let Some(id) = &d.registry_id {
                    dm.insert(REGISTRY_ID.into(), id.clone().into());
                }
                dm.insert(BACKFILL.into(), d.backfill.into());
                Value::Object(dm)
            })
            .collect();
        rule.insert(DESTINATIONS.into(), Value::Array(dests));
        if !r.repository_prefixes.is_empty() {
            rule.insert(REPOSITORY_PREFIXES.into(), strings(&r.repository_prefixes));
        }
        Value::Object(rule)
    };
    Value::Array(rules.iter().map(rule).collect())
}

/// `signing` as a property map holds it.
pub fn signing_value(rules: &[SigningRule]) -> Value {
    let rule = |r: &SigningRule| {
        let mut rule = Map::new();
        rule.insert(SIGNING_PROFILE_ARN.into(), r.profile_arn.clone().into());
        if !r.repository_filters.is_empty() {
            rule.insert(REPOSITORY_FILTERS.into(), strings(&r.repository_filters));
        }
        Value::Object(rule)
    };
    Value::Array(rules.iter().map(rule).collect())
}

/// `policyStatements` as a property map holds it.
pub fn statements_value(statements: &[PolicyStatement]) -> Value {
    Value::Array(statements.iter().map(statement_value).collect())
}

pub fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect())
}

/// Check: validates `news` and applies the defaults (also inside
/// `scanning`: type BASIC, scanOnPush `["*"]`).
pub fn check(news: &Map, config: &ProviderConfig) -> (Map, Vec<Failure>) {
    let mut checked = program_inputs(PROPERTIES, news);
    if let Some(Value::Object(scanning)) = checked.get_mut(SCANNING) {
        if matches!(scanning.get(TYPE), None | Some(Value::Null)) {
            scanning.insert(TYPE.into(), "BASIC".into());
        }
        if matches!(scanning.get(SCAN_ON_PUSH), None | Some(Value::Null)) {
            scanning.insert(SCAN_ON_PUSH.into(), Value::Array(vec!["*".into()]));
        }
    }
    // A replication destination starts no backfill unless it says so.
    if let Some(Value::Array(rules)) = checked.get_mut(REPLICATION) {
        rules.iter_mut().for_each(default_backfills);
    }
    // A typed policy statement allows unless it says otherwise.
    if let Some(Value::Array(statements)) = checked.get_mut(POLICY_STATEMENTS) {
        for st in statements.iter_mut() {
            if let Value::Object(st) = st
                && !st.contains_key(DOCUMENT)
                && matches!(st.get(EFFECT), None | Some(Value::Null))
            {
                st.insert(EFFECT.into(), "Allow".into());
            }
        }
    }
    let (_, failures) = parse(&checked, config);
    (checked, redact(failures, news))
}

/// `backfill: false` on each destination of replication rule `rule` that
/// does not say.
fn default_backfills(rule: &mut Value) {
    let Value::Object(rule) = rule else { return };
    let Some(Value::Array(destinations)) = rule.get_mut(DESTINATIONS) else { return };
    for d in destinations.iter_mut() {
        if let Value::Object(d) = d
            && matches!(d.get(BACKFILL), None | Some(Value::Null))
        {
            d.insert(BACKFILL.into(), false.into());
        }
    }
}

/// Reads checked inputs: the typed arguments when every value is known and
/// valid (`None` while something is unknown), plus the failures.
pub fn parse(map: &Map, config: &ProviderConfig) -> (Option<RegistryArgs>, Vec<Failure>) {
    let mut r = input_reader(map, PROPERTIES, TOKEN);
    let scanning = match r.object(SCANNING) {
        Field::Known(obj) => r.nested(&obj, SCANNING, scanning),
        other => other.map(|_| unreachable!()),
    };
    let replication = match r.object_list(REPLICATION) {
        Field::Known(rules) => replication(&mut r, &rules, config),
        other => other.map(|_| unreachable!()),
    };
    let signing = match r.object_list(SIGNING) {
        Field::Known(rules) => signing(&mut r, &rules, config),
        other => other.map(|_| unreachable!()),
    };
    let source_accounts = account_list(&mut r, REPLICATION_SOURCE_ACCOUNTS);
    let statements = match r.object_list(POLICY_STATEMENTS) {
        Field::Known(list) => policy_statements(&mut r, &list),
        other => other.map(|_| unreachable!()),
    };
    let adopt = r.bool(ADOPT);
    // What we declare must fit in ECR's policy on its own (the statements
    // of others are counted when the policy is written).
    if let (Field::Known(_) | Field::Absent, Field::Known(_) | Field::Absent) = (&source_accounts, &statements)
        && (matches!(source_accounts, Field::Known(_)) || matches!(statements, Field::Known(_)))
    {
        let partition = config.partition().unwrap_or("aws");
        let region = config.region_in_force().unwrap_or("us-east-1");
        let place = Place { partition, region, registry_id: SIZING_REGISTRY_ID };
        let ours = declared(source_accounts.clone().known().as_deref(), statements.clone().known().as_deref(), place);
        let length = policy_length(&ours);
        if length > MAX_REGISTRY_POLICY_LENGTH {
            let key =
                if matches!(statements, Field::Known(_)) { POLICY_STATEMENTS } else { REPLICATION_SOURCE_ACCOUNTS };
            r.fail(
                key,
                format!(
                    "makes a registry policy of {length} characters (replicationSourceAccounts and policyStatements together), over ECR's limit of {MAX_REGISTRY_POLICY_LENGTH} for the whole policy; declare fewer accounts or statements"
                ),
            );
        }
    }
    let failures = std::mem::take(&mut r.failures);
    if !failures.is_empty() {
        return (None, failures);
    }
    let args = (|| {
        Some(RegistryArgs {
            scanning: scanning.optional()?,
            replication: replication.optional()?,
            signing: signing.optional()?,
            source_accounts: source_accounts.optional()?,
            statements: statements.optional()?,
            adopt: match adopt {
                Field::Known(b) => b,
                Field::Absent => false,
                _ => return None,
            },
        })
    })();
    (args, failures)
}

/// `scanning`: the scan type and the wildcard filters of each frequency.
fn scanning(r: &mut Reader<'_>) -> Field<Scanning> {
    r.reject_unknown_keys(&[TYPE, SCAN_ON_PUSH, CONTINUOUS], "field of scanning");
    let scan_type = r.one_of(TYPE, SCAN_TYPES);
    let on_push = scan_filters(r, SCAN_ON_PUSH);
    let continuous = scan_filters(r, CONTINUOUS);
    let enhanced = match scan_type {
        Field::Known(t) => t == "ENHANCED",
        Field::Absent => false,
        Field::Unknown => return Field::Unknown,
        Field::Invalid => return Field::Invalid,
    };
    if !enhanced && matches!(continuous, Field::Known(ref c) if !c.is_empty()) {
        r.fail(CONTINUOUS, "is only for type ENHANCED (continuous scanning is a feature of enhanced scanning); set type: ENHANCED or remove continuous");
        return Field::Invalid;
    }
    match (on_push, continuous) {
        (Field::Known(p), Field::Known(c)) => Field::Known(Scanning { enhanced, scan_on_push: p, continuous: c }),
        (Field::Known(p), Field::Absent) => Field::Known(Scanning { enhanced, scan_on_push: p, continuous: vec![] }),
        (Field::Absent, Field::Known(c)) => Field::Known(Scanning { enhanced, scan_on_push: vec![], continuous: c }),
        (Field::Absent, Field::Absent) => Field::Known(Scanning { enhanced, scan_on_push: vec![], continuous: vec![] }),
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// A list of repository filters for a scanning rule: botocore's
/// ScanningRepositoryFilterValue, 1-255 characters of lowercase letters,
/// digits, `.`, `_`, `-`, `/` and the wildcard `*`; at most 100.
fn scan_filters(r: &mut Reader<'_>, key: &str) -> Field<Vec<String>> {
    r.checked_list(key, 0..=MAX_FILTERS, "filters", false, |f| {
        (!is_scan_filter(f)).then(|| format!("must be a repository filter of 1 to 255 lowercase letters, digits, . _ - / and the wildcard *, starting and ending with a letter, digit or *, got \"{f}\""))
    })
}

/// botocore's pattern `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`, 1-255.
fn is_scan_filter(f: &str) -> bool {
    let core = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '*';
    let b: Vec<char> = f.chars().collect();
    if !(1..=255).contains(&b.len()) || !core(b[0]) || !core(b[b.len() - 1]) {
        return false;
    }
    // No two separators in a row, and only the allowed characters.
    b.windows(2).all(|w| core(w[0]) || core(w[1])) && b.iter().all(|c| core(*c) || "._-/".contains(*c))
}

/// `replication`: at most 10 rules and 25 unique destinations in all, each
/// destination a region (and a 12-digit registry id for another account),
/// never the registry itself, and valid repository prefixes.
fn replication(r: &mut Reader<'_>, rules: &[Map], config: &ProviderConfig) -> Field<Vec<ReplicationRule>> {
    if rules.len() > MAX_REPLICATION_RULES {
        r.fail(
            REPLICATION,
            format!("must hold at most {MAX_REPLICATION_RULES} rules (AWS's limit), got {}", rules.len()),
        );
        return Field::Invalid;
    }
    let mut out = Vec::new();
    let mut unknown = false;
    let mut bad = false;
    for (i, rule) in rules.iter().enumerate() {
        let read = r.nested(rule, &format!("replication[{i}]"), |rr| replication_rule(rr, config));
        match read {
            Field::Known(rule) => out.push(rule),
            Field::Unknown => unknown = true,
            _ => bad = true,
        }
    }
    if bad {
        return Field::Invalid;
    }
    if unknown {
        return Field::Unknown;
    }
    let unique: BTreeSet<(&str, Option<&str>)> =
        out.iter().flat_map(|rule| &rule.destinations).map(|d| (d.region.as_str(), d.registry_id.as_deref())).collect();
    if unique.len() > MAX_DESTINATIONS {
        r.fail(
            REPLICATION,
            format!(
                "must name at most {MAX_DESTINATIONS} different destinations in all (AWS's limit), got {}",
                unique.len()
            ),
        );
        return Field::Invalid;
    }
    Field::Known(out)
}

fn replication_rule(r: &mut Reader<'_>, config: &ProviderConfig) -> Field<ReplicationRule> {
    r.reject_unknown_keys(&[DESTINATIONS, REPOSITORY_PREFIXES], "field of a replication rule");
    let destinations = match r.object_list(DESTINATIONS) {
        Field::Known(list) if list.is_empty() => {
            r.fail(DESTINATIONS, "must name at least one destination");
            Field::Invalid
        }
        Field::Known(list) => r.nested_each(&list, DESTINATIONS, |dr| destination(dr, config)),
        Field::Absent => {
            r.fail(DESTINATIONS, "is required: the regions (and accounts) to replicate to");
            Field::Invalid
        }
        other => other.map(|_| unreachable!()),
    };
    let prefixes = r.checked_list(REPOSITORY_PREFIXES, 1..=MAX_FILTERS, "prefixes", false, |p| {
        (!is_repository_prefix(p)).then(|| {
            format!("must be the start of a repository name: 2 to 256 lowercase letters and digits joined by . _ - or /, got \"{p}\"")
        })
    });
    let prefixes = match prefixes {
        Field::Absent => Field::Known(vec![]),
        other => other,
    };
    match (destinations, prefixes) {
        (Field::Known(destinations), Field::Known(repository_prefixes)) => {
            Field::Known(ReplicationRule { destinations, repository_prefixes })
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

fn destination(r: &mut Reader<'_>, config: &ProviderConfig) -> Field<Destination> {
    r.reject_unknown_keys(&[REGION, REGISTRY_ID, BACKFILL], "field of a replication destination");
    let region = match r.string(REGION) {
        Field::Known(region) => match region_problem(&region, config.skip_region_validation) {
            None => Field::Known(region),
            Some(reason) => {
                r.fail(REGION, reason);
                Field::Invalid
            }
        },
        Field::Absent => {
            r.fail(REGION, "is required: the region to replicate to");
            Field::Invalid
        }
        other => other,
    };
    let registry_id = match r.string(REGISTRY_ID) {
        Field::Known(id) if is_account_id(&id) => Field::Known(Some(id)),
        Field::Known(id) => {
            r.fail(REGISTRY_ID, format!("must be the 12-digit account id of the destination registry, got \"{id}\""));
            Field::Invalid
        }
        Field::Absent => Field::Known(None),
        Field::Unknown => Field::Unknown,
        Field::Invalid => Field::Invalid,
    };
    let backfill = match r.bool(BACKFILL) {
        Field::Absent => Field::Known(false),
        other => other,
    };
    let place = match (region, registry_id) {
        (Field::Known(region), Field::Known(registry_id)) => {
            if registry_id.is_none() && config.region_in_force() == Some(region.as_str()) {
                r.fail(
                    REGION,
                    format!("is the registry's own region {region} and no registryId names another account: a registry cannot replicate to itself"),
                );
                return Field::Invalid;
            }
            Field::Known((region, registry_id))
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    };
    match (place, backfill) {
        (Field::Known((region, registry_id)), Field::Known(backfill)) => {
            Field::Known(Destination { region, registry_id, backfill })
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// `signing`: at most 10 rules, each an AWS Signer profile of the
/// registry's partition and region and, optionally, 1 to 100 wildcard
/// filters of the repositories it signs.
fn signing(r: &mut Reader<'_>, rules: &[Map], config: &ProviderConfig) -> Field<Vec<SigningRule>> {
    if rules.len() > MAX_SIGNING_RULES {
        r.fail(SIGNING, format!("must hold at most {MAX_SIGNING_RULES} rules (ECR's limit), got {}", rules.len()));
        return Field::Invalid;
    }
    r.nested_each(rules, SIGNING, |rr| signing_rule(rr, config))
}

fn signing_rule(r: &mut Reader<'_>, config: &ProviderConfig) -> Field<SigningRule> {
    r.reject_unknown_keys(&[SIGNING_PROFILE_ARN, REPOSITORY_FILTERS], "field of a signing rule");
    let arn = match r.checked_string(SIGNING_PROFILE_ARN, |a| signing_profile_problem(a, config)) {
        Field::Absent => {
            r.fail(SIGNING_PROFILE_ARN, "is required: the AWS Signer signing profile that signs the images");
            Field::Invalid
        }
        other => other,
    };
    let filters = r.checked_list(REPOSITORY_FILTERS, 1..=MAX_FILTERS, "filters (leave it out to sign every repository)", true, |f| {
        (!is_signing_filter(f)).then(|| {
            format!("must be a repository filter of 1 to 256 lowercase letters, digits, . _ - / and the wildcard *, each part between / starting and ending with a letter, digit or *, got \"{f}\"")
        })
    });
    let filters = match filters {
        Field::Absent => Field::Known(vec![]),
        other => other,
    };
    match (arn, filters) {
        (Field::Known(profile_arn), Field::Known(repository_filters)) => {
            Field::Known(SigningRule { profile_arn, repository_filters })
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// Why `arn` is not a signing profile this registry can sign with:
/// botocore's SigningProfileArn (`arn:aws(-[a-z]+)*:signer:<region>:
/// <12 digits>:/signing-profiles/<2 or more of [a-zA-Z0-9_]>`, at most 200
/// characters), in the provider's partition and region (ECR signs with a
/// profile of the registry's own region).
pub fn signing_profile_problem(arn: &str, config: &ProviderConfig) -> Option<String> {
    let shape = crate::partition::parse_arn(arn).filter(|a| {
        let partition_ok = a.partition == "aws"
            || a.partition.strip_prefix("aws-").is_some_and(|p| {
                !p.is_empty() && p.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
            });
        let name = a.resource.strip_prefix("/signing-profiles/").unwrap_or("");
        arn.len() <= MAX_SIGNING_PROFILE_ARN
            && partition_ok
            && a.service == "signer"
            && !a.region.is_empty()
            && a.region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && is_account_id(a.account)
            && name.len() >= 2
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    let Some(a) = shape else {
        return Some(format!(
            "must be an AWS Signer signing profile ARN, arn:<partition>:signer:<region>:<account id>:/signing-profiles/<name> (the name 2 or more letters, digits or _; {MAX_SIGNING_PROFILE_ARN} characters at most), got \"{arn}\""
        ));
    };
    let region = config.region_in_force();
    if let Some(partition) = config.partition()
        && a.partition != partition
    {
        return Some(format!(
            "is a profile of partition {}, but the registry is in {partition} ({}); use a signing profile of the registry's partition and region",
            a.partition,
            region.unwrap_or_default()
        ));
    }
    if let Some(region) = region
        && a.region != region
    {
        return Some(format!(
            "is a profile of region {}, but the registry is in {region}; ECR signs with a profile of the registry's own region: create the signing profile in {region} and name it here",
            a.region
        ));
    }
    None
}

/// botocore's SigningRepositoryFilterValue, 1-256 characters:
/// `(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*`.
fn is_signing_filter(f: &str) -> bool {
    let core = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '*';
    let part = |p: &str| {
        let b: Vec<char> = p.chars().collect();
        !b.is_empty()
            && core(b[0])
            && core(b[b.len() - 1])
            && b.iter().all(|c| core(*c) || "._-".contains(*c))
            && b.windows(2).all(|w| core(w[0]) || core(w[1]))
    };
    (1..=256).contains(&f.len()) && f.split('/').all(part)
}

/// botocore's RepositoryFilterValue for PREFIX_MATCH: 2-256 characters,
/// `(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*`.
fn is_repository_prefix(p: &str) -> bool {
    let len = p.chars().count();
    (2..=256).contains(&len)
        && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c))
        && p.split('/').rev().skip(1).all(|namespace| namespace.starts_with(|c: char| c.is_ascii_alphanumeric()))
}

/// A list of 12-digit account ids, each once.
/// The fields of a typed statement; `document` stands for all of them.
const TYPED_FIELDS: &[&str] =
    &[EFFECT, PRINCIPALS, ACTIONS, REPOSITORY_PREFIXES, CONDITIONS, ORGANIZATIONS, ORGANIZATION_PATHS];

/// Why a statement may not have the sid of the statement `first`.
fn sid_taken(sid: &str, first: usize) -> String {
    format!("\"{sid}\" is the sid of policyStatements[{first}] too; each statement needs its own")
}

/// `policyStatements`: each statement by its sid, unique in the list.
fn policy_statements(r: &mut Reader<'_>, list: &[Map]) -> Field<Vec<PolicyStatement>> {
    let mut out = Vec::new();
    let mut state = Field::Known(());
    for (i, m) in list.iter().enumerate() {
        match r.nested(m, &format!("policyStatements[{i}]"), policy_statement) {
            Field::Known(st) => {
                if let Some(first) = out.iter().position(|o: &PolicyStatement| o.sid == st.sid) {
                    r.fail(&format!("policyStatements[{i}].sid"), sid_taken(&st.sid, first));
                    state = Field::Invalid;
                }
                out.push(st);
            }
            Field::Unknown if !matches!(state, Field::Invalid) => state = Field::Unknown,
            Field::Unknown => {}
            _ => state = Field::Invalid,
        }
    }
    state.map(|_| out)
}

fn policy_statement(r: &mut Reader<'_>) -> Field<PolicyStatement> {
    let mut allowed = vec![SID, DOCUMENT];
    allowed.extend(TYPED_FIELDS);
    r.reject_unknown_keys(&allowed, "field of a policy statement");
    let sid = match r.string(SID) {
        Field::Known(s) if s == RESERVED_SID => {
            r.fail(
                SID,
                format!("\"{RESERVED_SID}\" is the sid of replicationSourceAccounts' statement; choose another"),
            );
            Field::Invalid
        }
        Field::Known(s) if (1..=100).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()) => {
            Field::Known(s)
        }
        Field::Known(s) => {
            r.fail(
                SID,
                format!("must be 1 to 100 letters and digits (it is written as Sid \"Awsecr<sid>\"), got \"{s}\""),
            );
            Field::Invalid
        }
        Field::Absent => {
            r.fail(SID, "is required: the statement is known by it in the registry policy");
            Field::Invalid
        }
        other => other,
    };
    let body = if r.has(DOCUMENT) { document_body(r) } else { typed_body(r) };
    match (sid, body) {
        (Field::Known(sid), Field::Known(body)) => Field::Known(PolicyStatement { sid, body }),
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// A statement given as JSON (`document`), alone: no typed field with it.
fn document_body(r: &mut Reader<'_>) -> Field<Body> {
    if let Some(k) = TYPED_FIELDS.iter().find(|k| r.has(k)) {
        r.fail(k, "cannot be used with document: give the statement either as JSON or with the typed fields");
        return Field::Invalid;
    }
    match r.string(DOCUMENT) {
        Field::Known(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(doc)) => match statement_problem(&doc) {
                None => Field::Known(Body::Document(doc)),
                Some(reason) => {
                    r.fail(DOCUMENT, reason);
                    Field::Invalid
                }
            },
            _ => {
                r.fail(DOCUMENT, "must be one policy statement as a JSON object, e.g. {\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::210987654321:root\"},\"Action\":\"ecr:ReplicateImage\",\"Resource\":\"*\"}");
                Field::Invalid
            }
        },
        other => other.map(|_| unreachable!()),
    }
}

/// What a statement given as JSON lacks to be one ECR takes.
fn statement_problem(doc: &serde_json::Map<String, serde_json::Value>) -> Option<String> {
    let has = |k: &str| doc.contains_key(k);
    if !matches!(doc.get("Effect").and_then(|e| e.as_str()), Some("Allow" | "Deny")) {
        return Some("must have \"Effect\": \"Allow\" or \"Deny\"".into());
    }
    if !has("Principal") && !has("NotPrincipal") {
        return Some("must name a Principal (a registry policy is a resource policy)".into());
    }
    if !has("Action") && !has("NotAction") {
        return Some("must have an Action".into());
    }
    None
}

fn typed_body(r: &mut Reader<'_>) -> Field<Body> {
    let effect = r.one_of(EFFECT, &["Allow", "Deny"]);
    let principals = r.checked_list(PRINCIPALS, 1..=100, "principals", true, principal_problem);
    let actions = r.checked_list(ACTIONS, 1..=100, "actions", true, statement_action_problem);
    let prefixes = r.checked_list(REPOSITORY_PREFIXES, 0..=100, "prefixes", true, repository_prefix_problem);
    let conditions = conditions(r);
    let organizations = r.checked_list(ORGANIZATIONS, 0..=100, "organizations", true, organization_problem);
    let organization_paths = r.checked_list(ORGANIZATION_PATHS, 0..=100, "paths", true, organization_path_problem);
    if organization_keys_clash(r, &conditions, &organizations, &organization_paths)
        || !principals_and_actions_fit(r, &principals, &actions, &conditions, &organizations, &organization_paths)
    {
        return Field::Invalid;
    }
    let invalid = matches!(effect, Field::Invalid)
        || matches!(principals, Field::Invalid)
        || matches!(actions, Field::Invalid)
        || matches!(prefixes, Field::Invalid)
        || matches!(conditions, Field::Invalid)
        || matches!(organizations, Field::Invalid)
        || matches!(organization_paths, Field::Invalid);
    if invalid {
        return Field::Invalid;
    }
    match (
        effect,
        principals,
        actions,
        prefixes.optional(),
        conditions.optional(),
        organizations.optional(),
        organization_paths.optional(),
    ) {
        (
            effect,
            Field::Known(principals),
            Field::Known(actions),
            Some(prefixes),
            Some(conditions),
            Some(organizations),
            Some(organization_paths),
        ) if !effect.is_unknown() => Field::Known(Body::Typed(TypedBody {
            effect: effect.known().unwrap_or_else(|| "Allow".into()),
            principals,
            actions,
            repository_prefixes: prefixes.unwrap_or_default(),
            conditions: conditions.unwrap_or_default(),
            organizations: organizations.unwrap_or_default(),
            organization_paths: organization_paths.unwrap_or_default(),
        })),
        _ => Field::Unknown,
    }
}

/// An action of a typed statement: an ECR action some registry policy scope allows.
fn statement_action_problem(a: &str) -> Option<String> {
    if !is_ecr_action(a) {
        return Some(format!(
            "must be an ECR action such as ecr:ReplicateImage, ecr:CreateRepository or ecr:BatchImportUpstreamImage (ecr: and the action's name, * allowed), got \"{a}\""
        ));
    }
    scope_of(a).is_none().then(|| {
            format!("names no action ECR has, got \"{a}\"; a registry policy statement may name ecr:ReplicateImage, ecr:BatchImportUpstreamImage and ecr:CreateRepository (any REGISTRY_POLICY_SCOPE), or, with REGISTRY_POLICY_SCOPE V2, any other ECR action such as ecr:BatchGetImage or ecr:DescribeImages")
        })
}

/// A repository prefix: the start of repository names.
fn repository_prefix_problem(p: &str) -> Option<String> {
    let ok = (1..=256).contains(&p.len())
        && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
    (!ok).then(|| {
        format!("must be the start of repository names: 1 to 256 lowercase letters, digits and . _ - /, got \"{p}\"")
    })
}

/// The statement's `conditions`, each read by `condition`.
fn conditions(r: &mut Reader<'_>) -> Field<Vec<Condition>> {
    match r.object_list(CONDITIONS) {
        Field::Known(list) => r.nested_each(&list, CONDITIONS, condition),
        other => other.map(|_| unreachable!()),
    }
}

/// The organization keys come from one place: the typed field, or a
/// condition, not both (two values for one key and operator would clash).
/// True when they clash (the failure is recorded).
fn organization_keys_clash(
    r: &mut Reader<'_>,
    conditions: &Field<Vec<Condition>>,
    organizations: &Field<Vec<String>>,
    organization_paths: &Field<Vec<String>>,
) -> bool {
    let Field::Known(list) = conditions else { return false };
    let typed = [(ORGANIZATIONS, organizations, ORG_ID_KEY), (ORGANIZATION_PATHS, organization_paths, ORG_PATHS_KEY)];
    for (i, c) in list.iter().enumerate() {
        let clash = typed.iter().find(|(_, given, key)| {
            matches!(given, Field::Known(l) if !l.is_empty()) && c.variable.eq_ignore_ascii_case(key)
        });
        if let Some((field, _, key)) = clash {
            r.fail(
                &format!("conditions[{i}].variable"),
                format!("{key} is what {field} writes; give the organizations in one of the two"),
            );
            return true;
        }
    }
    false
}

/// Principals and actions are given, and "*" (everyone) stands alone and
/// is narrowed by organizations or conditions. False when not (the failure
/// is recorded).
fn principals_and_actions_fit(
    r: &mut Reader<'_>,
    principals: &Field<Vec<String>>,
    actions: &Field<Vec<String>>,
    conditions: &Field<Vec<Condition>>,
    organizations: &Field<Vec<String>>,
    organization_paths: &Field<Vec<String>>,
) -> bool {
    let by_organization =
        [organizations, organization_paths].iter().any(|f| matches!(f, Field::Known(l) if !l.is_empty()));
    if principals.is_absent() {
        r.fail(PRINCIPALS, "is required (or give the statement as document): the accounts, IAM ARNs or service principals it applies to");
        return false;
    }
    if actions.is_absent() {
        r.fail(ACTIONS, "is required (or give the statement as document)");
        return false;
    }
    if let Field::Known(p) = principals
        && p.iter().any(|x| x == "*")
    {
        if p.len() > 1 {
            r.fail(PRINCIPALS, "\"*\" stands for everyone: list it alone");
            return false;
        }
        let narrowed = by_organization
            || organizations.is_unknown()
            || organization_paths.is_unknown()
            || conditions.is_unknown()
            || matches!(conditions, Field::Known(c) if !c.is_empty());
        if !narrowed {
            r.fail(
                PRINCIPALS,
                "\"*\" (everyone) needs organizations, organizationPaths or conditions that narrow it, e.g. organizations: [o-a1b2c3d4e5] for your organization",
            );
            return false;
        }
    }
    true
}

fn condition(r: &mut Reader<'_>) -> Field<Condition> {
    r.reject_unknown_keys(&[TEST, VARIABLE, VALUES], "field of a condition");
    let test = r.checked_string(TEST, |t| {
        let core = t.strip_prefix("ForAnyValue:").or_else(|| t.strip_prefix("ForAllValues:")).unwrap_or(t);
        let core = core.strip_suffix("IfExists").unwrap_or(core);
        let ok = !core.is_empty()
            && core.chars().all(|c| c.is_ascii_alphanumeric())
            && core.starts_with(|c: char| c.is_ascii_uppercase());
        (!ok).then(|| {
            format!("must be an IAM condition operator such as StringEquals, StringLike or ArnLike, got \"{t}\"")
        })
    });
    let variable = r.checked_string(VARIABLE, |v| {
        let ok = v.split_once(':').is_some_and(|(service, key)| {
            !service.is_empty()
                && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || "/_-.:".contains(c))
        });
        (!ok).then(|| format!("must be a condition key such as aws:PrincipalOrgID or aws:SourceAccount, got \"{v}\""))
    });
    let values = r.checked_list(VALUES, 1..=100, "values", true, |_| None);
    for (key, f) in [(TEST, test.is_absent()), (VARIABLE, variable.is_absent()), (VALUES, values.is_absent())] {
        if f {
            r.fail(key, "is required");
            return Field::Invalid;
        }
    }
    match (test, variable, values) {
        (Field::Known(test), Field::Known(variable), Field::Known(values)) => {
            Field::Known(Condition { test, variable, values })
        }
        (Field::Invalid, _, _) | (_, Field::Invalid, _) | (_, _, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// An account id, an IAM ARN (root, role or user), a service principal, or
/// `*`.
fn principal_problem(p: &str) -> Option<String> {
    let iam = crate::partition::parse_arn(p).is_some_and(|a| {
        a.service == "iam"
            && is_account_id(a.account)
            && (a.resource == "root" || a.resource.starts_with("role/") || a.resource.starts_with("user/"))
    });
    (!(p == "*" || is_account_id(p) || iam || is_service_principal(p))).then(|| {
        format!("must be a 12-digit account id, an IAM role, user or root ARN, a service principal such as lambda.amazonaws.com, or * with conditions, got \"{p}\"")
    })
}

/// `ecr:` and an action name (letters, `*` as a wildcard), or `ecr:*`: the
/// shape; whether ECR has such an action is [`scope_of`]'s question.
pub fn is_ecr_action(a: &str) -> bool {
    let Some((service, name)) = a.split_once(':') else { return false };
    service.eq_ignore_ascii_case("ecr") && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == '*')
}

fn statement_value(st: &PolicyStatement) -> Value {
    let mut m = Map::new();
    m.insert(SID.into(), st.sid.clone().into());
    match &st.body {
        Body::Typed(t) => {
            m.insert(EFFECT.into(), t.effect.clone().into());
            if !t.organizations.is_empty() {
                m.insert(ORGANIZATIONS.into(), strings(&t.organizations));
            }
            if !t.organization_paths.is_empty() {
                m.insert(ORGANIZATION_PATHS.into(), strings(&t.organization_paths));
            }
            m.insert(PRINCIPALS.into(), strings(&t.principals));
            m.insert(ACTIONS.into(), strings(&t.actions));
            if !t.repository_prefixes.is_empty() {
                m.insert(REPOSITORY_PREFIXES.into(), strings(&t.repository_prefixes));
            }
            if !t.conditions.is_empty() {
                m.insert(CONDITIONS.into(), Value::Array(t.conditions.iter().map(condition_value).collect()));
            }
        }
        Body::Document(doc) => {
            m.insert(DOCUMENT.into(), serde_json::Value::Object(doc.clone()).to_string().into());
        }
    }
    Value::Object(m)
}

/// A statement's condition as the state holds it.
fn condition_value(c: &Condition) -> Value {
    let mut m = Map::new();
    m.insert(TEST.into(), c.test.clone().into());
    m.insert(VARIABLE.into(), c.variable.clone().into());
    m.insert(VALUES.into(), strings(&c.values));
    Value::Object(m)
}

pub fn account_list(r: &mut Reader<'_>, key: &str) -> Field<Vec<String>> {
    r.checked_list(key, 0..=usize::MAX, "accounts", true, |a| {
        (!is_account_id(a)).then(|| {
            let hint = if a.starts_with("arn:") { " (an account, not a role: give its id)" } else { "" };
            format!("must be a 12-digit AWS account id{hint}, got \"{a}\"")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::property::map_of as map;
    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(map(pairs))
    }
    fn list(items: &[&str]) -> Value {
        Value::Array(items.iter().map(|s| Value::from(*s)).collect())
    }
    fn statements(items: &[&[(&str, Value)]]) -> (&'static str, Value) {
        ("policyStatements", Value::Array(items.iter().map(|pairs| obj(pairs)).collect()))
    }
    fn config() -> ProviderConfig {
        ProviderConfig { region: Some("us-east-1".into()), ..Default::default() }
    }

    #[test]
    fn defaults_and_a_full_registry_round_trip() {
        let (checked, f) = check(&map(&[("scanning", obj(&[]))]), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(checked["scanning"], obj(&[("type", "BASIC".into()), ("scanOnPush", list(&["*"]))]));
        assert_eq!(checked["adopt"], Value::Bool(false));
        let news = map(&[
            (
                "scanning",
                obj(&[("type", "ENHANCED".into()), ("scanOnPush", list(&["*"])), ("continuous", list(&["prod/*"]))]),
            ),
            (
                "replication",
                Value::Array(vec![obj(&[
                    (
                        "destinations",
                        Value::Array(vec![
                            obj(&[("region", "eu-west-1".into())]),
                            obj(&[("region", "us-west-2".into()), ("registryId", "210987654321".into())]),
                        ]),
                    ),
                    ("repositoryPrefixes", list(&["prod"])),
                ])]),
            ),
            ("replicationSourceAccounts", list(&["210987654321"])),
        ]);
        let (checked, f) = check(&news, &config());
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &config()).0.unwrap();
        assert_eq!(parse(&args.to_map(), &config()).0.unwrap(), args);
        assert!(args.scanning.as_ref().unwrap().enhanced);
        assert_eq!(args.replication.as_ref().unwrap()[0].destinations[0].registry_id, None);
        assert_eq!(parse(&map(&[]), &config()).0.unwrap(), RegistryArgs::default());
    }

    #[test]
    fn every_rule_names_its_path() {
        let dest = |region: &str| obj(&[("region", region.into())]);
        let rule = |d: Vec<Value>| obj(&[("destinations", Value::Array(d))]);
        let many_rules = Value::Array((0..11).map(|_| rule(vec![dest("eu-west-1")])).collect());
        let regions = ["eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1", "ap-south-1", "sa-east-1"];
        let many_dests = Value::Array(
            (0..4)
                .map(|i| {
                    rule(
                        regions
                            .iter()
                            .map(|r| {
                                obj(&[
                                    ("region", (*r).into()),
                                    ("registryId", format!("{:012}", 100_000_000_000u64 + i).into()),
                                ])
                            })
                            .collect(),
                    )
                })
                .collect(),
        );
        type Case<'a> = (Vec<(&'a str, Value)>, &'a str, &'a str);
        let cases: Vec<Case> = vec![
            (vec![("scanning", obj(&[("type", "FULL".into())]))], "scanning.type", "must be one of BASIC, ENHANCED"),
            (vec![("scanning", obj(&[("continuous", list(&["*"]))]))], "scanning.continuous", "only for type ENHANCED"),
            (
                vec![("scanning", obj(&[("scanOnPush", list(&["Prod/*"]))]))],
                "scanning.scanOnPush[0]",
                "repository filter",
            ),
            (
                vec![("scanning", obj(&[("scanOnPush", list(&["a//b"]))]))],
                "scanning.scanOnPush[0]",
                "repository filter",
            ),
            (vec![("scanning", obj(&[("bogus", true.into())]))], "scanning.bogus", "is not a field of scanning"),
            (vec![("replication", many_rules)], "replication", "at most 10 rules"),
            (vec![("replication", many_dests)], "replication", "at most 25 different destinations"),
            (vec![("replication", Value::Array(vec![rule(vec![])]))], "replication[0].destinations", "at least one"),
            (vec![("replication", Value::Array(vec![obj(&[])]))], "replication[0].destinations", "is required"),
            (
                vec![("replication", Value::Array(vec![rule(vec![dest("mars-1")])]))],
                "replication[0].destinations[0].region",
                "AWS region name",
            ),
            (
                vec![("replication", Value::Array(vec![rule(vec![dest("us-east-1")])]))],
                "replication[0].destinations[0].region",
                "cannot replicate to itself",
            ),
            (
                vec![(
                    "replication",
                    Value::Array(vec![rule(vec![obj(&[
                        ("region", "eu-west-1".into()),
                        ("registryId", "12345".into()),
                    ])])]),
                )],
                "replication[0].destinations[0].registryId",
                "12-digit account id",
            ),
            (
                vec![(
                    "replication",
                    Value::Array(vec![obj(&[
                        ("destinations", Value::Array(vec![dest("eu-west-1")])),
                        ("repositoryPrefixes", list(&["Prod"])),
                    ])]),
                )],
                "replication[0].repositoryPrefixes[0]",
                "start of a repository name",
            ),
            (vec![("replication", Value::Array(vec!["x".into()]))], "replication[0]", "must be an object"),
            (
                vec![(
                    "replication",
                    Value::Array(vec![rule(vec![obj(&[("region", "eu-west-1".into()), ("backfill", "yes".into())])])]),
                )],
                "replication[0].destinations[0].backfill",
                "true or false",
            ),
            (
                vec![("replicationSourceAccounts", list(&["1234"]))],
                "replicationSourceAccounts[0]",
                "12-digit AWS account id",
            ),
            (
                vec![("replicationSourceAccounts", list(&["arn:aws:iam::210987654321:root"]))],
                "replicationSourceAccounts[0]",
                "give its id",
            ),
            (
                vec![("replicationSourceAccounts", list(&["210987654321", "210987654321"]))],
                "replicationSourceAccounts[1]",
                "listed twice",
            ),
            (vec![("adopt", "yes".into())], "adopt", "true or false"),
            (vec![("scanOnPush", true.into())], "scanOnPush", "is not a property of awsecr:index:Registry"),
            (
                vec![statements(&[&[("actions", list(&["ecr:ReplicateImage"]))]])],
                "policyStatements[0].sid",
                "is required",
            ),
            (vec![statements(&[&[("sid", "has space".into())]])], "policyStatements[0].sid", "letters and digits"),
            (
                vec![statements(&[&[("sid", "ReplicationSourceAccounts".into())]])],
                "policyStatements[0].sid",
                "is the sid of replicationSourceAccounts",
            ),
            (
                vec![statements(&[&[("sid", "A".into()), ("actions", list(&["ecr:ReplicateImage"]))]])],
                "policyStatements[0].principals",
                "is required",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("principals", list(&["210987654321"])),
                    ("actions", list(&["s3:GetObject"])),
                ]])],
                "policyStatements[0].actions[0]",
                "must be an ECR action",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("principals", list(&["bob"])),
                    ("actions", list(&["ecr:ReplicateImage"])),
                ]])],
                "policyStatements[0].principals[0]",
                "12-digit account id, an IAM role",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("principals", list(&["*"])),
                    ("actions", list(&["ecr:ReplicateImage"])),
                ]])],
                "policyStatements[0].principals",
                "needs organizations, organizationPaths or conditions",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("effect", "Maybe".into()),
                    ("principals", list(&["210987654321"])),
                    ("actions", list(&["ecr:ReplicateImage"])),
                ]])],
                "policyStatements[0].effect",
                "Allow, Deny",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("document", "{}".into()),
                    ("actions", list(&["ecr:ReplicateImage"])),
                ]])],
                "policyStatements[0].actions",
                "cannot be used with document",
            ),
            (
                vec![statements(&[&[("sid", "A".into()), ("document", "[1]".into())]])],
                "policyStatements[0].document",
                "one policy statement as a JSON object",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("document", r#"{"Effect":"Allow","Action":"ecr:ReplicateImage"}"#.into()),
                ]])],
                "policyStatements[0].document",
                "must name a Principal",
            ),
            (
                vec![statements(&[
                    &[
                        ("sid", "A".into()),
                        ("principals", list(&["210987654321"])),
                        ("actions", list(&["ecr:ReplicateImage"])),
                    ],
                    &[
                        ("sid", "A".into()),
                        ("principals", list(&["210987654321"])),
                        ("actions", list(&["ecr:CreateRepository"])),
                    ],
                ])],
                "policyStatements[1].sid",
                "is the sid of policyStatements[0] too",
            ),
            (
                vec![statements(&[&[
                    ("sid", "A".into()),
                    ("principals", list(&["*"])),
                    ("actions", list(&["ecr:ReplicateImage"])),
                    (
                        "conditions",
                        Value::Array(vec![obj(&[
                            ("test", "string equals".into()),
                            ("variable", "aws:PrincipalOrgID".into()),
                            ("values", list(&["o-a1"])),
                        ])]),
                    ),
                ]])],
                "policyStatements[0].conditions[0].test",
                "IAM condition operator",
            ),
        ];
        for (pairs, path, words) in cases {
            let (_, f) = check(&map(&pairs), &config());
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{path}: {f:?}");
        }
    }

    #[test]
    fn an_organization_key_comes_from_its_typed_field_or_a_condition_not_both() {
        for (field, key, value) in [
            ("organizations", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
            ("organizationPaths", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"),
        ] {
            let st = obj(&[
                ("sid", "Org".into()),
                ("principals", list(&["*"])),
                ("actions", list(&["ecr:ReplicateImage"])),
                (field, list(&[value])),
                (
                    "conditions",
                    Value::Array(vec![obj(&[
                        ("test", "StringEquals".into()),
                        ("variable", key.to_lowercase().into()),
                        ("values", list(&[value])),
                    ])]),
                ),
            ]);
            let (_, f) = check(&map(&[("policyStatements", Value::Array(vec![st]))]), &config());
            let want = format!("{key} is what {field} writes; give the organizations in one of the two");
            assert!(
                f.iter().any(|f| f.property == "policyStatements[0].conditions[0].variable" && f.reason == want),
                "{field}: {f:?}"
            );
        }
    }

    #[test]
    fn policy_statements_round_trip_and_the_policy_size_is_checked() {
        let typed = obj(&[
            ("sid", "PullThroughFromDev".into()),
            ("principals", list(&["210987654321"])),
            ("actions", list(&["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"])),
            ("repositoryPrefixes", list(&["docker-hub/"])),
        ]);
        let org = obj(&[
            ("sid", "OrgReplication".into()),
            ("principals", list(&["*"])),
            ("actions", list(&["ecr:ReplicateImage", "ecr:CreateRepository"])),
            (
                "conditions",
                Value::Array(vec![obj(&[
                    ("test", "StringEquals".into()),
                    ("variable", "aws:PrincipalOrgID".into()),
                    ("values", list(&["o-a1b2c3d4e5"])),
                ])]),
            ),
        ]);
        let doc = obj(&[
            ("sid", "Lambda".into()),
            (
                "document",
                r#"{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"ecr:BatchGetImage"}"#
                    .into(),
            ),
        ]);
        let (checked, f) = check(&map(&[("policyStatements", Value::Array(vec![typed, org, doc]))]), &config());
        assert!(f.is_empty(), "{f:?}");
        let Value::Array(listed) = &checked["policyStatements"] else { panic!("a list") };
        let effect_of = |v: &Value| match v {
            Value::Object(m) => m.get("effect").cloned(),
            _ => None,
        };
        assert_eq!(effect_of(&listed[0]), Some(Value::from("Allow")), "the default is applied in Check");
        assert_eq!(effect_of(&listed[2]), None, "a document says its own Effect");
        let args = parse(&checked, &config()).0.unwrap();
        let statements = args.statements.clone().unwrap();
        assert_eq!(statements.len(), 3);
        assert!(matches!(&statements[0].body, Body::Typed(t) if t.effect == "Allow"), "Allow by default");
        let (again, f) = check(&args.to_map(), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(parse(&again, &config()).0.unwrap(), args);

        // ECR's 10,240 characters, for what is declared.
        let many: Vec<String> = (0..330).map(|i| format!("{:012}", 100_000_000_000u64 + i)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (_, f) = check(&map(&[("replicationSourceAccounts", list(&many))]), &config());
        assert!(
            f.iter()
                .any(|f| f.property == "replicationSourceAccounts" && f.reason.contains("over ECR's limit of 10240")),
            "{f:?}"
        );
        let (_, f) = check(&map(&[("replicationSourceAccounts", list(&many[..280]))]), &config());
        assert!(f.is_empty(), "280 accounts fit: {f:?}");
    }

    #[test]
    fn a_destination_starts_no_backfill_unless_it_says_so() {
        let dest = |extra: &[(&str, Value)]| {
            let mut d = obj(&[("region", "eu-west-1".into())]);
            if let Value::Object(m) = &mut d {
                m.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
            }
            d
        };
        let news = map(&[(
            "replication",
            Value::Array(vec![obj(&[(
                "destinations",
                Value::Array(vec![
                    dest(&[]),
                    dest(&[("registryId", "210987654321".into()), ("backfill", true.into())]),
                ]),
            )])]),
        )]);
        let (checked, f) = check(&news, &config());
        assert!(f.is_empty(), "{f:?}");
        let Value::Array(rules) = &checked["replication"] else { panic!("a list") };
        let Value::Object(rule) = &rules[0] else { panic!("an object") };
        let Value::Array(destinations) = &rule["destinations"] else { panic!("a list") };
        let flag = |v: &Value| match v {
            Value::Object(m) => m.get("backfill").cloned(),
            _ => None,
        };
        assert_eq!(flag(&destinations[0]), Some(Value::Bool(false)), "the default is applied in Check");
        assert_eq!(flag(&destinations[1]), Some(Value::Bool(true)));
        let args = parse(&checked, &config()).0.unwrap();
        let parsed: Vec<bool> = args.replication.as_ref().unwrap()[0].destinations.iter().map(|d| d.backfill).collect();
        assert_eq!(parsed, vec![false, true]);
        assert_eq!(parse(&args.to_map(), &config()).0.unwrap(), args, "to_map keeps the opt-in");
        // The opt-in is no part of a rule's meaning.
        let mut off = args.replication.clone().unwrap();
        off[0].destinations[1].backfill = false;
        assert!(same_rules(args.replication.as_ref().unwrap(), &off, "123456789012"));
    }

    #[test]
    fn statements_take_organizations_as_a_repository_does() {
        let org = obj(&[
            ("sid", "OrgPullThrough".into()),
            ("principals", list(&["*"])),
            ("actions", list(&["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"])),
            ("organizations", list(&["o-a1b2c3d4e5"])),
            ("organizationPaths", list(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"])),
        ]);
        let (checked, f) = check(&map(&[("policyStatements", Value::Array(vec![org]))]), &config());
        assert!(f.is_empty(), "\"*\" narrowed by organizations needs no condition: {f:?}");
        let args = parse(&checked, &config()).0.unwrap();
        let (again, f) = check(&args.to_map(), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(parse(&again, &config()).0.unwrap(), args, "to_map keeps them");
        let place = Place { partition: "aws", region: "us-east-1", registry_id: "123456789012" };
        let st = args.statements.unwrap()[0].to_json(place);
        assert_eq!(st["Condition"]["StringEquals"]["aws:PrincipalOrgID"], serde_json::json!(["o-a1b2c3d4e5"]));
        assert_eq!(
            st["Condition"]["ForAnyValue:StringLike"]["aws:PrincipalOrgPaths"],
            serde_json::json!(["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"])
        );
        let base = |extra: Vec<(&'static str, Value)>| {
            let mut pairs: Vec<(&str, Value)> =
                vec![("sid", "A".into()), ("principals", list(&["*"])), ("actions", list(&["ecr:ReplicateImage"]))];
            pairs.extend(extra);
            map(&[("policyStatements", Value::Array(vec![Value::Object(map(&pairs))]))])
        };
        let cases = [
            (
                base(vec![("organizations", list(&["o-1"]))]),
                "policyStatements[0].organizations[0]",
                "o- followed by 10 to 32",
            ),
            (
                base(vec![("organizationPaths", list(&["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]))]),
                "policyStatements[0].organizationPaths[0]",
                "leave out the final *",
            ),
            (
                base(vec![
                    ("organizations", list(&["o-a1b2c3d4e5"])),
                    (
                        "conditions",
                        Value::Array(vec![obj(&[
                            ("test", "StringEquals".into()),
                            ("variable", "aws:principalorgid".into()),
                            ("values", list(&["o-a1b2c3d4e5"])),
                        ])]),
                    ),
                ]),
                "policyStatements[0].conditions[0].variable",
                "is what organizations writes",
            ),
            (base(vec![]), "policyStatements[0].principals", "needs organizations, organizationPaths or conditions"),
        ];
        for (news, path, words) in cases {
            let (_, f) = check(&news, &config());
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{path}: {f:?}");
        }
    }

    #[test]
    fn rules_compare_by_meaning() {
        let d = |region: &str, id: Option<&str>| Destination {
            region: region.into(),
            registry_id: id.map(str::to_string),
            backfill: false,
        };
        let a = vec![
            ReplicationRule {
                destinations: vec![d("eu-west-1", None), d("us-west-2", Some("210987654321"))],
                repository_prefixes: vec!["a".into(), "b".into()],
            },
            ReplicationRule { destinations: vec![d("ap-south-1", None)], repository_prefixes: vec![] },
        ];
        let b = vec![
            ReplicationRule { destinations: vec![d("ap-south-1", Some("123456789012"))], repository_prefixes: vec![] },
            ReplicationRule {
                destinations: vec![d("us-west-2", Some("210987654321")), d("eu-west-1", None)],
                repository_prefixes: vec!["b".into(), "a".into()],
            },
        ];
        assert!(same_rules(&a, &b, "123456789012"));
        assert!(!same_rules(&a, &b, "999999999999"));
        assert!(!same_rules(&a, &b[..1], "123456789012"));
    }

    #[test]
    fn signing_rules_round_trip_and_compare_by_meaning() {
        let arn = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/release";
        let audit = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/audit_2";
        let news = map(&[(
            "signing",
            Value::Array(vec![
                obj(&[("signingProfileArn", arn.into()), ("repositoryFilters", list(&["prod/*", "team/api"]))]),
                obj(&[("signingProfileArn", audit.into())]),
            ]),
        )]);
        let (checked, f) = check(&news, &config());
        assert!(f.is_empty(), "{f:?}");
        let args = parse(&checked, &config()).0.unwrap();
        let rules = args.signing.clone().unwrap();
        assert_eq!(rules[0].repository_filters, vec!["prod/*".to_string(), "team/api".to_string()]);
        assert!(rules[1].repository_filters.is_empty(), "no filters: every repository");
        assert_eq!(parse(&args.to_map(), &config()).0.unwrap(), args);
        let Value::Array(written) = &args.to_map()["signing"] else { panic!("a list") };
        assert!(matches!(&written[1], Value::Object(m) if !m.contains_key("repositoryFilters")), "none written back");
        // Order of rules and of filters aside.
        let rule = |a: &str, f: &[&str]| SigningRule {
            profile_arn: a.into(),
            repository_filters: f.iter().map(|s| s.to_string()).collect(),
        };
        let a = vec![rule(arn, &["a/*", "b"]), rule(audit, &[])];
        assert!(same_signing(&a, &[rule(audit, &[]), rule(arn, &["b", "a/*"])]));
        assert!(!same_signing(&a, &[rule(audit, &[]), rule(arn, &["b"])]));
        assert!(!same_signing(&a, &[rule(arn, &["a/*", "b"]), rule(audit, &["*"])]), "no filters is not [*]");
        assert!(!same_signing(&a, &a[..1]));
        // An empty list is declared and owned: no rule.
        let (checked, f) = check(&map(&[("signing", Value::Array(vec![]))]), &config());
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(parse(&checked, &config()).0.unwrap().signing, Some(vec![]));
    }

    #[test]
    fn signing_profiles_are_checked_for_shape_partition_and_region() {
        let ok = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/release";
        assert_eq!(signing_profile_problem(ok, &config()), None);
        for bad in [
            "arn:aws:signer:us-east-1:123456789012:signing-profiles/release",
            "arn:aws:signer:us-east-1:1234:/signing-profiles/release",
            "arn:aws:signer::123456789012:/signing-profiles/release",
            "arn:aws:signer:us-east-1:123456789012:/signing-profiles/r",
            "arn:aws:signer:us-east-1:123456789012:/signing-profiles/re-lease",
            "arn:aws:lambda:us-east-1:123456789012:/signing-profiles/release",
            "arn:AWS:signer:us-east-1:123456789012:/signing-profiles/release",
            "release",
        ] {
            let why = signing_profile_problem(bad, &config()).unwrap_or_default();
            assert!(why.contains("must be an AWS Signer signing profile ARN"), "{bad}: {why}");
        }
        let long = format!("arn:aws:signer:us-east-1:123456789012:/signing-profiles/{}", "a".repeat(150));
        assert!(signing_profile_problem(&long, &config()).is_some(), "over 200 characters");
        let west = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/release";
        assert!(
            signing_profile_problem(west, &config())
                .unwrap()
                .contains("region eu-west-1, but the registry is in us-east-1")
        );
        let china = "arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/release";
        assert!(
            signing_profile_problem(china, &config()).unwrap().contains("partition aws-cn, but the registry is in aws")
        );
        let in_china = ProviderConfig { region: Some("cn-north-1".into()), ..Default::default() };
        assert_eq!(signing_profile_problem(china, &in_china), None);
        // Without a region known yet, the shape alone.
        assert_eq!(signing_profile_problem(west, &ProviderConfig::default()), None);
    }

    #[test]
    fn signing_filters_follow_the_model() {
        for good in ["*", "prod/*", "team-a/api.v2", "a_b/c*d", "x"] {
            assert!(is_signing_filter(good), "{good}");
        }
        for bad in ["", "Prod", "a//b", "/a", "a/", "a b", "-a", "a-", "a..b", &"a".repeat(257)] {
            assert!(!is_signing_filter(bad), "{bad}");
        }
    }

    #[test]
    fn filters_follow_the_model() {
        for good in ["*", "prod/*", "a.b_c-d", "team/*/api", "x"] {
            assert!(is_scan_filter(good), "{good}");
        }
        for bad in ["", "Prod", "a//b", "/a", "a/", "a b", &"a".repeat(256)] {
            assert!(!is_scan_filter(bad), "{bad}");
        }
        for good in ["prod", "team/api", "team/", "ab"] {
            assert!(is_repository_prefix(good), "{good}");
        }
        for bad in ["p", "Prod", "/x", "a b", "a/-b/c"] {
            assert!(!is_repository_prefix(bad), "{bad}");
        }
    }
}
