//! Repository outputs: the inputs with defaults applied plus what ECR
//! assigns (ARN, registry id, URL) and what we derive (effective tags, the
//! applied lifecycle policy text, the ECR mutability mode). Outputs derived
//! from a secret input are secret too.

use std::collections::BTreeMap;

use super::args::{RepositoryArgs, mutability_mode};
use super::lifecycle::LifecyclePolicy;
use crate::config::ProviderConfig;
use crate::property::{Map, Value};

/// Output properties beyond the inputs.
pub const OUTPUTS: &[&str] =
    &["arn", "registryId", "repositoryUrl", "tagsAll", "lifecyclePolicyText", "imageTagMutability"];

/// Which inputs each derived output comes from, for secretness.
const DERIVED_FROM: &[(&str, &[&str])] = &[
    ("arn", &["repositoryName"]),
    ("repositoryUrl", &["repositoryName"]),
    ("tagsAll", &["tags"]),
    ("lifecyclePolicyText", &["lifecyclePolicy"]),
    ("imageTagMutability", &["immutableTags", "mutableTagExclusions"]),
];

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
        Some(Remote { arn: s("arn")?, registry_id: s("registryId")?, repository_url: s("repositoryUrl")? })
    }
}

/// The full output map of a repository.
pub fn outputs(args: &RepositoryArgs, remote: &Remote, config: &ProviderConfig, policy_text: Option<String>) -> Map {
    let mut m = args.to_map();
    m.insert("arn".into(), remote.arn.clone().into());
    m.insert("registryId".into(), remote.registry_id.clone().into());
    m.insert("repositoryUrl".into(), remote.repository_url.clone().into());
    m.insert("tagsAll".into(), string_map(&config.effective_tags(&args.tags)));
    if let Some(text) = policy_text {
        m.insert("lifecyclePolicyText".into(), text.into());
    }
    m.insert("imageTagMutability".into(), args.image_tag_mutability().into());
    m
}

/// Outputs during preview: the checked inputs as they are, known derived
/// values where the inputs allow, unknown for what only ECR can tell.
pub fn preview_outputs(news: &Map, config: &ProviderConfig, remote: Option<&Remote>) -> Map {
    let mut m = news.clone();
    let unknown_or = |v: Option<String>| v.map_or(Value::Unknown, Value::String);
    m.insert("arn".into(), unknown_or(remote.map(|r| r.arn.clone())));
    m.insert("registryId".into(), unknown_or(remote.map(|r| r.registry_id.clone())));
    m.insert("repositoryUrl".into(), unknown_or(remote.map(|r| r.repository_url.clone())));
    let tags = match news.get("tags").map(Value::plain) {
        None | Some(Value::Null) => Some(BTreeMap::new()),
        Some(Value::Object(t)) => t.iter().map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string()))).collect(),
        _ => None,
    };
    m.insert("tagsAll".into(), tags.map_or(Value::Unknown, |t| string_map(&config.effective_tags(&t))));
    match lifecycle_text(news) {
        Some(Some(text)) => {
            m.insert("lifecyclePolicyText".into(), text.into());
        }
        Some(None) => {}
        None => {
            m.insert("lifecyclePolicyText".into(), Value::Unknown);
        }
    }
    let immutable = news.get("immutableTags").map(Value::plain);
    let exclusions = news.get("mutableTagExclusions").map(Value::plain);
    let mode = match (immutable, exclusions) {
        (Some(Value::Bool(i)), None | Some(Value::Null)) => Value::from(mutability_mode(i, false)),
        (Some(Value::Bool(i)), Some(Value::Array(a))) if !a.iter().any(Value::is_unknown) => {
            Value::from(mutability_mode(i, !a.is_empty()))
        }
        _ => Value::Unknown,
    };
    m.insert("imageTagMutability".into(), mode);
    carry_secrets(news, &mut m);
    m
}

/// The policy text the inputs ask for: `None` while unknown, `Some(None)` for
/// no policy.
pub fn lifecycle_text(inputs: &Map) -> Option<Option<String>> {
    match inputs.get("lifecyclePolicy").map(Value::plain) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(o)) => {
            let field = |k: &str| match o.get(k) {
                None | Some(Value::Null) => Some(None),
                Some(Value::Number(n)) => Some(Some(*n as u32)),
                Some(_) => None,
            };
            let p = LifecyclePolicy {
                expire_untagged_after_days: field("expireUntaggedAfterDays")?,
                max_image_count: field("maxImageCount")?,
            };
            Some(p.to_json())
        }
        Some(_) => None,
    }
}

/// Wraps as secret every output whose input (or source input) was secret.
pub fn carry_secrets(inputs: &Map, outputs: &mut Map) {
    let secret = |k: &str| inputs.get(k).is_some_and(Value::contains_secret);
    let mut to_wrap: Vec<String> = inputs.keys().filter(|k| secret(k)).cloned().collect();
    for (out, sources) in DERIVED_FROM {
        if sources.iter().any(|s| secret(s)) {
            to_wrap.push(out.to_string());
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
    use crate::repository::args::{Encryption, parse};

    fn args() -> RepositoryArgs {
        RepositoryArgs {
            repository_name: "app".into(),
            immutable_tags: true,
            mutable_tag_exclusions: vec![],
            scan_on_push: true,
            encryption_type: Encryption::Aes256,
            kms_key: None,
            lifecycle_policy: None,
            force_delete: false,
            tags: BTreeMap::from([("team".into(), "a".into())]),
        }
    }

    #[test]
    fn secret_tags_make_tags_all_secret() {
        let mut inputs = args().to_map();
        inputs.insert("tags".into(), inputs["tags"].clone().into_secret());
        let remote = Remote { arn: "a".into(), registry_id: "r".into(), repository_url: "u".into() };
        let mut out =
            outputs(&parse(&inputs, &ProviderConfig::default()).0.unwrap(), &remote, &ProviderConfig::default(), None);
        carry_secrets(&inputs, &mut out);
        assert!(matches!(out["tags"], Value::Secret(_)));
        assert!(matches!(out["tagsAll"], Value::Secret(_)));
        assert!(!matches!(out["arn"], Value::Secret(_)));
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
}
