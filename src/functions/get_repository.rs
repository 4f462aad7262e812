//! `awsecr:index:getRepository`: a repository managed elsewhere, looked up
//! by name, with the same outputs the Repository resource has (ARN, URL,
//! settings, policy texts, the IAM documents to pull and push), so programs
//! can grant access to it or point at it. `registryId` names another
//! account's registry (a central one), as ECR's own calls do.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock};

use super::{reader, registry_id, repository_name};
use crate::call::Ctx;
use crate::config::ProviderConfig;
use crate::error::Result;
use crate::names::*;
use crate::property::Map;
use crate::resource::lookup_results;
use crate::resources::repository::{self, PROPERTIES};
use crate::validate::Failure;

pub const TOKEN: &str = "awsecr:index:getRepository";
/// The function's arguments.
pub const ARGS: &[&str] = &[REPOSITORY_NAME, REGISTRY_ID];
// The results are the resource's properties but those about how Pulumi
// manages it (`forceDelete`), which are not facts of ECR.
super::typed_function!(GetRepository, Lookup, lookup_results(PROPERTIES), &[]);

/// Looks the repository up: DescribeRepositories, GetLifecyclePolicy,
/// GetRepositoryPolicy and ListTagsForResource, at once (one round trip)
/// when the account is known (`registryId`, or [`account`]); otherwise
/// the tags wait for DescribeRepositories to give the ARN (two).
async fn call(ctx: &Ctx<'_>, Lookup { name, registry_id }: Lookup) -> Result<Map> {
    // A lookup reads as an import does: a missing repository is an error
    // naming the region (and the account) looked in.
    let found = match &registry_id {
        Some(id) => repository::lookup_in(ctx, &name, id).await?,
        None => repository::lookup(ctx, &name, account(ctx.config).as_deref()).await?,
    };
    // Only a lookup in the provider's own registry says its account.
    if let (None, Some(id)) =
        (&registry_id, found.outputs.get(REGISTRY_ID).and_then(|v| v.plain().as_str().map(str::to_string)))
    {
        learned().lock().unwrap_or_else(|e| e.into_inner()).insert(credentials_key(ctx.config), id);
    }
    let results = lookup_results(PROPERTIES);
    let result = found.outputs.into_iter().filter(|(k, _)| results.contains(&k.as_str())).collect();
    Ok(result)
}

/// The account the provider's repositories are in, when it is known without
/// a call: the account of `assumeRole`'s role, or the registry id an earlier
/// lookup of this provider (the same configuration, in this process)
/// learned. The credentials' account is otherwise known only to AWS.
fn account(config: &ProviderConfig) -> Option<String> {
    config
        .account_in_force()
        .map(str::to_string)
        .or_else(|| learned().lock().unwrap_or_else(|e| e.into_inner()).get(&credentials_key(config)).cloned())
}

/// Registry ids learned by lookups, by [`credentials_key`]. Only a hint: a
/// wrong one costs a round trip, never a wrong answer.
fn learned() -> &'static Mutex<HashMap<u64, String>> {
    static LEARNED: OnceLock<Mutex<HashMap<u64, String>>> = OnceLock::new();
    LEARNED.get_or_init(Default::default)
}

/// What decides the account and region calls go to: the region, endpoint,
/// profile, role and static key id, hashed (the key id is never kept).
fn credentials_key(config: &ProviderConfig) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    config.region_in_force().hash(&mut h);
    config.endpoint.hash(&mut h);
    config.profile.hash(&mut h);
    config.assume_role.as_ref().map(|r| &r.role_arn).hash(&mut h);
    config.credentials.as_ref().map(|c| &c.access_key).hash(&mut h);
    h.finish()
}

/// A checked lookup: the repository's name and, when given, the account
/// whose registry holds it.
#[derive(Debug, PartialEq)]
pub struct Lookup {
    pub name: String,
    pub registry_id: Option<String>,
}

/// Checks the arguments: the lookup, or the failures.
pub fn check(args: &Map) -> std::result::Result<Lookup, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let name = repository_name(&mut r, "the name of the ECR repository to look up");
    let registry_id = registry_id(&mut r);
    match name {
        Some(name) if r.failures.is_empty() => Ok(Lookup { name, registry_id }),
        _ => Err(r.failures),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::Typed;
    use crate::property::Value;
    use crate::resource::{inputs, outputs};

    #[test]
    fn results_are_the_resource_properties_but_force_delete() {
        let mut want: Vec<&str> =
            inputs(PROPERTIES).into_iter().chain(outputs(PROPERTIES)).filter(|k| *k != "forceDelete").collect();
        let mut got = GetRepository.spec().results;
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn arguments_are_checked_by_name() {
        let map = |pairs: &[(&str, Value)]| -> Map { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
        assert_eq!(
            check(&map(&[("repositoryName", "platform/api".into())])),
            Ok(Lookup { name: "platform/api".into(), registry_id: None })
        );
        assert_eq!(
            check(&map(&[("repositoryName", "platform/api".into()), ("registryId", "210987654321".into())])),
            Ok(Lookup { name: "platform/api".into(), registry_id: Some("210987654321".into()) })
        );
        let cases: Vec<(Map, &str, &str)> = vec![
            (Map::new(), "repositoryName", "is required"),
            (map(&[("repositoryName", "Bad Name".into())]), "repositoryName", "lowercase"),
            (map(&[("repositoryName", Value::Number(1.0))]), "repositoryName", "must be a string"),
            (map(&[("repositoryName", Value::Unknown)]), "repositoryName", "is not known yet"),
            (
                map(&[("repositoryName", "x1".into()), ("region", "eu-west-1".into())]),
                "region",
                "is not a known argument of awsecr:index:getRepository; allowed: repositoryName, registryId",
            ),
            (
                map(&[("repositoryName", "x1".into()), ("registryId", "2109".into())]),
                "registryId",
                "must be a 12-digit AWS account id",
            ),
        ];
        for (args, path, reason) in cases {
            let failures = check(&args).unwrap_err();
            assert!(failures.iter().any(|f| f.property == path && f.reason.contains(reason)), "{args:?}: {failures:?}");
        }
    }
}
