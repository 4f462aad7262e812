//! Repository outputs: the inputs with defaults applied plus what ECR
//! assigns (ARN, registry id, URL) and what we derive (effective tags, the
//! applied lifecycle and repository policy texts, the ECR mutability mode,
//! the IAM documents for pulling and pushing). Outputs derived from a secret
//! input are secret too.

use std::collections::BTreeMap;

use super::PROPERTIES;
use super::args::RepositoryArgs;
use crate::config::ProviderConfig;
use crate::names::*;
use crate::policy::access::Access;
use crate::policy::lifecycle;
use crate::property::{Map, Value};
use crate::repository_settings::mutability_mode;
use crate::resource::Planned;
use crate::validate::{Field, Reader};

/// What ECR assigned to a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub arn: String,
    pub registry_id: String,
    pub repository_url: String,
}

impl Remote {
    pub fn from_outputs(olds: &Map) -> Option<Remote> {
        let s = |k: &str| olds.get(k).map(Value::plain).and_then(|v| v.as_str().map(str::to_string));
        Some(Remote { arn: s(ARN)?, registry_id: s(REGISTRY_ID)?, repository_url: s(REPOSITORY_URL)? })
    }

    /// The outputs ECR assigned, as the state holds them.
    pub fn to_map(&self) -> Map {
        Map::from([
            (ARN.into(), self.arn.clone().into()),
            (REGISTRY_ID.into(), self.registry_id.clone().into()),
            (REPOSITORY_URL.into(), self.repository_url.clone().into()),
        ])
    }
}

/// The policy texts in force on a repository (`None`: it has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policies {
    pub lifecycle: Option<String>,
    pub repository: Option<String>,
}

/// What a repository's outputs are written from (by the getters of the
/// outputs in [`PROPERTIES`]).
pub struct Written {
    pub remote: Remote,
    /// The effective tags (the provider's with the own).
    pub tags_all: Value,
    pub mutability: &'static str,
    pub policies: Policies,
}

/// The full output map of a repository: its inputs and every output
/// written by its getter.
pub fn outputs(args: &RepositoryArgs, remote: &Remote, config: &ProviderConfig, policies: Policies) -> Map {
    let written = Written {
        remote: remote.clone(),
        tags_all: string_map(&config.effective_tags(&args.tags)),
        mutability: args.image_tag_mutability(),
        policies,
    };
    let mut m = args.to_map();
    m.append(&mut crate::resource::outputs_of(PROPERTIES, &written));
    m
}

/// Outputs during preview: the checked inputs as they are, known derived
/// values where the inputs allow (each output's `preview` in
/// [`PROPERTIES`]), unknown for what only ECR can tell; in an update's
/// preview, what ECR assigned (`remote`) is known.
pub fn preview_outputs(news: &Map, config: &ProviderConfig, remote: Option<&Remote>) -> Map {
    let olds = remote.map(Remote::to_map);
    let mut m = crate::resource::preview_outputs(PROPERTIES, &Planned { news, olds: olds.as_ref(), config });
    carry_secrets(news, config, &mut m);
    m
}

/// `tagsAll` at preview: the effective tags, once the own tags are known.
pub fn preview_tags_all(p: &Planned<'_>) -> Option<Value> {
    let tags = crate::resource::string_map(p.news.get(TAGS));
    Some(tags.map_or(Value::Unknown, |t| string_map(&p.config.effective_tags(&t))))
}

/// `lifecyclePolicyText` at preview: the policy the inputs ask for, left
/// out when none.
pub fn preview_lifecycle_text(p: &Planned<'_>) -> Option<Value> {
    match lifecycle_text(p.news) {
        Some(text) => text.map(Value::from),
        None => Some(Value::Unknown),
    }
}

/// `imageTagMutability` at preview: ECR's mode, once the mode and its
/// exclusions are known.
pub fn preview_mutability(p: &Planned<'_>) -> Option<Value> {
    let immutable = p.news.get(IMMUTABLE_TAGS).map(Value::plain);
    let exclusions = p.news.get(MUTABLE_TAG_EXCLUSIONS).or(p.news.get(IMMUTABLE_TAG_EXCLUSIONS)).map(Value::plain);
    Some(match (immutable, exclusions) {
        (Some(Value::Bool(i)), None | Some(Value::Null)) => Value::from(mutability_mode(i, false)),
        (Some(Value::Bool(i)), Some(Value::Array(a))) if !a.iter().any(Value::is_unknown) => {
            Value::from(mutability_mode(i, !a.is_empty()))
        }
        _ => Value::Unknown,
    })
}

/// `repositoryPolicyText` at preview. The policy the access fields make
/// names account roots in the repository's partition, so it is known only
/// once the ARN is (unless given as JSON); left out when none.
pub fn preview_policy_text(p: &Planned<'_>) -> Option<Value> {
    let remote = p.olds.and_then(Remote::from_outputs);
    match (document(p.news, REPOSITORY_POLICY_DOCUMENT), access_of(p.news), remote) {
        (None, _, _) => Some(Value::Unknown),
        (Some(Some(text)), _, _) => Some(text.into()),
        (Some(None), Some(a), _) if a.is_empty() => None,
        (Some(None), Some(a), Some(r)) => a.to_policy(crate::partition::of_arn(&r.arn)).map(Value::from),
        (Some(None), _, _) => Some(Value::Unknown),
    }
}

/// An IAM document for the repository at preview: known once the ARN is.
pub fn preview_document(p: &Planned<'_>, document: fn(&str) -> String) -> Option<Value> {
    let remote = p.olds.and_then(Remote::from_outputs);
    Some(remote.map_or(Value::Unknown, |r| Value::from(document(&r.arn))))
}

/// The access the inputs ask for: `None` while unknown.
pub fn access_of(inputs: &Map) -> Option<Access> {
    crate::repository_settings::access_of(inputs)
}

/// One principal list of the inputs: `None` while unknown.
pub fn principals_of(inputs: &Map, key: &str) -> Option<Vec<String>> {
    match inputs.get(key).map(Value::plain) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map(str::to_string)).collect(),
        Some(_) => None,
    }
}

/// A policy given as JSON: `None` while unknown, `Some(None)` when not given.
pub fn document(inputs: &Map, key: &str) -> Option<Option<String>> {
    match inputs.get(key).map(Value::plain) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s)),
        Some(_) => None,
    }
}

/// The lifecycle policy text the inputs ask for (the JSON form, else the
/// one generated from the fields): `None` while unknown, `Some(None)` for no
/// policy.
pub fn lifecycle_text(inputs: &Map) -> Option<Option<String>> {
    if let Some(text) = document(inputs, LIFECYCLE_POLICY_DOCUMENT)? {
        return Some(Some(text));
    }
    let plain: Map = inputs.iter().map(|(k, v)| (k.clone(), v.plain())).collect();
    match lifecycle::read(&mut Reader::new(&plain, ""), LIFECYCLE_POLICY) {
        Field::Known(policy) => Some(policy.and_then(|p| p.to_json())),
        _ => None,
    }
}

/// Wraps as secret every output whose input (or source input) was secret,
/// and the tags that carry the value of a provider tag set as a secret
/// (`organization`, `environment`, `defaultTags`).
pub fn carry_secrets(inputs: &Map, config: &ProviderConfig, outputs: &mut Map) {
    crate::resource::carry_secrets(PROPERTIES, inputs, outputs);
    let mut to_wrap = Vec::new();
    if !config.secret_tags.is_empty() {
        for key in [TAGS, TAGS_ALL] {
            let carries = match outputs.get(key).map(Value::plain) {
                Some(Value::Object(m)) => config.holds_secret_tag(
                    &m.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect(),
                ),
                // Not known yet (preview): it may well carry them.
                Some(Value::Unknown) => key == TAGS_ALL,
                _ => false,
            };
            if carries {
                to_wrap.push(key.to_string());
            }
        }
    }
    for k in to_wrap {
        if let Some(v) = outputs.remove(&k) {
            outputs.insert(k, v.plain().into_secret());
        }
    }
}

fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::access::{pull_policy_document, push_policy_document};
    use crate::resources::repository::args::{Encryption, parse};

    fn args() -> RepositoryArgs {
        RepositoryArgs {
            repository_name: "app".into(),
            immutable_tags: true,
            tag_exclusions: vec![],
            scan_on_push: true,
            encryption_type: Encryption::Aes256,
            kms_key: None,
            lifecycle_policy: None,
            lifecycle_document: None,
            policy_document: None,
            force_delete: false,
            tags: BTreeMap::from([("team".into(), "a".into())]),
            access: Access::default(),
        }
    }

    #[test]
    fn secret_tags_make_tags_all_secret() {
        let mut inputs = args().to_map();
        inputs.insert("tags".into(), inputs["tags"].clone().into_secret());
        let remote = Remote { arn: "a".into(), registry_id: "r".into(), repository_url: "u".into() };
        let mut out = outputs(
            &parse(&inputs, &ProviderConfig::default()).0.unwrap(),
            &remote,
            &ProviderConfig::default(),
            Policies::default(),
        );
        carry_secrets(&inputs, &ProviderConfig::default(), &mut out);
        assert!(matches!(out["tags"], Value::Secret(_)));
        assert!(matches!(out["tagsAll"], Value::Secret(_)));
        assert!(!matches!(out["arn"], Value::Secret(_)));
    }

    #[test]
    fn secret_provider_tags_make_the_tags_carrying_them_secret() {
        let config = ProviderConfig {
            organization: Some("acme".into()),
            secret_tags: ["organization".to_string()].into(),
            ..Default::default()
        };
        let a = args();
        let remote = Remote { arn: "a".into(), registry_id: "r".into(), repository_url: "u".into() };
        let mut out = outputs(&a, &remote, &config, Policies::default());
        carry_secrets(&a.to_map(), &config, &mut out);
        assert!(matches!(out["tagsAll"], Value::Secret(_)), "tagsAll holds organization=acme");
        assert!(!matches!(out["tags"], Value::Secret(_)), "the own tags do not");
        let preview = preview_outputs(&a.to_map(), &config, None);
        assert!(matches!(preview["tagsAll"], Value::Secret(_)));
        // Overridden by the repository's own tag: nothing secret is left.
        let mut own = a.clone();
        own.tags.insert("organization".into(), "mine".into());
        let mut out = outputs(&own, &remote, &config, Policies::default());
        carry_secrets(&own.to_map(), &config, &mut out);
        assert!(!matches!(out["tagsAll"], Value::Secret(_)));
    }

    #[test]
    fn preview_knows_what_inputs_decide() {
        let mut news = args().to_map();
        news.insert("lifecyclePolicy".into(), Value::Object(Map::from([("maxImageCount".into(), Value::Number(5.0))])));
        let out = preview_outputs(&news, &ProviderConfig::default(), None);
        assert_eq!(out["arn"], Value::Unknown);
        assert_eq!(out["repositoryUrl"], Value::Unknown);
        assert_eq!(out["imageTagMutability"], Value::from("IMMUTABLE"));
        assert!(out["lifecyclePolicyText"].as_str().unwrap().contains("imageCountMoreThan"));
        news.insert("immutableTags".into(), Value::Unknown);
        news.insert("lifecyclePolicy".into(), Value::Unknown);
        let out = preview_outputs(&news, &ProviderConfig::default(), None);
        assert_eq!(out["imageTagMutability"], Value::Unknown);
        assert_eq!(out["lifecyclePolicyText"], Value::Unknown);
    }

    #[test]
    fn preview_knows_the_policy_documents_only_with_the_arn() {
        let mut news = args().to_map();
        let out = preview_outputs(&news, &ProviderConfig::default(), None);
        assert_eq!(out["pullPolicyDocument"], Value::Unknown);
        assert_eq!(out["pushPolicyDocument"], Value::Unknown);
        assert!(!out.contains_key("repositoryPolicyText"), "no principals, no policy");

        news.insert("pullPrincipals".into(), Value::Array(vec!["123456789012".into()]));
        assert_eq!(preview_outputs(&news, &ProviderConfig::default(), None)["repositoryPolicyText"], Value::Unknown);

        let arn = "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app";
        let remote = Remote { arn: arn.into(), registry_id: "123456789012".into(), repository_url: "u".into() };
        let out = preview_outputs(&news, &ProviderConfig::default(), Some(&remote));
        assert_eq!(out["pullPolicyDocument"], Value::from(pull_policy_document(arn)));
        assert_eq!(out["pushPolicyDocument"], Value::from(push_policy_document(arn)));
        let text = out["repositoryPolicyText"].as_str().unwrap();
        assert!(text.contains("arn:aws-cn:iam::123456789012:root"), "{text}");

        news.insert("pushPrincipals".into(), Value::Unknown);
        let out = preview_outputs(&news, &ProviderConfig::default(), Some(&remote));
        assert_eq!(out["repositoryPolicyText"], Value::Unknown);
    }

    #[test]
    fn secret_principals_make_the_policy_text_secret() {
        let mut a = args();
        a.access.push = vec!["123456789012".into()];
        let mut inputs = a.to_map();
        inputs.insert("pushPrincipals".into(), inputs["pushPrincipals"].clone().into_secret());
        let remote = Remote {
            arn: "arn:aws:ecr:r:1:repository/app".into(),
            registry_id: "r".into(),
            repository_url: "u".into(),
        };
        let policies = Policies { lifecycle: None, repository: a.access.to_policy("aws") };
        let mut out = outputs(&a, &remote, &ProviderConfig::default(), policies);
        carry_secrets(&inputs, &ProviderConfig::default(), &mut out);
        assert!(matches!(out["repositoryPolicyText"], Value::Secret(_)));
        assert!(!matches!(out["pullPolicyDocument"], Value::Secret(_)));
    }
}
