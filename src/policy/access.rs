//! Access to a repository: the principal lists users set (`pullPrincipals`,
//! `pushPrincipals`), the organization grants (`pullOrganizations`,
//! `pullOrganizationPaths`), the Lambda service grant (`lambdaPull`), the ECR
//! repository policy generated from them, the way back (parsing a policy read
//! from ECR, compared by meaning), and the IAM identity policies a role
//! attaches to pull or push. Pure: no AWS calls.
//!
//! Each kind of grant is one statement: the principals by level (`AllowPull`,
//! `AllowPushPull`), every principal of an organization
//! (`AllowOrganizationPull`: `Principal` `*` under `aws:PrincipalOrgID`), of
//! organizational units (`AllowOrganizationPathPull`: `aws:PrincipalOrgPaths`
//! with `ForAnyValue:StringLike`, each path followed by `*` so that the OUs
//! under it count too), and the Lambda service pulling for functions of given
//! accounts or ARNs (`AllowLambdaPull`: `lambda.amazonaws.com` with
//! `aws:SourceAccount` and/or `aws:SourceArn`, the conditions AWS's Lambda
//! documentation gives for cross-account container images). A service grant
//! without a condition is never generated, and never read back into the
//! fields.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map as JsonMap, Value as Json, json};

use crate::partition::{is_account_id, is_partition};

/// The ECR actions a client needs to pull an image.
pub const PULL_ACTIONS: &[&str] =
    &["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// The ECR actions a client needs to pull and push an image.
pub const PUSH_ACTIONS: &[&str] = &[
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// The service principal Lambda pulls container images with.
pub const LAMBDA_SERVICE: &str = "lambda.amazonaws.com";

/// The ECR actions AWS's Lambda documentation grants the Lambda service
/// principal to pull a function's image.
pub const LAMBDA_ACTIONS: &[&str] = &["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// The condition keys of the generated statements, as IAM spells them
/// (IAM compares condition keys without regard to case).
pub const ORG_ID_KEY: &str = "aws:PrincipalOrgID";
pub const ORG_PATHS_KEY: &str = "aws:PrincipalOrgPaths";
pub const SOURCE_ACCOUNT_KEY: &str = "aws:SourceAccount";
pub const SOURCE_ARN_KEY: &str = "aws:SourceArn";

/// The account-wide action behind `docker login`; it has no resource.
pub const TOKEN_ACTION: &str = "ecr:GetAuthorizationToken";

/// The longest repository policy ECR accepts.
pub const MAX_POLICY_LENGTH: usize = 10_240;

/// The deepest organizational units nest under a root (AWS Organizations'
/// quotas: five levels of OUs).
pub const MAX_OU_DEPTH: usize = 5;

const VERSION: &str = "2012-10-17";

/// Lambda pulling images for functions of some accounts or ARNs: the
/// function must match every condition given (both lists ANDed, the values
/// of each ORed), and at least one is always given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LambdaPull {
    /// Accounts whose functions may pull (`aws:SourceAccount`).
    pub source_accounts: Vec<String>,
    /// Function ARN patterns (`aws:SourceArn` with `StringLike`, `*` and `?`).
    pub source_arns: Vec<String>,
}

impl LambdaPull {
    fn sets(&self) -> (BTreeSet<&str>, BTreeSet<&str>) {
        (
            self.source_accounts.iter().map(String::as_str).collect(),
            self.source_arns.iter().map(String::as_str).collect(),
        )
    }
}

/// Who may pull and who may push (push includes pull).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    pub pull: Vec<String>,
    pub push: Vec<String>,
    /// Organizations (`o-...`) every principal of which may pull.
    pub organizations: Vec<String>,
    /// Organization paths (`o-.../r-.../ou-.../`) every principal in or
    /// under which may pull.
    pub organization_paths: Vec<String>,
    /// The Lambda service, for functions matching the conditions.
    pub lambda: Option<LambdaPull>,
}

/// How much a principal is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Pull,
    Push,
}

/// A statement with a condition that the fields express.
enum Conditioned {
    Organizations(Vec<String>),
    Paths(Vec<String>),
    Lambda(LambdaPull),
}

impl Access {
    pub fn is_empty(&self) -> bool {
        self.pull.is_empty()
            && self.push.is_empty()
            && self.organizations.is_empty()
            && self.organization_paths.is_empty()
            && self.lambda.is_none()
    }

    /// Each principal (account ids and root ARNs alike) with its level, the
    /// meaning of these lists; push wins over pull.
    fn grants(&self) -> BTreeMap<String, Level> {
        let mut out = BTreeMap::new();
        for p in &self.pull {
            out.entry(normalize(p)).or_insert(Level::Pull);
        }
        for p in &self.push {
            out.insert(normalize(p), Level::Push);
        }
        out
    }

    /// True when both grant the same access to the same principals,
    /// organizations and services.
    pub fn same_as(&self, other: &Access) -> bool {
        let set = |l: &[String]| l.iter().cloned().collect::<BTreeSet<String>>();
        self.grants() == other.grants()
            && set(&self.organizations) == set(&other.organizations)
            && set(&self.organization_paths) == set(&other.organization_paths)
            && self.lambda.as_ref().map(LambdaPull::sets) == other.lambda.as_ref().map(LambdaPull::sets)
    }

    /// The repository policy granting this access; `None` when nobody is
    /// granted anything (then the repository has no policy). Account ids
    /// become the account's root principal in `partition`.
    pub fn to_policy(&self, partition: &str) -> Option<String> {
        let principals = |list: &[String]| -> Vec<String> {
            let set: BTreeSet<String> = list.iter().map(|p| principal_arn(p, partition)).collect();
            set.into_iter().collect()
        };
        let sorted = |list: &[String], suffix: &str| -> Vec<String> {
            let set: BTreeSet<String> = list.iter().map(|v| format!("{v}{suffix}")).collect();
            set.into_iter().collect()
        };
        let mut statements = Vec::new();
        if !self.pull.is_empty() {
            statements.push(allow("AllowPull", json!({"AWS": principals(&self.pull)}), PULL_ACTIONS, None));
        }
        if !self.push.is_empty() {
            statements.push(allow("AllowPushPull", json!({"AWS": principals(&self.push)}), PUSH_ACTIONS, None));
        }
        if !self.organizations.is_empty() {
            let condition = json!({"StringEquals": {ORG_ID_KEY: sorted(&self.organizations, "")}});
            statements.push(allow("AllowOrganizationPull", json!("*"), PULL_ACTIONS, Some(condition)));
        }
        if !self.organization_paths.is_empty() {
            let condition = json!({"ForAnyValue:StringLike": {ORG_PATHS_KEY: sorted(&self.organization_paths, "*")}});
            statements.push(allow("AllowOrganizationPathPull", json!("*"), PULL_ACTIONS, Some(condition)));
        }
        if let Some(lambda) = &self.lambda {
            let mut condition = JsonMap::new();
            if !lambda.source_accounts.is_empty() {
                condition
                    .insert("StringEquals".into(), json!({SOURCE_ACCOUNT_KEY: sorted(&lambda.source_accounts, "")}));
            }
            if !lambda.source_arns.is_empty() {
                condition.insert("StringLike".into(), json!({SOURCE_ARN_KEY: sorted(&lambda.source_arns, "")}));
            }
            // Never a service grant without a condition: Check refuses it,
            // and this refuses to write it should it come from elsewhere.
            if !condition.is_empty() {
                let principal = json!({"Service": LAMBDA_SERVICE});
                statements.push(allow("AllowLambdaPull", principal, LAMBDA_ACTIONS, Some(Json::Object(condition))));
            }
        }
        if statements.is_empty() {
            return None;
        }
        Some(json!({"Version": VERSION, "Statement": statements}).to_string())
    }

    /// Reads a repository policy back into the fields. `None` when the
    /// policy grants anything the fields cannot express: other actions, Deny,
    /// resources, other conditions, principals that are not accounts, roles
    /// or users, a service grant without a condition. Statements are combined
    /// per principal, so any split or order of statements, principals and
    /// actions with the same meaning reads the same. Account root ARNs read
    /// back as account ids; organization path patterns (`.../ou-x/*`) as the
    /// path (`.../ou-x/`).
    pub fn from_policy(text: &str) -> Option<Access> {
        let doc: Json = serde_json::from_str(text).ok()?;
        let obj = doc.as_object()?;
        if obj.keys().any(|k| !["Version", "Id", "Statement"].contains(&k.as_str())) {
            return None;
        }
        if let Some(v) = obj.get("Version")
            && !matches!(v.as_str(), Some("2012-10-17" | "2008-10-17"))
        {
            return None;
        }
        let statements = match obj.get("Statement")? {
            Json::Array(a) => a.iter().collect::<Vec<_>>(),
            single @ Json::Object(_) => vec![single],
            _ => return None,
        };
        let lower = |list: &[&str]| -> BTreeSet<String> { list.iter().map(|a| a.to_ascii_lowercase()).collect() };
        let mut access = Access::default();
        let mut actions_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for st in statements {
            let st = st.as_object()?;
            if st.keys().any(|k| !["Sid", "Effect", "Principal", "Action", "Condition"].contains(&k.as_str())) {
                return None;
            }
            if st.get("Effect")?.as_str()? != "Allow" {
                return None;
            }
            let actions: BTreeSet<String> =
                strings(st.get("Action")?)?.iter().map(|a| a.to_ascii_lowercase()).collect();
            if actions.is_empty() {
                return None;
            }
            if let Some(condition) = st.get("Condition") {
                match conditioned(st.get("Principal")?, &actions, condition)? {
                    Conditioned::Organizations(ids) => access.organizations.extend(ids),
                    Conditioned::Paths(paths) => access.organization_paths.extend(paths),
                    // Two Lambda statements grant either's functions, which
                    // one lambdaPull (every condition must hold) cannot say.
                    Conditioned::Lambda(_) if access.lambda.is_some() => return None,
                    Conditioned::Lambda(l) => access.lambda = Some(l),
                }
                continue;
            }
            let principal = st.get("Principal")?.as_object()?;
            if principal.len() != 1 {
                return None;
            }
            let principals = strings(principal.get("AWS")?)?;
            if principals.is_empty() {
                return None;
            }
            for p in principals {
                let p = normalize(&p);
                if principal_problem(&p).is_some() {
                    return None;
                }
                actions_of.entry(p).or_default().extend(actions.iter().cloned());
            }
        }
        let (pull_set, push_set) = (lower(PULL_ACTIONS), lower(PUSH_ACTIONS));
        for (principal, actions) in actions_of {
            if actions == push_set {
                access.push.push(principal);
            } else if actions == pull_set {
                access.pull.push(principal);
            } else {
                return None;
            }
        }
        let dedup = |l: &mut Vec<String>| {
            l.sort();
            l.dedup();
        };
        dedup(&mut access.organizations);
        dedup(&mut access.organization_paths);
        if access.is_empty() { None } else { Some(access) }
    }
}

/// A statement with a condition, read as one of the conditioned grants the
/// fields express; `None` for anything else.
fn conditioned(principal: &Json, actions: &BTreeSet<String>, condition: &Json) -> Option<Conditioned> {
    let lower = |list: &[&str]| -> BTreeSet<String> { list.iter().map(|a| a.to_ascii_lowercase()).collect() };
    // Condition: {operator: {key: value or values}}; each (operator, key) once.
    let mut entries: Vec<(&str, String, Vec<String>)> = Vec::new();
    for (op, keys) in condition.as_object()? {
        for (key, values) in keys.as_object()? {
            let values = strings(values)?;
            if values.is_empty() {
                return None;
            }
            entries.push((op.as_str(), key.to_ascii_lowercase(), values));
        }
    }
    let key = |k: &str| k.to_ascii_lowercase();
    let everyone = match principal {
        Json::String(s) => s == "*",
        Json::Object(m) => m.len() == 1 && m.get("AWS").and_then(strings).is_some_and(|v| v == ["*"]),
        _ => false,
    };
    if everyone {
        if *actions != lower(PULL_ACTIONS) {
            return None;
        }
        let [(op, k, values)] = entries.as_slice() else { return None };
        if *op == "StringEquals" && *k == key(ORG_ID_KEY) {
            return values
                .iter()
                .all(|v| organization_problem(v).is_none())
                .then(|| Conditioned::Organizations(values.clone()));
        }
        if *op == "ForAnyValue:StringLike" && *k == key(ORG_PATHS_KEY) {
            let paths: Option<Vec<String>> = values
                .iter()
                .map(|v| v.strip_suffix('*').filter(|p| organization_path_problem(p).is_none()).map(str::to_string))
                .collect();
            return paths.map(Conditioned::Paths);
        }
        return None;
    }
    let services = principal.as_object().filter(|m| m.len() == 1)?.get("Service").and_then(strings)?;
    if services != [LAMBDA_SERVICE] || *actions != lower(LAMBDA_ACTIONS) {
        return None;
    }
    let mut lambda = LambdaPull::default();
    for (op, k, values) in entries {
        match (op, k.as_str()) {
            ("StringEquals", k) if k == key(SOURCE_ACCOUNT_KEY) && lambda.source_accounts.is_empty() => {
                if !values.iter().all(|v| is_account_id(v)) {
                    return None;
                }
                lambda.source_accounts = values;
            }
            ("StringLike", k) if k == key(SOURCE_ARN_KEY) && lambda.source_arns.is_empty() => {
                if !values.iter().all(|v| lambda_source_arn_problem(v).is_none()) {
                    return None;
                }
                lambda.source_arns = values;
            }
            _ => return None,
        }
    }
    if lambda.source_accounts.is_empty() && lambda.source_arns.is_empty() {
        return None;
    }
    lambda.source_accounts.sort();
    lambda.source_accounts.dedup();
    lambda.source_arns.sort();
    lambda.source_arns.dedup();
    Some(Conditioned::Lambda(lambda))
}

/// A string or a list of strings (IAM allows both).
fn strings(v: &Json) -> Option<Vec<String>> {
    match v {
        Json::String(s) => Some(vec![s.clone()]),
        Json::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// Compares two repository policies by meaning: as granted access when both
/// parse, as JSON values otherwise, as text when either is not JSON.
pub fn same_repository_policy(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (Access::from_policy(a), Access::from_policy(b)) {
            (Some(x), Some(y)) => x.same_as(&y),
            _ => match (serde_json::from_str::<Json>(a), serde_json::from_str::<Json>(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            },
        },
        _ => false,
    }
}

// ---------------------------------------------------------------- principals

/// Why a principal is not one the lists accept (`None` when it is fine): a
/// 12-digit account id, or the ARN of an IAM role or user,
/// `arn:<partition>:iam::<12 digits>:role/<path/name>` (or `:user/`).
pub fn principal_problem(p: &str) -> Option<String> {
    const ALLOWED: &str = "must be a 12-digit AWS account id or the ARN of an IAM role or user (arn:aws:iam::123456789012:role/name or :user/name)";
    if is_account_id(p) {
        return None;
    }
    let Some(rest) = p.strip_prefix("arn:") else {
        return Some(format!("{ALLOWED}, got \"{p}\""));
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts.as_slice() else {
        return Some(format!("{ALLOWED}, got \"{p}\""));
    };
    if !is_partition(partition) || *service != "iam" || !region.is_empty() || !is_account_id(account) {
        return Some(format!("{ALLOWED}, got \"{p}\""));
    }
    let Some((kind, path_and_name)) = resource.split_once('/') else {
        return Some(format!("{ALLOWED}, got \"{p}\""));
    };
    if kind != "role" && kind != "user" {
        return Some(format!("{ALLOWED}, got \"{p}\" (only roles and users can be granted access)"));
    }
    let segments: Vec<&str> = path_and_name.split('/').collect();
    let name = segments.last().copied().unwrap_or_default();
    let name_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if !segments.iter().all(|s| name_ok(s)) || name.chars().count() > 64 || path_and_name.chars().count() > 576 {
        return Some(format!(
            "{ALLOWED}; the {kind} name must be 1 to 64 letters, digits and + = , . @ _ - (with an optional /path/), got \"{p}\""
        ));
    }
    None
}

/// Why a principal cannot be granted access to a repository in `partition`:
/// an ARN of another partition (ECR accepts only its own partition's).
pub fn principal_partition_problem(p: &str, partition: &str) -> Option<String> {
    let arn = crate::partition::parse_arn(p)?;
    (arn.partition != partition).then(|| {
        format!(
            "is in the partition {}, but the repository is in {partition}; ECR grants access only to principals of its own partition",
            arn.partition
        )
    })
}

/// The principal a policy names: account ids become the account's root.
pub fn principal_arn(p: &str, partition: &str) -> String {
    if is_account_id(p) { format!("arn:{partition}:iam::{p}:root") } else { p.to_string() }
}

/// The principal as the lists spell it: an account's root ARN becomes its id.
pub fn normalize(p: &str) -> String {
    if let Some(rest) = p.strip_prefix("arn:") {
        let parts: Vec<&str> = rest.split(':').collect();
        if let [partition, "iam", "", account, "root"] = parts.as_slice()
            && is_partition(partition)
            && is_account_id(account)
        {
            return account.to_string();
        }
    }
    p.to_string()
}

// ---------------------------------------------------------------- organizations and services

/// `prefix` followed by `min..=max` lowercase letters and digits.
fn id_of(s: &str, prefix: &str, min: usize, max: usize) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        (min..=max).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// Why `id` is not an organization id (`None` when it is one). AWS
/// Organizations' pattern: `o-` and 10 to 32 lowercase letters or digits.
pub fn organization_problem(id: &str) -> Option<String> {
    (!id_of(id, "o-", 10, 32)).then(|| {
        format!("must be an AWS Organizations organization id, o- followed by 10 to 32 lowercase letters or digits (o-a1b2c3d4e5), got \"{id}\"")
    })
}

/// Why `path` is not an organization path (`None` when it is one): the
/// organization id, the root id and up to five organizational unit ids,
/// each followed by `/` (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`). AWS
/// Organizations' patterns: root `r-` and 4 to 32 lowercase letters or
/// digits; OU `ou-`, the root's 4 to 32 characters, `-` and 8 to 32 more.
/// The grant covers the path and every OU under it.
pub fn organization_path_problem(path: &str) -> Option<String> {
    const FORM: &str = "must be an AWS Organizations path, the organization id, root id and organizational unit ids each followed by / (o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/); every OU under it is included";
    let Some(body) = path.strip_suffix('/') else {
        if path.ends_with("/*") {
            return Some(format!("{FORM}, so leave out the final *: got \"{path}\""));
        }
        return Some(format!("{FORM}; it ends with /, got \"{path}\""));
    };
    let parts: Vec<&str> = body.split('/').collect();
    let [org, root, ous @ ..] = parts.as_slice() else { return Some(format!("{FORM}, got \"{path}\"")) };
    if organization_problem(org).is_some() {
        return Some(format!(
            "{FORM}; it starts with the organization id (o- and 10 to 32 lowercase letters or digits), got \"{path}\""
        ));
    }
    if !id_of(root, "r-", 4, 32) {
        return Some(format!(
            "{FORM}; the root id (r- and 4 to 32 lowercase letters or digits) comes second, got \"{path}\""
        ));
    }
    if ous.len() > MAX_OU_DEPTH {
        return Some(format!(
            "{FORM}; organizational units nest at most {MAX_OU_DEPTH} levels deep, got {} in \"{path}\"",
            ous.len()
        ));
    }
    let root_part = &root[2..];
    for ou in ous {
        let ok = ou.strip_prefix("ou-").and_then(|r| r.split_once('-')).is_some_and(|(of_root, rest)| {
            of_root == root_part
                && (8..=32).contains(&rest.len())
                && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !ok {
            return Some(format!(
                "{FORM}; each OU id is ou-, the root's part ({root_part}), - and 8 to 32 lowercase letters or digits, got \"{ou}\" in \"{path}\""
            ));
        }
    }
    None
}

/// Why `arn` is not a Lambda function ARN pattern `lambdaPull.sourceArns`
/// takes (`None` when it is one): `arn:<partition>:lambda:<region>:<account
/// id>:function:<name>`, the region a region name or `*`, the name (with an
/// optional `:qualifier`) letters, digits, `-` and `_` with the wildcards
/// `*` and `?`. The account is always a 12-digit id: a pattern open to
/// every account would grant Lambda functions anywhere.
pub fn lambda_source_arn_problem(arn: &str) -> Option<String> {
    const FORM: &str = "must be a Lambda function ARN or pattern, arn:aws:lambda:<region>:<12-digit account id>:function:<name>, with * and ? allowed in the region and the name (arn:aws:lambda:us-east-1:111122223333:function:*)";
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    let ["arn", partition, "lambda", region, account, "function", name] = parts.as_slice() else {
        return Some(format!("{FORM}, got \"{arn}\""));
    };
    if !is_partition(partition) {
        return Some(format!("{FORM}; \"{partition}\" is not an AWS partition, in \"{arn}\""));
    }
    let region_ok = *region == "*"
        || (!region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    if !region_ok {
        return Some(format!("{FORM}; the region is a region name or *, got \"{region}\" in \"{arn}\""));
    }
    if !is_account_id(account) {
        return Some(format!(
            "{FORM}; the account must be a 12-digit account id, since a wildcard there would let functions of every AWS account pull, got \"{account}\" in \"{arn}\""
        ));
    }
    let name_char = |c: char| c.is_ascii_alphanumeric() || "-_*?".contains(c);
    let (function, qualifier) = match name.split_once(':') {
        Some((f, q)) => (f, Some(q)),
        None => (*name, None),
    };
    let ok = !function.is_empty()
        && function.chars().count() <= 64
        && function.chars().all(name_char)
        && qualifier
            .is_none_or(|q| !q.is_empty() && q.chars().count() <= 128 && q.chars().all(|c| name_char(c) || c == '$'));
    if !ok {
        return Some(format!(
            "{FORM}; the function name is 1 to 64 letters, digits, - _ * ?, got \"{name}\" in \"{arn}\""
        ));
    }
    None
}

// ---------------------------------------------------------------- IAM documents

/// The IAM identity policy that lets a role pull from the repository `arn`.
pub fn pull_policy_document(arn: &str) -> String {
    identity_policy("PullImages", PULL_ACTIONS, arn)
}

/// The IAM identity policy that lets a role pull from and push to `arn`.
pub fn push_policy_document(arn: &str) -> String {
    identity_policy("PushAndPullImages", PUSH_ACTIONS, arn)
}

fn identity_policy(sid: &str, actions: &[&str], arn: &str) -> String {
    json!({
        "Version": VERSION,
        "Statement": [
            {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": arn},
            {"Sid": "GetAuthorizationToken", "Effect": "Allow", "Action": TOKEN_ACTION, "Resource": "*"},
        ],
    })
    .to_string()
}

/// One Allow statement of a repository policy (its condition, if any, last).
fn allow(sid: &str, principal: Json, actions: &[&str], condition: Option<Json>) -> Json {
    let mut statement = json!({"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": actions});
    if let (Some(condition), Json::Object(m)) = (condition, &mut statement) {
        m.insert("Condition".into(), condition);
    }
    statement
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/ecs/task-execution";
    const USER: &str = "arn:aws:iam::111122223333:user/ci";
    const ACCOUNT: &str = "444455556666";

    fn access(pull: &[&str], push: &[&str]) -> Access {
        Access {
            pull: pull.iter().map(|s| s.to_string()).collect(),
            push: push.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }
    fn doc(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn generation_pull_only() {
        let text = access(&[ROLE, ACCOUNT], &[]).to_policy("aws").unwrap();
        assert_eq!(
            doc(&text),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "AllowPull",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::111122223333:role/ecs/task-execution", "arn:aws:iam::444455556666:root"]},
                    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }],
            })
        );
    }

    #[test]
    fn generation_push_only() {
        let text = access(&[], &[USER]).to_policy("aws").unwrap();
        assert_eq!(
            doc(&text),
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "AllowPushPull",
                    "Effect": "Allow",
                    "Principal": {"AWS": ["arn:aws:iam::111122223333:user/ci"]},
                    "Action": [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:BatchGetImage",
                        "ecr:CompleteLayerUpload",
                        "ecr:GetDownloadUrlForLayer",
                        "ecr:InitiateLayerUpload",
                        "ecr:PutImage",
                        "ecr:UploadLayerPart",
                    ],
                }],
            })
        );
    }

    #[test]
    fn generation_both_none_and_partition() {
        let d = doc(&access(&[ACCOUNT], &[USER]).to_policy("aws-cn").unwrap());
        let st = d["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 2);
        assert_eq!(st[0]["Sid"], "AllowPull");
        assert_eq!(st[0]["Principal"]["AWS"], json!(["arn:aws-cn:iam::444455556666:root"]));
        assert_eq!(st[0]["Action"], json!(PULL_ACTIONS));
        assert_eq!(st[1]["Sid"], "AllowPushPull");
        assert_eq!(st[1]["Action"], json!(PUSH_ACTIONS));
        assert_eq!(Access::default().to_policy("aws"), None);
        // Principals are sorted: the order of the lists does not change the text.
        assert_eq!(access(&[ROLE, ACCOUNT], &[]).to_policy("aws"), access(&[ACCOUNT, ROLE], &[]).to_policy("aws"));
    }

    #[test]
    fn parsing_round_trips_every_combination() {
        for a in [access(&[ROLE], &[]), access(&[], &[USER, ACCOUNT]), access(&[ACCOUNT, ROLE], &[USER])] {
            let back = Access::from_policy(&a.to_policy("aws").unwrap()).unwrap();
            assert!(back.same_as(&a), "{a:?} -> {back:?}");
            // Account ids come back as ids, not root ARNs.
            assert!(back.pull.iter().chain(&back.push).all(|p| !p.ends_with(":root")), "{back:?}");
        }
    }

    #[test]
    fn reordered_and_reshaped_equal_policies_are_the_same() {
        let ours = access(&[ROLE, ACCOUNT], &[USER]).to_policy("aws").unwrap();
        // The shape AWS hands back: other Sids, 2008 version, a single string
        // principal, a single statement object split differently, actions in
        // any order and case.
        let theirs = json!({
            "Version": "2008-10-17",
            "Statement": [
                {"Sid": "x", "Effect": "Allow", "Principal": {"AWS": USER},
                 "Action": ["ecr:PutImage", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload"]},
                {"Effect": "Allow", "Principal": {"AWS": [USER, "arn:aws:iam::444455556666:root", ROLE]},
                 "Action": ["ECR:GetDownloadUrlForLayer", "ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]},
            ],
        })
        .to_string();
        assert!(same_repository_policy(Some(&ours), Some(&theirs)));
        assert!(same_repository_policy(None, None));
        assert!(!same_repository_policy(Some(&ours), None));
        let fewer = access(&[ROLE], &[USER]).to_policy("aws").unwrap();
        assert!(!same_repository_policy(Some(&ours), Some(&fewer)));
        let moved = access(&[ROLE, ACCOUNT, USER], &[]).to_policy("aws").unwrap();
        assert!(!same_repository_policy(Some(&ours), Some(&moved)), "push became pull");
        // Granted in both lists means push.
        assert!(access(&[USER], &[USER]).same_as(&access(&[], &[USER])));
    }

    #[test]
    fn parsing_rejects_what_the_lists_cannot_express() {
        let pull = json!(PULL_ACTIONS);
        let cases = [
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": pull}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": pull}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": pull}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "AROAEXAMPLEUNIQUEID"}, "Action": pull}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": ["ecr:BatchGetImage"]}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "ecr:*"}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": pull,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "NotAction": pull}]}),
            json!({"Statement": []}),
            json!({"Version": "2099-01-01", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": pull}]}),
        ];
        for c in cases {
            assert_eq!(Access::from_policy(&c.to_string()), None, "{c}");
        }
        assert_eq!(Access::from_policy("not json"), None);
        // Policies the lists cannot express still compare by meaning, as JSON.
        let odd = r#"{ "Statement": [ { "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage" } ] }"#;
        assert!(same_repository_policy(Some(odd), Some(&doc(odd).to_string())));
        assert!(!same_repository_policy(Some(odd), Some(&access(&[ROLE], &[]).to_policy("aws").unwrap())));
    }

    #[test]
    fn principals_are_validated() {
        for ok in [
            "123456789012",
            "arn:aws:iam::123456789012:role/deploy",
            "arn:aws:iam::123456789012:role/service-role/ecs/task.exec@x+y=z,w",
            "arn:aws-us-gov:iam::123456789012:user/ci-bot",
            "arn:aws-cn:iam::123456789012:role/r",
        ] {
            assert_eq!(principal_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "12345678901",
            "1234567890123",
            "12345678901a",
            "*",
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::123456789012:group/devs",
            "arn:aws:iam::123456789012:policy/x",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role//x",
            "arn:aws:iam::123456789012:role/has space",
            "arn:aws:sts::123456789012:assumed-role/r/s",
            "arn:aws:iam:us-east-1:123456789012:role/r",
            "arn:aws:iam::12345:role/r",
            "arn:azure:iam::123456789012:role/r",
            "arn:aws:iam::123456789012",
            "AROAEXAMPLEUNIQUEID",
        ] {
            let reason = principal_problem(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(reason.contains("12-digit AWS account id") && reason.contains(bad), "{reason}");
        }
        let long = format!("arn:aws:iam::123456789012:role/{}", "r".repeat(65));
        assert!(principal_problem(&long).unwrap().contains("1 to 64"));
    }

    #[test]
    fn normalization_and_partitions() {
        assert_eq!(normalize("arn:aws:iam::123456789012:root"), "123456789012");
        assert_eq!(normalize("arn:aws-cn:iam::123456789012:root"), "123456789012");
        assert_eq!(normalize(ROLE), ROLE);
        assert_eq!(principal_arn("123456789012", "aws"), "arn:aws:iam::123456789012:root");
        assert_eq!(principal_arn(ROLE, "aws-cn"), ROLE);
        assert_eq!(crate::partition::of_arn("arn:aws-cn:ecr:cn-north-1:123456789012:repository/x"), "aws-cn");
        assert_eq!(crate::partition::of_arn(""), "aws");
    }

    #[test]
    fn identity_documents_name_only_the_repository_and_the_token_action() {
        let arn = "arn:aws:ecr:us-east-1:123456789012:repository/platform/api";
        for (text, actions) in [(pull_policy_document(arn), PULL_ACTIONS), (push_policy_document(arn), PUSH_ACTIONS)] {
            let d = doc(&text);
            assert_eq!(d["Version"], "2012-10-17");
            let st = d["Statement"].as_array().unwrap();
            assert_eq!(st.len(), 2);
            assert_eq!(st[0]["Effect"], "Allow");
            assert_eq!(st[0]["Resource"], arn);
            assert_eq!(st[0]["Action"], json!(actions));
            assert_eq!(
                st[1],
                json!({"Sid": "GetAuthorizationToken", "Effect": "Allow", "Action": TOKEN_ACTION, "Resource": "*"})
            );
        }
    }
    const ORG: &str = "o-a1b2c3d4e5";
    const PATH: &str = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/";
    const FUNCTIONS: &str = "arn:aws:lambda:us-east-1:111122223333:function:*";

    fn central() -> Access {
        Access {
            push: vec![USER.into()],
            organizations: vec![ORG.into()],
            organization_paths: vec![PATH.into()],
            lambda: Some(LambdaPull {
                source_accounts: vec!["111122223333".into()],
                source_arns: vec![FUNCTIONS.into()],
            }),
            ..Default::default()
        }
    }

    #[test]
    fn organizations_and_lambda_generate_one_statement_each() {
        let d = doc(&central().to_policy("aws").unwrap());
        let st = d["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 4, "{d}");
        assert_eq!(st[0]["Sid"], "AllowPushPull");
        assert_eq!(
            st[1],
            json!({"Sid": "AllowOrganizationPull", "Effect": "Allow", "Principal": "*", "Action": PULL_ACTIONS,
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": [ORG]}}})
        );
        assert_eq!(
            st[2],
            json!({"Sid": "AllowOrganizationPathPull", "Effect": "Allow", "Principal": "*", "Action": PULL_ACTIONS,
                   "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [format!("{PATH}*")]}}})
        );
        assert_eq!(
            st[3],
            json!({"Sid": "AllowLambdaPull", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Condition": {"StringEquals": {"aws:SourceAccount": ["111122223333"]},
                                 "StringLike": {"aws:SourceArn": [FUNCTIONS]}}})
        );
        // Only the conditions given; never a Lambda grant without one.
        let only_arn = Access {
            lambda: Some(LambdaPull { source_arns: vec![FUNCTIONS.into()], ..Default::default() }),
            ..Default::default()
        };
        let d = doc(&only_arn.to_policy("aws").unwrap());
        assert_eq!(d["Statement"][0]["Condition"], json!({"StringLike": {"aws:SourceArn": [FUNCTIONS]}}));
        let unconditioned = Access { lambda: Some(LambdaPull::default()), ..Default::default() };
        assert_eq!(unconditioned.to_policy("aws"), None);
        // Values are sorted: the order of the lists does not change the text.
        let two = |a: &str, b: &str| Access { organizations: vec![a.into(), b.into()], ..Default::default() };
        assert_eq!(two(ORG, "o-zzzzzzzzzz").to_policy("aws"), two("o-zzzzzzzzzz", ORG).to_policy("aws"));
    }

    #[test]
    fn organizations_and_lambda_round_trip_with_principals() {
        let cases = [
            central(),
            Access { organizations: vec![ORG.into()], ..Default::default() },
            Access {
                organization_paths: vec![PATH.into(), "o-a1b2c3d4e5/r-ab12/".into()],
                pull: vec![ROLE.into()],
                ..Default::default()
            },
            Access {
                lambda: Some(LambdaPull { source_accounts: vec!["444455556666".into()], ..Default::default() }),
                ..Default::default()
            },
        ];
        for a in cases {
            let text = a.to_policy("aws").unwrap();
            let back = Access::from_policy(&text).unwrap_or_else(|| panic!("{text} does not read back"));
            assert!(back.same_as(&a), "{a:?} -> {back:?}");
            assert_eq!(back.to_policy("aws"), Some(text), "generated again the same");
        }
        // Each field counts: a grant more or less is not the same access.
        let mut other = central();
        other.organization_paths.clear();
        assert!(!other.same_as(&central()));
        let mut other = central();
        other.lambda.as_mut().unwrap().source_accounts.push("444455556666".into());
        assert!(!other.same_as(&central()));
        let mut other = central();
        other.lambda = None;
        assert!(!other.same_as(&central()));
    }

    #[test]
    fn hand_written_organization_and_lambda_policies_read_into_the_fields() {
        // As people and other tools write them: AWS's Lambda example (its
        // Sid, the key spelled aws:sourceARN, a single value), another Sid,
        // Principal {"AWS": "*"}, the 2008 version, the statements split
        // and in another order.
        let theirs = json!({
            "Version": "2008-10-17",
            "Statement": [
                {"Sid": "LambdaECRImageCrossAccountRetrievalPolicy", "Effect": "Allow",
                 "Principal": {"Service": "lambda.amazonaws.com"},
                 "Action": ["ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                 "Condition": {"StringLike": {"aws:sourceARN": FUNCTIONS},
                               "StringEquals": {"AWS:SourceAccount": "111122223333"}}},
                {"Sid": "OrgPaths", "Effect": "Allow", "Principal": {"AWS": "*"},
                 "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                 "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": format!("{PATH}*")}}},
                {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": PULL_ACTIONS,
                 "Condition": {"StringEquals": {"aws:principalorgid": [ORG]}}},
                {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": PUSH_ACTIONS},
            ],
        })
        .to_string();
        let read = Access::from_policy(&theirs).expect("expressible");
        assert!(read.same_as(&central()), "{read:?}");
        assert!(same_repository_policy(Some(&theirs), central().to_policy("aws").as_deref()));
    }

    #[test]
    fn conditioned_statements_the_fields_cannot_express_stay_json() {
        let pull = json!(PULL_ACTIONS);
        let lambda_actions = json!(LAMBDA_ACTIONS);
        let lambda = json!({"Service": "lambda.amazonaws.com"});
        let cases = [
            // An unconditioned service grant (AWS's same-account example).
            json!({"Statement": [{"Effect": "Allow", "Principal": lambda, "Action": lambda_actions}]}),
            // Another service, other actions, other keys or operators.
            json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": lambda_actions,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": lambda, "Action": pull,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": lambda, "Action": lambda_actions,
                                  "Condition": {"ArnLike": {"aws:SourceArn": FUNCTIONS}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": lambda, "Action": lambda_actions,
                                  "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:lambda:us-east-1:*:function:*"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": lambda, "Action": lambda_actions,
                                  "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333", "aws:SourceVpc": "vpc-1"}}}]}),
            // Two Lambda statements: either's functions, not every condition.
            json!({"Statement": [
                {"Effect": "Allow", "Principal": lambda, "Action": lambda_actions, "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}},
                {"Effect": "Allow", "Principal": lambda, "Action": lambda_actions, "Condition": {"StringLike": {"aws:SourceArn": FUNCTIONS}}}]}),
            // Organizations: push, other operators, exact paths, malformed ids, two keys.
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": PUSH_ACTIONS,
                                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull,
                                  "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull,
                                  "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": PATH}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull,
                                  "Condition": {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*/ou-ab12-11111111/*"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull,
                                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-12345678"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull,
                                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": "111122223333"}}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": pull, "Condition": {}}]}),
            json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": pull,
                                  "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}]}),
        ];
        for c in cases {
            assert_eq!(Access::from_policy(&c.to_string()), None, "{c}");
        }
    }

    #[test]
    fn organization_ids_and_paths_follow_aws_organizations_forms() {
        assert_eq!(organization_problem(ORG), None);
        assert_eq!(organization_problem(&format!("o-{}", "a".repeat(32))), None);
        for bad in ["o-12345678", "o-A1B2C3D4E5", "a1b2c3d4e5", "o-a1b2c3d4e5/", &format!("o-{}", "a".repeat(33))] {
            assert!(organization_problem(bad).unwrap().contains("o- followed by 10 to 32"), "{bad}");
        }
        for ok in [PATH, "o-a1b2c3d4e5/r-ab12/", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"] {
            assert_eq!(organization_path_problem(ok), None, "{ok}");
        }
        let six = format!("o-a1b2c3d4e5/r-ab12/{}", "ou-ab12-11111111/".repeat(6));
        for (bad, words) in [
            ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111", "it ends with /"),
            ("o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "leave out the final *"),
            ("o-123/r-ab12/", "starts with the organization id"),
            ("o-a1b2c3d4e5/ou-ab12-11111111/", "root id"),
            ("o-a1b2c3d4e5/r-ab12/ou-cd34-11111111/", "the root's part (ab12)"),
            ("o-a1b2c3d4e5/r-ab12/ou-ab12-111/", "8 to 32"),
            ("o-a1b2c3d4e5/r-ab12//", "OU id"),
            (six.as_str(), "at most 5 levels deep"),
        ] {
            let reason = organization_path_problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(reason.contains(words) && reason.contains("AWS Organizations path"), "{bad}: {reason}");
        }
    }

    #[test]
    fn lambda_source_arns_name_an_account() {
        for ok in [
            FUNCTIONS,
            "arn:aws:lambda:*:111122223333:function:app-*",
            "arn:aws:lambda:eu-west-1:111122223333:function:api:prod",
            "arn:aws-cn:lambda:cn-north-1:111122223333:function:a?c_d",
        ] {
            assert_eq!(lambda_source_arn_problem(ok), None, "{ok}");
        }
        for (bad, words) in [
            ("arn:aws:lambda:us-east-1:*:function:*", "12-digit account id"),
            ("arn:aws:lambda:us-east-1:1111:function:*", "12-digit account id"),
            ("arn:aws:s3:::bucket", "must be a Lambda function ARN"),
            ("arn:aws:lambda:us-east-1:111122223333:layer:x", "must be a Lambda function ARN"),
            ("arn:nope:lambda:us-east-1:111122223333:function:x", "not an AWS partition"),
            ("arn:aws:lambda:US:111122223333:function:x", "region name or *"),
            ("arn:aws:lambda:us-east-1:111122223333:function:", "1 to 64"),
            ("arn:aws:lambda:us-east-1:111122223333:function:a b", "1 to 64"),
            ("*", "must be a Lambda function ARN"),
        ] {
            let reason = lambda_source_arn_problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(reason.contains(words), "{bad}: {reason}");
        }
    }
}
