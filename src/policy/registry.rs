//! The registry policy that lets other accounts replicate into this
//! registry (`replicationSourceAccounts`): generation, parsing back into the
//! account list, and comparison by meaning. Pure: no AWS calls.
//!
//! ECR's cross-account replication needs the destination registry to allow
//! `ecr:CreateRepository` and `ecr:ReplicateImage` to the source account's
//! root on the destination's repositories (AWS's "Private registry
//! permissions" documentation gives this statement).

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::partition::is_account_id;

/// The actions a source account needs to replicate into this registry.
pub const REPLICATION_ACTIONS: &[&str] = &["ecr:CreateRepository", "ecr:ReplicateImage"];

/// The longest registry policy ECR accepts.
pub const MAX_REGISTRY_POLICY_LENGTH: usize = 10_240;

/// The registry policy letting `accounts` replicate into the registry
/// `registry_id` in `region` (in `partition`); `None` for no account.
pub fn replication_policy(accounts: &[String], partition: &str, region: &str, registry_id: &str) -> Option<String> {
    if accounts.is_empty() {
        return None;
    }
    let roots: BTreeSet<String> = accounts.iter().map(|a| format!("arn:{partition}:iam::{a}:root")).collect();
    Some(
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "ReplicationFromSourceAccounts",
                "Effect": "Allow",
                "Principal": {"AWS": roots.into_iter().collect::<Vec<_>>()},
                "Action": REPLICATION_ACTIONS,
                "Resource": format!("arn:{partition}:ecr:{region}:{registry_id}:repository/*"),
            }],
        })
        .to_string(),
    )
}

/// The accounts a registry policy lets replicate in, when that is all it
/// says (any split of statements, any order; account ids or root ARNs);
/// `None` when it grants anything else.
pub fn accounts_of(text: &str) -> Option<Vec<String>> {
    let doc: Json = serde_json::from_str(text).ok()?;
    let statements = match doc.get("Statement")? {
        Json::Array(a) => a.clone(),
        single @ Json::Object(_) => vec![single.clone()],
        _ => return None,
    };
    let wanted: BTreeSet<String> = REPLICATION_ACTIONS.iter().map(|a| a.to_ascii_lowercase()).collect();
    let mut accounts = BTreeSet::new();
    for st in &statements {
        let st = st.as_object()?;
        if st.keys().any(|k| !["Sid", "Effect", "Principal", "Action", "Resource"].contains(&k.as_str())) {
            return None;
        }
        if st.get("Effect")?.as_str()? != "Allow" {
            return None;
        }
        let actions: BTreeSet<String> = strings(st.get("Action")?)?.iter().map(|a| a.to_ascii_lowercase()).collect();
        if actions != wanted {
            return None;
        }
        if !strings(st.get("Resource")?)?.iter().all(|r| r.ends_with(":repository/*")) {
            return None;
        }
        let principal = st.get("Principal")?.as_object()?;
        for p in strings(principal.get("AWS")?)? {
            accounts.insert(account_of(&p)?);
        }
    }
    (!accounts.is_empty()).then(|| accounts.into_iter().collect())
}

/// Compares two registry policies by meaning: as account lists when both
/// are replication policies, as JSON values otherwise.
pub fn same_registry_policy(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (accounts_of(a), accounts_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => match (serde_json::from_str::<Json>(a), serde_json::from_str::<Json>(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            },
        },
        _ => false,
    }
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
    fn generation_and_parsing_round_trip() {
        let accounts = vec!["210987654321".to_string(), "111122223333".to_string()];
        let text = replication_policy(&accounts, "aws", "us-east-1", "123456789012").unwrap();
        let doc: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["Statement"][0]["Resource"], "arn:aws:ecr:us-east-1:123456789012:repository/*");
        assert_eq!(
            doc["Statement"][0]["Principal"]["AWS"],
            json!(["arn:aws:iam::111122223333:root", "arn:aws:iam::210987654321:root"])
        );
        assert_eq!(doc["Statement"][0]["Action"], json!(["ecr:CreateRepository", "ecr:ReplicateImage"]));
        assert_eq!(accounts_of(&text), Some(vec!["111122223333".to_string(), "210987654321".to_string()]));
        assert_eq!(replication_policy(&[], "aws", "us-east-1", "123456789012"), None);
        let cn = replication_policy(&accounts, "aws-cn", "cn-north-1", "123456789012").unwrap();
        assert!(cn.contains("arn:aws-cn:iam::111122223333:root") && cn.contains("arn:aws-cn:ecr:cn-north-1"));
    }

    #[test]
    fn parsing_is_by_meaning_and_refuses_anything_else() {
        let split = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["ecr:ReplicateImage","ecr:CreateRepository"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/*"},
            {"Sid":"x","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::210987654321:root"]},"Action":["ECR:CreateRepository","ecr:replicateimage"],"Resource":["arn:aws:ecr:us-east-1:123456789012:repository/*"]}]}"#;
        let ours =
            replication_policy(&["210987654321".into(), "111122223333".into()], "aws", "us-east-1", "123456789012");
        assert!(same_registry_policy(Some(split), ours.as_deref()));
        for other in [
            r#"{"Statement":[{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/*"}]}"#,
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":"*","Condition":{}}]}"#,
            "not json",
        ] {
            assert_eq!(accounts_of(other), None, "{other}");
        }
        assert!(!same_registry_policy(ours.as_deref(), None));
    }
}
