//! The registry policy, owned statement by statement. Pure: no AWS calls.
//!
//! A registry policy is shared by everyone who uses the registry (other
//! stacks, hand-written statements for replication or pull-through cache
//! use, organisation-wide conditions), so a Registry owns only the
//! statements it writes, each known by its `Sid`: [`SID_PREFIX`] followed by
//! the declared sid (`replicationSourceAccounts` is written as
//! [`REPLICATION_SID`]). Every write is the live document with this
//! resource's statements taken out and the declared ones put in
//! ([`merged`]); every other statement is kept as it is.
//!
//! ECR's cross-account replication needs the destination registry to allow
//! `ecr:CreateRepository` and `ecr:ReplicateImage` to the source account's
//! root on the destination's repositories (AWS's "Private registry
//! permissions" documentation gives this statement); cross-account
//! pull-through cache use needs `ecr:BatchImportUpstreamImage` too.
//!
//! Architecture invariant: nothing here decides what is ours by anything but
//! the `Sid` of a statement.

use std::collections::BTreeSet;

use serde_json::{Map as JsonMap, Value as Json, json};

use crate::partition::is_account_id;
use crate::policy::access::{ORG_ID_KEY, ORG_PATHS_KEY};

/// The first characters of the `Sid` of every statement a Registry writes.
pub const SID_PREFIX: &str = "Awsecr";
/// The `Sid` of the statement `replicationSourceAccounts` writes.
pub const REPLICATION_SID: &str = "AwsecrReplicationSourceAccounts";
/// The sid a declared statement may not take (the replication statement's).
pub const RESERVED_SID: &str = "ReplicationSourceAccounts";

/// The actions a source account needs to replicate into this registry.
pub const REPLICATION_ACTIONS: &[&str] = &["ecr:CreateRepository", "ecr:ReplicateImage"];
/// The actions ECR enforces in a registry policy of scope V1 (AWS's
/// "Private registry permissions"); with V2, the default scope, a
/// statement may name any ECR action.
pub const V1_ACTIONS: &[&str] = &["ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:ReplicateImage"];

/// Every action ECR authorizes, as IAM names it: the operations of
/// botocore's ECR model and the two permission-only actions
/// (`ecr:BatchImportUpstreamImage`, `ecr:ReplicateImage`; AWS's "Private
/// registry permissions"). With scope V2 a registry policy statement may
/// name any of them; a test compares the list with the model the tests run
/// with, so an action AWS adds fails there first.
pub const ECR_ACTIONS: &[&str] = &[
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "BatchGetImage",
    "BatchGetRepositoryScanningConfiguration",
    "BatchImportUpstreamImage",
    "CompleteLayerUpload",
    "CreatePullThroughCacheRule",
    "CreateRepository",
    "CreateRepositoryCreationTemplate",
    "DeleteLifecyclePolicy",
    "DeletePullThroughCacheRule",
    "DeleteRegistryPolicy",
    "DeleteRepository",
    "DeleteRepositoryCreationTemplate",
    "DeleteRepositoryPolicy",
    "DeleteSigningConfiguration",
    "DeregisterPullTimeUpdateExclusion",
    "DescribeImageReplicationStatus",
    "DescribeImageScanFindings",
    "DescribeImageSigningStatus",
    "DescribeImages",
    "DescribePullThroughCacheRules",
    "DescribeRegistry",
    "DescribeReplicationBackfillResults",
    "DescribeRepositories",
    "DescribeRepositoryCreationTemplates",
    "GetAccountSetting",
    "GetAuthorizationToken",
    "GetDownloadUrlForLayer",
    "GetLifecyclePolicy",
    "GetLifecyclePolicyPreview",
    "GetRegistryPolicy",
    "GetRegistryScanningConfiguration",
    "GetRepositoryPolicy",
    "GetSigningConfiguration",
    "InitiateLayerUpload",
    "ListImageReferrers",
    "ListImages",
    "ListPullTimeUpdateExclusions",
    "ListReplicationBackfills",
    "ListTagsForResource",
    "PutAccountSetting",
    "PutImage",
    "PutImageScanningConfiguration",
    "PutImageTagMutability",
    "PutLifecyclePolicy",
    "PutRegistryPolicy",
    "PutRegistryScanningConfiguration",
    "PutReplicationConfiguration",
    "PutSigningConfiguration",
    "RegisterPullTimeUpdateExclusion",
    "ReplicateImage",
    "SetRepositoryPolicy",
    "StartImageScan",
    "StartLifecyclePolicyPreview",
    "StartReplicationBackfill",
    "StopReplicationBackfill",
    "TagResource",
    "UntagResource",
    "UpdateImageStorageClass",
    "UpdatePullThroughCacheRule",
    "UpdateRepositoryCreationTemplate",
    "UploadLayerPart",
    "ValidatePullThroughCacheRule",
];

/// The registry policy scope (the account setting `REGISTRY_POLICY_SCOPE`)
/// a statement naming an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Allowed with V1 (and V2): the action names only V1's actions.
    V1,
    /// Allowed with V2 only: it names an ECR action beyond V1's.
    V2,
}

/// The scope that lets a statement name `action` (`ecr:` and a name, `*`
/// and `?` as IAM's wildcards, case aside as IAM reads actions); `None`
/// when it names no action ECR has (no scope allows it).
pub fn scope_of(action: &str) -> Option<Scope> {
    let (service, name) = action.split_once(':')?;
    if !service.eq_ignore_ascii_case("ecr") {
        return None;
    }
    let pattern = name.to_ascii_lowercase();
    let matched: Vec<&str> = ECR_ACTIONS.iter().copied().filter(|a| glob(&pattern, &a.to_ascii_lowercase())).collect();
    if matched.is_empty() {
        return None;
    }
    let v1 = |a: &str| V1_ACTIONS.iter().any(|v| v.eq_ignore_ascii_case(&format!("ecr:{a}")));
    Some(if matched.iter().all(|a| v1(a)) { Scope::V1 } else { Scope::V2 })
}

/// IAM's wildcard match: `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut i, mut j, mut star, mut mark) = (0, 0, None, 0);
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some(i);
            mark = j;
            i += 1;
        } else if let Some(s) = star {
            i = s + 1;
            mark += 1;
            j = mark;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// The actions of `statements` (their `Action` and `NotAction`) that only
/// scope V2 allows, each once, in order: what a registry policy of scope V1
/// refuses.
pub fn beyond_v1(statements: &[Json]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for st in statements {
        for key in ["Action", "NotAction"] {
            let actions = match st.get(key) {
                Some(Json::String(a)) => vec![a.clone()],
                Some(Json::Array(list)) => list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
                _ => vec![],
            };
            for a in actions {
                if scope_of(&a) != Some(Scope::V1) && !out.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    out
}

/// The longest registry policy ECR accepts.
pub const MAX_REGISTRY_POLICY_LENGTH: usize = 10_240;
/// A registry id of the right length, for sizing a policy before the
/// registry's own id is known (account ids are always 12 digits).
pub const SIZING_REGISTRY_ID: &str = "000000000000";

/// Where statements are written: the registry's partition, region and id.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    pub registry_id: &'a str,
}

impl Place<'_> {
    fn repositories(&self, prefix: &str) -> String {
        format!("arn:{}:ecr:{}:{}:repository/{prefix}*", self.partition, self.region, self.registry_id)
    }
}

/// One condition of a typed statement: `{test: {variable: values}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub test: String,
    pub variable: String,
    pub values: Vec<String>,
}

/// A statement's typed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedBody {
    pub effect: String,
    pub principals: Vec<String>,
    pub actions: Vec<String>,
    pub repository_prefixes: Vec<String>,
    pub conditions: Vec<Condition>,
    /// Organizations the principals must be in (`aws:PrincipalOrgID`,
    /// as a Repository's `pullOrganizations` writes it).
    pub organizations: Vec<String>,
    /// Organization paths the principals must be in or under
    /// (`aws:PrincipalOrgPaths`, as `pullOrganizationPaths`).
    pub organization_paths: Vec<String>,
}

/// What a declared statement says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// The typed fields.
    Typed(TypedBody),
    /// A statement given as JSON (its `Sid` is ours to set).
    Document(JsonMap<String, Json>),
}

/// A statement of `policyStatements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStatement {
    /// The declared sid, without [`SID_PREFIX`].
    pub sid: String,
    pub body: Body,
}

impl PolicyStatement {
    /// The `Sid` it is written with.
    pub fn full_sid(&self) -> String {
        format!("{SID_PREFIX}{}", self.sid)
    }

    /// The statement as written into the registry policy at `place`.
    pub fn to_json(&self, place: Place<'_>) -> Json {
        let mut st = JsonMap::new();
        st.insert("Sid".into(), self.full_sid().into());
        match &self.body {
            Body::Typed(t) => {
                st.insert("Effect".into(), t.effect.clone().into());
                st.insert("Principal".into(), principal_json(&t.principals, place.partition));
                st.insert("Action".into(), json!(t.actions));
                let resources: Vec<String> = if t.repository_prefixes.is_empty() {
                    vec![place.repositories("")]
                } else {
                    t.repository_prefixes.iter().map(|p| place.repositories(p)).collect()
                };
                st.insert("Resource".into(), if resources.len() == 1 { json!(resources[0]) } else { json!(resources) });
                let conditions: Vec<Condition> = t
                    .conditions
                    .iter()
                    .cloned()
                    .chain(organization_conditions(&t.organizations, &t.organization_paths))
                    .collect();
                if !conditions.is_empty() {
                    st.insert("Condition".into(), condition_json(&conditions));
                }
            }
            Body::Document(doc) => {
                for (k, v) in doc {
                    if k != "Sid" {
                        st.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        Json::Object(st)
    }

    /// The same statement given as JSON: how one found in ECR is imported.
    pub fn from_json(sid: &str, st: &Json) -> Option<PolicyStatement> {
        let mut doc = st.as_object()?.clone();
        doc.remove("Sid");
        Some(PolicyStatement { sid: sid.to_string(), body: Body::Document(doc) })
    }
}

/// The conditions `organizations` and `organization_paths` stand for, the
/// same keys and operators as a repository's organization grants
/// ([`crate::policy::access`]): each path followed by `*`, so the OUs under
/// it count too.
pub fn organization_conditions(organizations: &[String], paths: &[String]) -> Vec<Condition> {
    let mut out = Vec::new();
    if !organizations.is_empty() {
        out.push(Condition {
            test: "StringEquals".into(),
            variable: ORG_ID_KEY.into(),
            values: organizations.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect(),
        });
    }
    if !paths.is_empty() {
        out.push(Condition {
            test: "ForAnyValue:StringLike".into(),
            variable: ORG_PATHS_KEY.into(),
            values: paths.iter().map(|p| format!("{p}*")).collect::<BTreeSet<_>>().into_iter().collect(),
        });
    }
    out
}

/// `Principal` of a typed statement: account ids as their root ARN, ARNs as
/// given, service principals under `Service`, `*` alone as `*`.
fn principal_json(principals: &[String], partition: &str) -> Json {
    if principals.iter().any(|p| p == "*") {
        return json!("*");
    }
    let (services, aws): (Vec<&String>, Vec<&String>) = principals.iter().partition(|p| is_service_principal(p));
    let aws: Vec<String> = aws
        .iter()
        .map(|p| if is_account_id(p) { format!("arn:{partition}:iam::{p}:root") } else { p.to_string() })
        .collect();
    let mut m = JsonMap::new();
    let one_or_many = |v: Vec<String>| if v.len() == 1 { json!(v[0]) } else { json!(v) };
    if !aws.is_empty() {
        m.insert("AWS".into(), one_or_many(aws));
    }
    if !services.is_empty() {
        m.insert("Service".into(), one_or_many(services.into_iter().cloned().collect()));
    }
    Json::Object(m)
}

/// A service principal such as `lambda.amazonaws.com`.
pub fn is_service_principal(p: &str) -> bool {
    let host = p.strip_suffix(".amazonaws.com").or_else(|| p.strip_suffix(".amazonaws.com.cn"));
    host.is_some_and(|h| {
        !h.is_empty() && h.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c))
    })
}

/// The statement letting `accounts` replicate into the registry at `place`;
/// `None` for no account.
pub fn replication_statement(accounts: &[String], place: Place<'_>) -> Option<Json> {
    if accounts.is_empty() {
        return None;
    }
    let roots: BTreeSet<String> = accounts.iter().map(|a| format!("arn:{}:iam::{a}:root", place.partition)).collect();
    Some(json!({
        "Sid": REPLICATION_SID,
        "Effect": "Allow",
        "Principal": {"AWS": roots.into_iter().collect::<Vec<_>>()},
        "Action": REPLICATION_ACTIONS,
        "Resource": place.repositories(""),
    }))
}

/// The statements a Registry declaring `accounts` and `statements` owns.
pub fn declared(accounts: Option<&[String]>, statements: Option<&[PolicyStatement]>, place: Place<'_>) -> Vec<Json> {
    let mut out: Vec<Json> = accounts.and_then(|a| replication_statement(a, place)).into_iter().collect();
    out.extend(statements.unwrap_or_default().iter().map(|s| s.to_json(place)));
    out
}

/// The `Sid`s a Registry declaring `accounts` and `statements` owns (the
/// replication one whenever `replicationSourceAccounts` is declared, even
/// empty: its absence is then what is owned).
pub fn owned_sids(accounts: Option<&[String]>, statements: Option<&[PolicyStatement]>) -> BTreeSet<String> {
    let mut sids: BTreeSet<String> = statements.unwrap_or_default().iter().map(PolicyStatement::full_sid).collect();
    if accounts.is_some() {
        sids.insert(REPLICATION_SID.to_string());
    }
    sids
}

/// The statements of a policy document (a single statement object counts as
/// a list of one); `None` when it is not a policy document.
pub fn statements_of(text: &str) -> Option<Vec<Json>> {
    let doc: Json = serde_json::from_str(text).ok()?;
    match doc.get("Statement")? {
        Json::Array(a) => Some(a.clone()),
        single @ Json::Object(_) => Some(vec![single.clone()]),
        _ => None,
    }
}

/// A statement's `Sid`.
pub fn sid_of(st: &Json) -> Option<&str> {
    st.get("Sid")?.as_str()
}

/// The statement with `sid` in the policy `text`.
pub fn find<'a>(statements: &'a [Json], sid: &str) -> Option<&'a Json> {
    statements.iter().find(|s| sid_of(s) == Some(sid))
}

/// The live policy `live` with every statement whose `Sid` is in `remove`
/// taken out and `owned` put in, every other statement kept as it is (in
/// its place). `None` when no statement is left.
pub fn merged(live: Option<&str>, remove: &BTreeSet<String>, owned: &[Json]) -> Option<String> {
    let doc: Option<Json> = live.and_then(|t| serde_json::from_str(t).ok());
    let version = doc.as_ref().and_then(|d| d.get("Version")).cloned().unwrap_or_else(|| json!("2012-10-17"));
    let mut statements: Vec<Json> = live
        .and_then(statements_of)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| sid_of(s).is_none_or(|sid| !remove.contains(sid)))
        .collect();
    statements.extend(owned.iter().cloned());
    (!statements.is_empty()).then(|| json!({"Version": version, "Statement": statements}).to_string())
}

/// How long a policy of `statements` is, as [`merged`] writes it.
pub fn policy_length(statements: &[Json]) -> usize {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string().len()
}

/// How many characters of a policy the statements not in `ours` take.
pub fn foreign_length(live: Option<&str>, ours: &BTreeSet<String>) -> usize {
    live.and_then(statements_of)
        .unwrap_or_default()
        .iter()
        .filter(|s| sid_of(s).is_none_or(|sid| !ours.contains(sid)))
        .map(|s| s.to_string().len() + 1)
        .sum()
}

/// Conditions as a policy's `Condition`: by test, then by variable.
fn condition_json(conditions: &[Condition]) -> Json {
    let mut by_test = JsonMap::new();
    for c in conditions {
        let entry = by_test.entry(c.test.clone()).or_insert_with(|| Json::Object(JsonMap::new()));
        if let Json::Object(vars) = entry {
            vars.insert(c.variable.clone(), json!(c.values));
        }
    }
    Json::Object(by_test)
}

/// A statement in a canonical form, for comparison by meaning: action and
/// resource lists sorted (one string is a list of one, actions in lower
/// case), principals as sorted lists with account roots as account ids,
/// condition values sorted and condition keys in lower case.
pub fn normalize(st: &Json) -> Json {
    let Some(obj) = st.as_object() else { return st.clone() };
    let mut out = JsonMap::new();
    for (k, v) in obj {
        let n = match k.as_str() {
            "Action" | "NotAction" => sorted_list(v, true),
            "Resource" | "NotResource" => sorted_list(v, false),
            "Principal" | "NotPrincipal" => normalized_principal(v),
            "Condition" => normalized_condition(v),
            _ => v.clone(),
        };
        out.insert(k.clone(), n);
    }
    Json::Object(out)
}

/// A string or a list of them as a sorted list without repeats (in lower
/// case when `lower`); any other value as it is.
fn sorted_list(v: &Json, lower: bool) -> Json {
    let mut items: Vec<String> = match v {
        Json::String(s) => vec![s.clone()],
        Json::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string())).collect(),
        other => return other.clone(),
    };
    if lower {
        items.iter_mut().for_each(|s| *s = s.to_ascii_lowercase());
    }
    items.sort();
    items.dedup();
    json!(items)
}

/// A principal: `*` as everyone in AWS's form, each kind's list sorted,
/// AWS account roots as account ids.
fn normalized_principal(v: &Json) -> Json {
    match v {
        Json::String(s) if s == "*" => json!({"AWS": ["*"]}),
        Json::Object(m) => {
            let mut pm = JsonMap::new();
            for (kind, ps) in m {
                let mut items = match sorted_list(ps, false) {
                    Json::Array(a) => a,
                    other => vec![other],
                };
                if kind == "AWS" {
                    items = account_ids(items);
                }
                pm.insert(kind.clone(), Json::Array(items));
            }
            Json::Object(pm)
        }
        other => other.clone(),
    }
}

/// AWS principals with account roots as account ids, sorted, no repeats.
fn account_ids(mut items: Vec<Json>) -> Vec<Json> {
    for p in &mut items {
        if let Some(account) = p.as_str().and_then(account_of) {
            *p = json!(account);
        }
    }
    items.sort_by_key(|x| x.to_string());
    items.dedup();
    items
}

/// A condition: keys in lower case, values sorted.
fn normalized_condition(v: &Json) -> Json {
    let Json::Object(tests) = v else { return v.clone() };
    let mut tm = JsonMap::new();
    for (test, vars) in tests {
        let mut vm = JsonMap::new();
        if let Json::Object(vars) = vars {
            for (var, values) in vars {
                vm.insert(var.to_ascii_lowercase(), sorted_list(values, false));
            }
        }
        tm.insert(test.clone(), Json::Object(vm));
    }
    Json::Object(tm)
}

/// Whether two statements say the same by meaning.
pub fn same_statement(a: &Json, b: &Json) -> bool {
    normalize(a) == normalize(b)
}

/// The accounts the replication statement lets replicate in, when that is
/// all it says (account ids or root ARNs, any order); `None` otherwise.
pub fn accounts_of_statement(st: &Json) -> Option<Vec<String>> {
    let st = st.as_object()?;
    if st.keys().any(|k| !["Sid", "Effect", "Principal", "Action", "Resource"].contains(&k.as_str())) {
        return None;
    }
    if st.get("Effect")?.as_str()? != "Allow" {
        return None;
    }
    let wanted: BTreeSet<String> = REPLICATION_ACTIONS.iter().map(|a| a.to_ascii_lowercase()).collect();
    let actions: BTreeSet<String> = strings(st.get("Action")?)?.iter().map(|a| a.to_ascii_lowercase()).collect();
    if actions != wanted {
        return None;
    }
    if !strings(st.get("Resource")?)?.iter().all(|r| r.ends_with(":repository/*")) {
        return None;
    }
    let principal = st.get("Principal")?.as_object()?;
    if principal.keys().any(|k| k != "AWS") {
        return None;
    }
    let accounts: BTreeSet<String> =
        strings(principal.get("AWS")?)?.iter().map(|p| account_of(p)).collect::<Option<_>>()?;
    (!accounts.is_empty()).then(|| accounts.into_iter().collect())
}

fn strings(v: &Json) -> Option<Vec<String>> {
    match v {
        Json::String(s) => Some(vec![s.clone()]),
        Json::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// An account id, or the account of a root ARN.
fn account_of(p: &str) -> Option<String> {
    if is_account_id(p) {
        return Some(p.to_string());
    }
    let arn = crate::partition::parse_arn(p)?;
    (arn.service == "iam" && arn.resource == "root" && is_account_id(arn.account)).then(|| arn.account.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_the_scope_that_allows_it() {
        for v1 in ["ecr:ReplicateImage", "ecr:createrepository", "ECR:BatchImportUpstreamImage", "ecr:Replicate*"] {
            assert_eq!(scope_of(v1), Some(Scope::V1), "{v1}");
        }
        for v2 in ["ecr:BatchGetImage", "ecr:*", "ecr:Describe*", "ecr:Create*", "ecr:?atchGetImage"] {
            assert_eq!(scope_of(v2), Some(Scope::V2), "{v2}");
        }
        for none in ["ecr:PullImage", "ecr:Fly*", "s3:GetObject", "ecr", "ecr:"] {
            assert_eq!(scope_of(none), None, "{none}");
        }
        let statements = vec![
            json!({"Action": ["ecr:CreateRepository", "ecr:BatchGetImage"]}),
            json!({"Action": "ecr:DescribeImages", "NotAction": "ecr:BatchGetImage"}),
            json!({"Action": "ecr:ReplicateImage"}),
        ];
        assert_eq!(beyond_v1(&statements), vec!["ecr:BatchGetImage".to_string(), "ecr:DescribeImages".to_string()]);
        assert!(beyond_v1(&[json!({"Action": V1_ACTIONS})]).is_empty());
    }

    const PLACE: Place<'static> = Place { partition: "aws", region: "us-east-1", registry_id: "123456789012" };

    fn pull_through_for(account: &str) -> PolicyStatement {
        PolicyStatement {
            sid: "PullThroughFromDev".into(),
            body: Body::Typed(TypedBody {
                effect: "Allow".into(),
                principals: vec![account.into()],
                actions: vec!["ecr:BatchImportUpstreamImage".into(), "ecr:CreateRepository".into()],
                repository_prefixes: vec!["docker-hub/".into()],
                conditions: vec![],
                organizations: vec![],
                organization_paths: vec![],
            }),
        }
    }

    #[test]
    fn replication_statement_round_trips() {
        let accounts = vec!["210987654321".to_string(), "111122223333".to_string()];
        let st = replication_statement(&accounts, PLACE).unwrap();
        assert_eq!(st["Sid"], REPLICATION_SID);
        assert_eq!(st["Resource"], "arn:aws:ecr:us-east-1:123456789012:repository/*");
        assert_eq!(st["Principal"]["AWS"], json!(["arn:aws:iam::111122223333:root", "arn:aws:iam::210987654321:root"]));
        assert_eq!(st["Action"], json!(["ecr:CreateRepository", "ecr:ReplicateImage"]));
        assert_eq!(accounts_of_statement(&st), Some(vec!["111122223333".to_string(), "210987654321".to_string()]));
        assert_eq!(replication_statement(&[], PLACE), None);
        let cn = Place { partition: "aws-cn", region: "cn-north-1", ..PLACE };
        let st = replication_statement(&accounts, cn).unwrap().to_string();
        assert!(st.contains("arn:aws-cn:iam::111122223333:root") && st.contains("arn:aws-cn:ecr:cn-north-1"));
        // Anything else is not an account list.
        let mut other = replication_statement(&accounts, PLACE).unwrap();
        other["Condition"] = json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc"}});
        assert_eq!(accounts_of_statement(&other), None);
    }

    #[test]
    fn typed_statements_are_written_with_the_prefix_and_compared_by_meaning() {
        let st = pull_through_for("210987654321").to_json(PLACE);
        assert_eq!(st["Sid"], "AwsecrPullThroughFromDev");
        assert_eq!(st["Principal"], json!({"AWS": "arn:aws:iam::210987654321:root"}));
        assert_eq!(st["Resource"], "arn:aws:ecr:us-east-1:123456789012:repository/docker-hub/*");
        let reshaped = json!({
            "Resource": ["arn:aws:ecr:us-east-1:123456789012:repository/docker-hub/*"],
            "Action": ["ECR:CreateRepository", "ecr:batchimportupstreamimage"],
            "Principal": {"AWS": ["210987654321"]},
            "Effect": "Allow",
            "Sid": "AwsecrPullThroughFromDev",
        });
        assert!(same_statement(&st, &reshaped));
        assert!(!same_statement(&st, &pull_through_for("111122223333").to_json(PLACE)));
        // Organisation-wide, by condition.
        let org = PolicyStatement {
            sid: "OrgReplication".into(),
            body: Body::Typed(TypedBody {
                effect: "Allow".into(),
                principals: vec!["*".into()],
                actions: vec!["ecr:ReplicateImage".into(), "ecr:CreateRepository".into()],
                repository_prefixes: vec![],
                conditions: vec![Condition {
                    test: "StringEquals".into(),
                    variable: "aws:PrincipalOrgID".into(),
                    values: vec!["o-a1b2c3d4e5".into()],
                }],
                organizations: vec![],
                organization_paths: vec![],
            }),
        }
        .to_json(PLACE);
        assert_eq!(org["Principal"], "*");
        assert_eq!(org["Condition"], json!({"StringEquals": {"aws:PrincipalOrgID": ["o-a1b2c3d4e5"]}}));
        // A statement given as JSON gets our Sid, whatever it said.
        let doc = json!({"Sid": "Theirs", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "ecr:BatchGetImage"});
        let st = PolicyStatement::from_json("Lambda", &doc).unwrap().to_json(PLACE);
        assert_eq!(st["Sid"], "AwsecrLambda");
        assert_eq!(st["Principal"]["Service"], "lambda.amazonaws.com");
    }

    #[test]
    fn organization_fields_write_the_repository_grants_condition_keys() {
        let st = PolicyStatement {
            sid: "OrgPullThrough".into(),
            body: Body::Typed(TypedBody {
                effect: "Allow".into(),
                principals: vec!["*".into()],
                actions: vec!["ecr:BatchImportUpstreamImage".into(), "ecr:CreateRepository".into()],
                repository_prefixes: vec![],
                conditions: vec![Condition {
                    test: "StringEquals".into(),
                    variable: "aws:PrincipalAccount".into(),
                    values: vec!["210987654321".into()],
                }],
                organizations: vec!["o-a1b2c3d4e5".into()],
                organization_paths: vec!["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".into()],
            }),
        }
        .to_json(PLACE);
        // The declared condition and the organization keys, under one
        // operator where they share it.
        assert_eq!(
            st["Condition"],
            json!({
                "StringEquals": {"aws:PrincipalAccount": ["210987654321"], "aws:PrincipalOrgID": ["o-a1b2c3d4e5"]},
                "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"]},
            })
        );
        assert!(organization_conditions(&[], &[]).is_empty());
    }

    #[test]
    fn merging_keeps_every_statement_of_others() {
        let theirs = json!({"Sid": "HandWritten", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": ["ecr:BatchImportUpstreamImage"], "Resource": "*"});
        let unnamed = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::888888888888:root"}, "Action": "ecr:ReplicateImage", "Resource": "*"});
        let old_ours = replication_statement(&["111122223333".into()], PLACE).unwrap();
        let live = json!({"Version": "2012-10-17", "Statement": [theirs, old_ours, unnamed]}).to_string();
        let new_ours = replication_statement(&["210987654321".into()], PLACE).unwrap();
        let remove = owned_sids(Some(&["210987654321".to_string()]), None);
        let text = merged(Some(&live), &remove, std::slice::from_ref(&new_ours)).unwrap();
        let statements = statements_of(&text).unwrap();
        assert_eq!(statements, vec![theirs.clone(), unnamed.clone(), new_ours]);
        // Removing ours leaves theirs; removing the last statement leaves none.
        let text = merged(Some(&live), &remove, &[]).unwrap();
        assert_eq!(statements_of(&text).unwrap(), vec![theirs, unnamed]);
        let only_ours = json!({"Version": "2012-10-17", "Statement": [replication_statement(&["111122223333".into()], PLACE).unwrap()]}).to_string();
        assert_eq!(merged(Some(&only_ours), &remove, &[]), None);
        assert_eq!(merged(None, &remove, &[]), None);
        assert!(foreign_length(Some(&live), &remove) > 200);
    }

    #[test]
    fn service_principals() {
        for ok in ["lambda.amazonaws.com", "pullthroughcache.ecr.amazonaws.com", "ecs-tasks.amazonaws.com.cn"] {
            assert!(is_service_principal(ok), "{ok}");
        }
        for bad in ["amazonaws.com", ".amazonaws.com", "lambda.example.com", "Lambda.amazonaws.com", "210987654321"] {
            assert!(!is_service_principal(bad), "{bad}");
        }
    }
}
