//! `awsecr:index:getRepository`: a repository managed elsewhere, looked up
//! by name, with the same outputs the Repository resource has (ARN, URL,
//! settings, policy texts, the IAM documents to pull and push), so programs
//! can grant access to it or point at it.

use super::{Invoked, reader};
use crate::error::Result;
use crate::property::Map;
use crate::repository::{self, Ctx, args::name_problem};
use crate::validate::{Failure, Field};

pub const TOKEN: &str = "awsecr:index:getRepository";
/// The function's arguments.
pub const ARGS: &[&str] = &["repositoryName"];
/// What it returns: the resource's properties except `forceDelete`, which
/// is how Pulumi deletes a repository it manages, not a fact of ECR.
pub const RESULTS: &[&str] = &[
    "repositoryName",
    "immutableTags",
    "mutableTagExclusions",
    "immutableTagExclusions",
    "scanOnPush",
    "encryptionType",
    "kmsKey",
    "lifecyclePolicy",
    "lifecyclePolicyDocument",
    "repositoryPolicyDocument",
    "tags",
    "pullPrincipals",
    "pushPrincipals",
    "arn",
    "registryId",
    "repositoryUrl",
    "tagsAll",
    "lifecyclePolicyText",
    "imageTagMutability",
    "repositoryPolicyText",
    "pullPolicyDocument",
    "pushPolicyDocument",
    "awsTags",
];

/// Checks the arguments: the repository name, or the failures.
pub fn check(args: &Map) -> std::result::Result<String, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let name = match r.string("repositoryName") {
        Field::Known(n) => match name_problem(&n) {
            Some(reason) => {
                r.fail("repositoryName", reason);
                None
            }
            None => Some(n),
        },
        Field::Absent => {
            r.fail("repositoryName", "is required: the name of the ECR repository to look up, e.g. platform/api");
            None
        }
        _ => None,
    };
    match name {
        Some(n) if r.failures.is_empty() => Ok(n),
        _ => Err(r.failures),
    }
}

/// Looks the repository up: DescribeRepositories, GetLifecyclePolicy,
/// GetRepositoryPolicy and ListTagsForResource, as a resource's refresh.
pub async fn invoke(ctx: &Ctx<'_>, args: &Map) -> Result<Invoked> {
    let name = match check(args) {
        Ok(n) => n,
        Err(failures) => return Ok(Invoked::Failures(failures)),
    };
    // A lookup reads as an import does: a missing repository is an error
    // naming the region looked in.
    let found = repository::read(ctx, &name, &Map::new(), &Map::new())
        .await?
        .ok_or_else(|| repository::not_found_in_region(ctx, &name))?;
    let result = found.outputs.into_iter().filter(|(k, _)| RESULTS.contains(&k.as_str())).collect();
    Ok(Invoked::Return(result))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::Value;
    use crate::repository::{args::INPUTS, outputs::OUTPUTS};

    #[test]
    fn results_are_the_resource_properties_but_force_delete() {
        let mut want: Vec<&str> = INPUTS.iter().chain(OUTPUTS).copied().filter(|k| *k != "forceDelete").collect();
        let mut got = RESULTS.to_vec();
        want.sort();
        got.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn arguments_are_checked_by_name() {
        let map = |pairs: &[(&str, Value)]| -> Map { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
        assert_eq!(check(&map(&[("repositoryName", "platform/api".into())])), Ok("platform/api".to_string()));
        let cases: Vec<(Map, &str, &str)> = vec![
            (Map::new(), "repositoryName", "is required"),
            (map(&[("repositoryName", "Bad Name".into())]), "repositoryName", "lowercase"),
            (map(&[("repositoryName", Value::Number(1.0))]), "repositoryName", "must be a string"),
            (map(&[("repositoryName", Value::Unknown)]), "repositoryName", "is not known yet"),
            (
                map(&[("repositoryName", "x1".into()), ("region", "eu-west-1".into())]),
                "region",
                "is not a known argument of awsecr:index:getRepository; allowed: repositoryName",
            ),
        ];
        for (args, path, reason) in cases {
            let failures = check(&args).unwrap_err();
            assert!(failures.iter().any(|f| f.property == path && f.reason.contains(reason)), "{args:?}: {failures:?}");
        }
    }
}
