//! The lifecycle scenarios, written once for both targets: create, refresh,
//! update in place, replacement, import with no diff and delete of each
//! resource, and the functions (getImage after a real push). Every check of
//! what ECR holds goes through the target's own ECR client, never through
//! the provider. Nothing here counts calls: that is the emulator-only part.

use std::sync::Arc;

use aws_sdk_ecr::error::ProvideErrorMetadata;
use aws_sdk_ecr::types::{
    RegistryScanningRule, ReplicationConfiguration, ReplicationDestination, ReplicationRule, RepositoryFilter,
    RepositoryFilterType, ScanFrequency, ScanType, ScanningRepositoryFilter, ScanningRepositoryFilterType,
    SigningConfiguration, SigningRepositoryFilter, SigningRepositoryFilterType, SigningRule,
};
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc::diff_response::DiffChanges;
use serde_json::Value as Json;

use super::common::{obj, strings};
use super::push::push_small_image;
use super::target::{RUN_TAG, Rpc, Target};

pub const REPOSITORY: &str = "awsecr:index:Repository";
pub const RULE: &str = "awsecr:index:PullThroughCacheRule";
pub const TEMPLATE: &str = "awsecr:index:RepositoryTemplate";
pub const REGISTRY: &str = "awsecr:index:Registry";
pub const SETTING: &str = "awsecr:index:AccountSetting";
pub const EXCLUSION: &str = "awsecr:index:PullTimeUpdateExclusion";
/// Against AWS, the ARN of an existing AWS Signer profile (platform
/// Notation-OCI-SHA384-ECDSA) for the signing scenario, which is skipped
/// without it; against the emulator the suite makes its own.
pub const SIGNING_PROFILE: &str = "AWSECR_ACC_SIGNING_PROFILE";

fn number(n: f64) -> Value {
    Value::Number(n)
}

fn with(base: &Map, pairs: &[(&str, Value)]) -> Map {
    let mut m = base.clone();
    for (k, v) in pairs {
        m.insert(k.to_string(), v.clone());
    }
    m
}

fn text(m: &Map, key: &str) -> String {
    m.get(key).map(Value::plain).and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Refresh: the read finds the resource and the program has nothing to do.
async fn refresh_is_clean(rpc: &mut Rpc, ty: &str, name: &str, id: &str, state: &Map, inputs: &Map) -> Map {
    let (read_id, out, _) = rpc.read(ty, name, id, state, inputs).await;
    assert_eq!(read_id, id, "{ty} {name}: refresh finds it");
    let d = rpc.diff(ty, name, id, &out, inputs).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{ty} {name} after refresh: {:?}", d.diffs);
    out
}

/// Import: a read by id alone, then the program's inputs (`declared`, or
/// else the inputs the import reconstructed, as `pulumi import` writes them
/// into the program) checked against them, with no diff.
async fn import_is_clean(rpc: &mut Rpc, ty: &str, name: &str, id: &str, declared: Option<&Map>) {
    let (read_id, out, imported) = rpc.read(ty, name, id, &Map::new(), &Map::new()).await;
    assert_eq!(read_id, id, "{ty} {name}: import finds it");
    let checked = rpc.check(ty, name, declared.unwrap_or(&imported), &imported).await;
    let d = rpc.diff(ty, name, id, &out, &checked).await;
    assert_eq!(d.changes, DiffChanges::DiffNone as i32, "{ty} {name} after import: {:?}", d.diffs);
}

async fn describe(t: &Target, name: &str) -> Option<aws_sdk_ecr::types::Repository> {
    match t.ecr.describe_repositories().repository_names(name).send().await {
        Ok(r) => r.repositories().first().cloned(),
        Err(e) => {
            assert_eq!(e.code(), Some("RepositoryNotFoundException"), "describing {name}: {e:?}");
            None
        }
    }
}

async fn ecr_tags(t: &Target, arn: &str) -> Vec<(String, String)> {
    let r = t.ecr.list_tags_for_resource().resource_arn(arn).send().await.expect("ListTagsForResource");
    r.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
}

async fn lifecycle_rules(t: &Target, name: &str) -> usize {
    let p = t.ecr.get_lifecycle_policy().repository_name(name).send().await.expect("GetLifecyclePolicy");
    let doc: Json = serde_json::from_str(p.lifecycle_policy_text().unwrap()).unwrap();
    doc["rules"].as_array().map_or(0, Vec::len)
}

/// A Repository's whole life, getRepository, and getImage, getImages and
/// getRepositories after a push.
pub async fn repository(t: Arc<Target>) {
    let mut rpc = t.provider().await;
    let name = t.name("app");
    let declared = obj(&[
        ("repositoryName", name.as_str().into()),
        ("lifecyclePolicy", Value::Object(obj(&[("expireUntaggedAfterDays", number(7.0))]))),
        ("tags", t.tags(&[])),
    ]);
    let inputs = rpc.check(REPOSITORY, "app", &declared, &Map::new()).await;
    let (id, state) = rpc.create(REPOSITORY, "app", &inputs).await;
    assert_eq!(id, name);
    let repo = describe(&t, &name).await.expect("the repository exists");
    assert_eq!(repo.image_tag_mutability().unwrap().as_str(), "IMMUTABLE");
    assert!(repo.image_scanning_configuration().unwrap().scan_on_push());
    assert_eq!(repo.encryption_configuration().unwrap().encryption_type().as_str(), "AES256");
    let arn = repo.repository_arn().unwrap().to_string();
    assert!(ecr_tags(&t, &arn).await.contains(&(RUN_TAG.to_string(), t.run_id.clone())), "the run's tag");
    assert_eq!(lifecycle_rules(&t, &name).await, 1);
    assert_eq!(text(&state, "arn"), arn);

    let state = refresh_is_clean(&mut rpc, REPOSITORY, "app", &id, &state, &inputs).await;

    // Update in place: a tag and a second expiry rule.
    let declared = with(
        &declared,
        &[
            ("tags", t.tags(&[("team", "acceptance")])),
            (
                "lifecyclePolicy",
                Value::Object(obj(&[("expireUntaggedAfterDays", number(7.0)), ("maxImageCount", number(10.0))])),
            ),
        ],
    );
    let news = rpc.check(REPOSITORY, "app", &declared, &inputs).await;
    let d = rpc.diff(REPOSITORY, "app", &id, &state, &news).await;
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    assert_eq!(d.diffs, vec!["lifecyclePolicy".to_string(), "tags".to_string()]);
    let state = rpc.update(REPOSITORY, "app", &id, &state, &news).await;
    assert!(ecr_tags(&t, &arn).await.contains(&("team".to_string(), "acceptance".to_string())));
    assert_eq!(lifecycle_rules(&t, &name).await, 2);

    import_is_clean(&mut rpc, REPOSITORY, "app", &id, Some(&declared)).await;

    let looked_up = rpc.invoke("awsecr:index:getRepository", &obj(&[("repositoryName", name.as_str().into())])).await;
    assert_eq!(text(&looked_up, "arn"), arn);
    assert_eq!(text(&looked_up, "repositoryUrl"), text(&state, "repositoryUrl"));

    // Replacement: encryption changes only with a new repository, the same
    // name, so the old one goes first.
    let declared = with(&declared, &[("encryptionType", "KMS".into())]);
    let replacement = rpc.check(REPOSITORY, "app", &declared, &news).await;
    let d = rpc.diff(REPOSITORY, "app", &id, &state, &replacement).await;
    assert_eq!(d.replaces, vec!["encryptionType".to_string()]);
    assert!(d.delete_before_replace);
    rpc.delete(REPOSITORY, "app", &id, &state).await.expect("delete before replace");
    let (id, state) = rpc.create(REPOSITORY, "app", &replacement).await;
    let repo = describe(&t, &name).await.expect("the replacement exists");
    assert_eq!(repo.encryption_configuration().unwrap().encryption_type().as_str(), "KMS");

    // getImage after a real push.
    let pushed = push_small_image(&t.ecr, &name, "v1").await;
    let by_tag = rpc
        .invoke("awsecr:index:getImage", &obj(&[("repositoryName", name.as_str().into()), ("imageTag", "v1".into())]))
        .await;
    assert_eq!(text(&by_tag, "imageDigest"), pushed.digest);
    assert_eq!(text(&by_tag, "imageUri"), format!("{}@{}", text(&state, "repositoryUrl"), pushed.digest));
    assert_eq!(by_tag.get("imageTags").map(Value::plain), Some(strings(&["v1"])));
    let newest = rpc
        .invoke("awsecr:index:getImage", &obj(&[("repositoryName", name.as_str().into()), ("mostRecent", true.into())]))
        .await;
    assert_eq!(text(&newest, "imageDigest"), pushed.digest);

    // The lists: the image among the repository's, the repository under its
    // own name as the prefix.
    let images = rpc
        .invoke("awsecr:index:getImages", &obj(&[("repositoryName", name.as_str().into()), ("tagPrefix", "v".into())]))
        .await;
    let listed = match images.get("images").map(Value::plain) {
        Some(Value::Array(items)) => items,
        other => panic!("getImages gave no list: {other:?}"),
    };
    assert_eq!(listed.len(), 1, "{listed:?}");
    let first = match &listed[0] {
        Value::Object(m) => m,
        other => panic!("an image is an object: {other:?}"),
    };
    assert_eq!(text(first, "imageDigest"), pushed.digest);
    assert_eq!(text(first, "imageUri"), text(&by_tag, "imageUri"));
    let repositories = rpc.invoke("awsecr:index:getRepositories", &obj(&[("namePrefix", name.as_str().into())])).await;
    assert_eq!(repositories.get("names").map(Value::plain), Some(strings(&[&name])));
    assert_eq!(repositories.get("urls").map(Value::plain), Some(strings(&[&text(&state, "repositoryUrl")])));
    assert_eq!(repositories.get("truncated").map(Value::plain), Some(Value::Bool(false)));

    // Delete: refused while it holds an image, then with forceDelete.
    let refused = rpc.delete(REPOSITORY, "app", &id, &state).await.expect_err("a repository with images stays");
    assert!(refused.message().contains("still holds images"), "{}", refused.message());
    assert!(describe(&t, &name).await.is_some(), "nothing was deleted");
    let declared = with(&declared, &[("forceDelete", true.into())]);
    let news = rpc.check(REPOSITORY, "app", &declared, &replacement).await;
    let d = rpc.diff(REPOSITORY, "app", &id, &state, &news).await;
    assert_eq!(d.diffs, vec!["forceDelete".to_string()]);
    let state = rpc.update(REPOSITORY, "app", &id, &state, &news).await;
    rpc.delete(REPOSITORY, "app", &id, &state).await.expect("forceDelete deletes");
    assert!(describe(&t, &name).await.is_none(), "deleted with its image");
}

async fn rule_upstream(t: &Target, prefix: &str) -> Option<String> {
    match t.ecr.describe_pull_through_cache_rules().ecr_repository_prefixes(prefix).send().await {
        Ok(r) => r.pull_through_cache_rules().first().and_then(|r| r.upstream_registry_url()).map(str::to_string),
        Err(e) => {
            assert_eq!(e.code(), Some("PullThroughCacheRuleNotFoundException"), "{e:?}");
            None
        }
    }
}

/// Against AWS, two ARNs (comma-separated) of Secrets Manager secrets named
/// `ecr-pullthroughcache/...` holding Docker Hub credentials, for the
/// update in place of a rule's credential, which is skipped without them;
/// against the emulator (which does not read secrets) two made-up ARNs.
pub const PTC_SECRETS: &str = "AWSECR_ACC_PTC_SECRETS";

fn ptc_secrets(t: &Target) -> Option<(String, String)> {
    if t.is_local() {
        let arn = |n: &str| {
            format!(
                "arn:aws:secretsmanager:{}:{}:secret:ecr-pullthroughcache/{}-{n}-AbCdEf",
                t.region, t.account, t.prefix
            )
        };
        return Some((arn("hub"), arn("hub2")));
    }
    let raw = std::env::var(PTC_SECRETS).ok()?;
    let mut arns = raw.split(',').map(str::trim).filter(|a| !a.is_empty());
    match (arns.next(), arns.next(), arns.next()) {
        (Some(a), Some(b), None) => Some((a.to_string(), b.to_string())),
        _ => panic!("{PTC_SECRETS} must hold two secret ARNs, comma-separated, got {raw:?}"),
    }
}

async fn rule_credential(t: &Target, prefix: &str) -> Option<String> {
    let r = t
        .ecr
        .describe_pull_through_cache_rules()
        .ecr_repository_prefixes(prefix)
        .send()
        .await
        .expect("DescribePullThroughCacheRules");
    r.pull_through_cache_rules().first().and_then(|r| r.credential_arn()).map(str::to_string)
}

/// A pull-through cache rule of ECR Public (no credentials needed), then
/// one of Docker Hub whose credential is updated in place (the only
/// settings of a rule that change in place are its credential and role).
pub async fn pull_through_cache_rule(t: Arc<Target>) {
    let mut rpc = t.provider().await;
    let prefix = t.name("ptc");
    let declared = obj(&[("ecrRepositoryPrefix", prefix.as_str().into()), ("upstream", "ecr-public".into())]);
    let inputs = rpc.check(RULE, "cache", &declared, &Map::new()).await;
    let (id, state) = rpc.create(RULE, "cache", &inputs).await;
    assert_eq!(id, prefix);
    assert_eq!(rule_upstream(&t, &prefix).await.as_deref(), Some("public.ecr.aws"));
    let state = refresh_is_clean(&mut rpc, RULE, "cache", &id, &state, &inputs).await;
    import_is_clean(&mut rpc, RULE, "cache", &id, Some(&declared)).await;

    // Replacement: another prefix, made before the old one goes.
    let moved = t.name("ptc2");
    let declared = with(&declared, &[("ecrRepositoryPrefix", moved.as_str().into())]);
    let news = rpc.check(RULE, "cache", &declared, &inputs).await;
    let d = rpc.diff(RULE, "cache", &id, &state, &news).await;
    assert_eq!(d.replaces, vec!["ecrRepositoryPrefix".to_string()]);
    let (new_id, new_state) = rpc.create(RULE, "cache", &news).await;
    rpc.delete(RULE, "cache", &id, &state).await.expect("delete the replaced rule");
    assert_eq!(rule_upstream(&t, &prefix).await, None);
    assert_eq!(rule_upstream(&t, &moved).await.as_deref(), Some("public.ecr.aws"));
    rpc.delete(RULE, "cache", &new_id, &new_state).await.expect("delete");
    assert_eq!(rule_upstream(&t, &moved).await, None);

    // Update in place: another credential for a Docker Hub rule.
    let Some((first, second)) = ptc_secrets(&t) else {
        eprintln!("the pull-through cache rule's update in place skipped: set {PTC_SECRETS} to run it");
        return;
    };
    let prefix = t.name("hub");
    let declared = obj(&[
        ("ecrRepositoryPrefix", prefix.as_str().into()),
        ("upstream", "docker-hub".into()),
        ("credentialArn", first.as_str().into()),
    ]);
    let inputs = rpc.check(RULE, "hub", &declared, &Map::new()).await;
    let (id, state) = rpc.create(RULE, "hub", &inputs).await;
    assert_eq!(rule_credential(&t, &prefix).await.as_deref(), Some(first.as_str()));
    let state = refresh_is_clean(&mut rpc, RULE, "hub", &id, &state, &inputs).await;
    let declared = with(&declared, &[("credentialArn", second.as_str().into())]);
    let news = rpc.check(RULE, "hub", &declared, &inputs).await;
    let d = rpc.diff(RULE, "hub", &id, &state, &news).await;
    assert_eq!((d.diffs.clone(), d.replaces.clone()), (vec!["credentialArn".to_string()], vec![]));
    let state = rpc.update(RULE, "hub", &id, &state, &news).await;
    assert_eq!(rule_credential(&t, &prefix).await.as_deref(), Some(second.as_str()), "updated in place");
    import_is_clean(&mut rpc, RULE, "hub", &id, Some(&declared)).await;
    rpc.delete(RULE, "hub", &id, &state).await.expect("delete");
    assert_eq!(rule_upstream(&t, &prefix).await, None);
}

async fn template(t: &Target, prefix: &str) -> Option<aws_sdk_ecr::types::RepositoryCreationTemplate> {
    match t.ecr.describe_repository_creation_templates().prefixes(prefix).send().await {
        Ok(r) => r.repository_creation_templates().first().cloned(),
        Err(e) => {
            assert_eq!(e.code(), Some("TemplateNotFoundException"), "{e:?}");
            None
        }
    }
}

/// A repository creation template's whole life. It carries no run tag: a
/// template's tags are given to the repositories ECR creates from it, and
/// need a role for ECR to assume (`customRoleArn`), which the suite does not
/// make; its prefix marks it.
pub async fn repository_template(t: Arc<Target>) {
    let mut rpc = t.provider().await;
    let prefix = t.name("tpl");
    let declared = obj(&[
        ("prefix", prefix.as_str().into()),
        ("description", "awsecr acceptance".into()),
        ("lifecyclePolicy", Value::Object(obj(&[("expireUntaggedAfterDays", number(3.0))]))),
    ]);
    let inputs = rpc.check(TEMPLATE, "tpl", &declared, &Map::new()).await;
    let (id, state) = rpc.create(TEMPLATE, "tpl", &inputs).await;
    assert_eq!(id, prefix);
    let held = template(&t, &prefix).await.expect("the template exists");
    assert_eq!(held.description(), Some("awsecr acceptance"));
    assert!(held.lifecycle_policy().is_some_and(|p| p.contains("untagged")), "{held:?}");
    let state = refresh_is_clean(&mut rpc, TEMPLATE, "tpl", &id, &state, &inputs).await;

    let declared = with(&declared, &[("description", "awsecr acceptance, updated".into())]);
    let news = rpc.check(TEMPLATE, "tpl", &declared, &inputs).await;
    let d = rpc.diff(TEMPLATE, "tpl", &id, &state, &news).await;
    assert!(d.replaces.is_empty(), "{:?}", d.replaces);
    assert_eq!(d.diffs, vec!["description".to_string()]);
    let state = rpc.update(TEMPLATE, "tpl", &id, &state, &news).await;
    assert_eq!(template(&t, &prefix).await.unwrap().description(), Some("awsecr acceptance, updated"));
    import_is_clean(&mut rpc, TEMPLATE, "tpl", &id, Some(&declared)).await;

    let moved = t.name("tpl2");
    let declared = with(&declared, &[("prefix", moved.as_str().into())]);
    let replacement = rpc.check(TEMPLATE, "tpl", &declared, &news).await;
    let d = rpc.diff(TEMPLATE, "tpl", &id, &state, &replacement).await;
    assert_eq!(d.replaces, vec!["prefix".to_string()]);
    let (new_id, new_state) = rpc.create(TEMPLATE, "tpl", &replacement).await;
    rpc.delete(TEMPLATE, "tpl", &id, &state).await.expect("delete the replaced template");
    assert!(template(&t, &prefix).await.is_none());
    rpc.delete(TEMPLATE, "tpl", &new_id, &new_state).await.expect("delete");
    assert!(template(&t, &moved).await.is_none());
}

/// getAuthorizationToken: credentials for this account's registry.
pub async fn authorization_token(t: Arc<Target>) {
    let mut rpc = t.provider().await;
    let token = rpc.invoke("awsecr:index:getAuthorizationToken", &Map::new()).await;
    assert_eq!(text(&token, "proxyEndpoint"), format!("https://{}.dkr.ecr.{}.amazonaws.com", t.account, t.region));
    assert_eq!(text(&token, "userName"), "AWS");
    assert!(matches!(token.get("password"), Some(Value::Secret(_))), "the password is a secret");
}

// ------------------------------------------------------------ registry-wide

/// What the registry-wide scenario changes, as found before it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryFound {
    pub scan_type: String,
    pub scanning_rules: Vec<(String, Vec<String>)>,
    pub policy: Option<Json>,
    pub blob_mounting: String,
    /// BASIC_SCAN_TYPE_VERSION (the AccountSetting's replacement sets it).
    pub scan_type_version: String,
    /// The principals of the pull-time update exclusions, sorted.
    pub exclusions: Vec<String>,
    /// The signing rules as (profile, filters), in ECR's order; `None`
    /// when the registry has no signing configuration.
    pub signing: Option<Vec<(String, Vec<String>)>>,
    /// Replication rules: (destinations as (region, registry id), prefixes).
    pub replication: Vec<Replication>,
}

pub type Replication = (Vec<(String, String)>, Vec<String>);

fn rules_of(c: &aws_sdk_ecr::types::RegistryScanningConfiguration) -> Vec<(String, Vec<String>)> {
    let mut rules: Vec<(String, Vec<String>)> = c
        .rules()
        .iter()
        .map(|r| {
            let mut f: Vec<String> = r.repository_filters().iter().map(|f| f.filter().to_string()).collect();
            f.sort();
            (r.scan_frequency().as_str().to_string(), f)
        })
        .collect();
    rules.sort();
    rules
}

/// Reads what the registry-wide scenario would change.
pub async fn registry_found(t: &Target) -> RegistryFound {
    let scanning = t.ecr.get_registry_scanning_configuration().send().await.expect("GetRegistryScanningConfiguration");
    let scanning = scanning.scanning_configuration().cloned().unwrap_or_else(|| {
        aws_sdk_ecr::types::RegistryScanningConfiguration::builder().scan_type(ScanType::Basic).build()
    });
    let policy = match t.ecr.get_registry_policy().send().await {
        Ok(p) => p.policy_text().map(|s| serde_json::from_str(s).expect("a JSON registry policy")),
        Err(e) => {
            assert_eq!(e.code(), Some("RegistryPolicyNotFoundException"), "{e:?}");
            None
        }
    };
    let registry = t.ecr.describe_registry().send().await.expect("DescribeRegistry");
    let mut replication: Vec<Replication> = registry
        .replication_configuration()
        .map(|c| c.rules())
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let mut d: Vec<(String, String)> =
                r.destinations().iter().map(|d| (d.region().to_string(), d.registry_id().to_string())).collect();
            d.sort();
            let mut f: Vec<String> = r.repository_filters().iter().map(|f| f.filter().to_string()).collect();
            f.sort();
            (d, f)
        })
        .collect();
    replication.sort();
    let setting = t.ecr.get_account_setting().name("BLOB_MOUNTING").send().await.expect("GetAccountSetting");
    let version = t.ecr.get_account_setting().name("BASIC_SCAN_TYPE_VERSION").send().await.expect("GetAccountSetting");
    let mut exclusions = Vec::new();
    let mut token = None;
    loop {
        let r = t
            .ecr
            .list_pull_time_update_exclusions()
            .set_next_token(token)
            .send()
            .await
            .expect("ListPullTimeUpdateExclusions");
        exclusions.extend(r.pull_time_update_exclusions().iter().cloned());
        token = r.next_token().filter(|t| !t.is_empty()).map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    exclusions.sort();
    let signing = match t.ecr.get_signing_configuration().send().await {
        Ok(c) => c.signing_configuration().map(|c| {
            c.rules()
                .iter()
                .map(|r| {
                    let f = r.repository_filters().iter().map(|f| f.filter().to_string()).collect();
                    (r.signing_profile_arn().to_string(), f)
                })
                .collect()
        }),
        Err(e) => {
            assert_eq!(e.code(), Some("SigningConfigurationNotFoundException"), "{e:?}");
            None
        }
    };
    RegistryFound {
        scan_type_version: version.value().unwrap_or("AWS_NATIVE").to_string(),
        exclusions,
        signing,
        scan_type: scanning.scan_type().map_or("BASIC", |s| s.as_str()).to_string(),
        scanning_rules: rules_of(&scanning),
        policy,
        blob_mounting: setting.value().unwrap_or("DISABLED").to_string(),
        replication,
    }
}

/// Puts back what [`registry_found`] recorded, where it differs.
pub async fn restore_registry(t: &Target, found: &RegistryFound) {
    let now = registry_found(t).await;
    if (now.scan_type.as_str(), &now.scanning_rules) != (found.scan_type.as_str(), &found.scanning_rules) {
        let rules: Vec<RegistryScanningRule> = found
            .scanning_rules
            .iter()
            .map(|(frequency, filters)| {
                let mut r = RegistryScanningRule::builder().scan_frequency(ScanFrequency::from(frequency.as_str()));
                for f in filters {
                    r = r.repository_filters(
                        ScanningRepositoryFilter::builder()
                            .filter(f)
                            .filter_type(ScanningRepositoryFilterType::Wildcard)
                            .build()
                            .unwrap(),
                    );
                }
                r.build().unwrap()
            })
            .collect();
        t.ecr
            .put_registry_scanning_configuration()
            .scan_type(ScanType::from(found.scan_type.as_str()))
            .set_rules(Some(rules))
            .send()
            .await
            .expect("put the scanning configuration back");
    }
    if now.replication != found.replication {
        let rules: Vec<ReplicationRule> = found
            .replication
            .iter()
            .map(|(destinations, prefixes)| {
                let mut r = ReplicationRule::builder();
                for (region, registry_id) in destinations {
                    r = r.destinations(
                        ReplicationDestination::builder().region(region).registry_id(registry_id).build().unwrap(),
                    );
                }
                for p in prefixes {
                    r = r.repository_filters(
                        RepositoryFilter::builder()
                            .filter(p)
                            .filter_type(RepositoryFilterType::PrefixMatch)
                            .build()
                            .unwrap(),
                    );
                }
                r.build().unwrap()
            })
            .collect();
        t.ecr
            .put_replication_configuration()
            .replication_configuration(ReplicationConfiguration::builder().set_rules(Some(rules)).build().unwrap())
            .send()
            .await
            .expect("put the replication rules back");
    }
    if now.policy != found.policy {
        match &found.policy {
            Some(p) => {
                t.ecr.put_registry_policy().policy_text(p.to_string()).send().await.expect("put the policy back");
            }
            None => {
                t.ecr.delete_registry_policy().send().await.expect("delete the policy the run left");
            }
        }
    }
    if now.blob_mounting != found.blob_mounting {
        t.ecr
            .put_account_setting()
            .name("BLOB_MOUNTING")
            .value(&found.blob_mounting)
            .send()
            .await
            .expect("put the account setting back");
    }
    if now.scan_type_version != found.scan_type_version {
        t.ecr
            .put_account_setting()
            .name("BASIC_SCAN_TYPE_VERSION")
            .value(&found.scan_type_version)
            .send()
            .await
            .expect("put the account setting back");
    }
    for p in now.exclusions.iter().filter(|p| !found.exclusions.contains(p)) {
        t.ecr
            .deregister_pull_time_update_exclusion()
            .principal_arn(p)
            .send()
            .await
            .expect("deregister the exclusion the run left");
    }
    for p in found.exclusions.iter().filter(|p| !now.exclusions.contains(p)) {
        t.ecr.register_pull_time_update_exclusion().principal_arn(p).send().await.expect("put the exclusion back");
    }
    if now.signing != found.signing {
        match &found.signing {
            Some(rules) => {
                let rules: Vec<SigningRule> = rules
                    .iter()
                    .map(|(profile, filters)| {
                        let mut r = SigningRule::builder().signing_profile_arn(profile);
                        for f in filters {
                            r = r.repository_filters(
                                SigningRepositoryFilter::builder()
                                    .filter(f)
                                    .filter_type(SigningRepositoryFilterType::WildcardMatch)
                                    .build()
                                    .unwrap(),
                            );
                        }
                        r.build().unwrap()
                    })
                    .collect();
                t.ecr
                    .put_signing_configuration()
                    .signing_configuration(SigningConfiguration::builder().set_rules(Some(rules)).build().unwrap())
                    .send()
                    .await
                    .expect("put the signing configuration back");
            }
            None => {
                t.ecr
                    .delete_signing_configuration()
                    .send()
                    .await
                    .expect("delete the signing configuration the run left");
            }
        }
    }
}

/// The region the run's replication rule names: another than the target's.
pub fn replication_region(t: &Target) -> &'static str {
    if t.region == "us-west-2" { "us-east-2" } else { "us-west-2" }
}

/// The Registry (scanning of the run's repositories, a replication rule and
/// a signing rule for them beside the rules found, and one registry policy
/// statement, each marked with the run's prefix) and an AccountSetting
/// (updated in place, then replaced by another setting), each taken over
/// with `adopt` and given back.
pub async fn registry(t: Arc<Target>, found: RegistryFound) {
    let mut rpc = t.provider().await;
    let sid = format!("Acc{}", t.run_id.replace('-', ""));
    let statement = Value::Object(obj(&[
        ("sid", sid.as_str().into()),
        ("principals", strings(&[&t.account])),
        ("actions", strings(&["ecr:CreateRepository", "ecr:ReplicateImage"])),
        ("repositoryPrefixes", strings(&[&format!("{}/", t.prefix)])),
    ]));
    let scanning = |filters: &[&str]| {
        Value::Object(obj(&[("type", found.scan_type.as_str().into()), ("scanOnPush", strings(filters))]))
    };
    let filter = format!("{}/*", t.prefix);
    // The rules found, kept while the Registry owns the group, and the run's.
    let destination = |region: &str, registry_id: &str| {
        Value::Object(obj(&[("region", region.into()), ("registryId", registry_id.into())]))
    };
    let mut rules: Vec<Value> = found
        .replication
        .iter()
        .map(|(destinations, prefixes)| {
            let mut rule =
                obj(&[("destinations", Value::Array(destinations.iter().map(|(r, id)| destination(r, id)).collect()))]);
            if !prefixes.is_empty() {
                rule.insert(
                    "repositoryPrefixes".into(),
                    strings(&prefixes.iter().map(String::as_str).collect::<Vec<_>>()),
                );
            }
            Value::Object(rule)
        })
        .collect();
    let other_region = replication_region(&t);
    rules.push(Value::Object(obj(&[
        ("destinations", Value::Array(vec![Value::Object(obj(&[("region", other_region.into())]))])),
        ("repositoryPrefixes", strings(&[&t.prefix])),
    ])));
    let mut declared = obj(&[
        ("scanning", scanning(&[&filter])),
        ("replication", Value::Array(rules)),
        ("policyStatements", Value::Array(vec![statement])),
        ("adopt", true.into()),
    ]);
    // Managed signing: the rules found, kept, and one signing the run's
    // repositories with a Signer profile (the emulator's own, or the one
    // AWSECR_ACC_SIGNING_PROFILE names; none, no signing group).
    let profile = signing_profile(&t);
    let signing_rule = |arn: &str, filters: &[String]| {
        let mut r = obj(&[("signingProfileArn", arn.into())]);
        if !filters.is_empty() {
            r.insert("repositoryFilters".into(), strings(&filters.iter().map(String::as_str).collect::<Vec<_>>()));
        }
        Value::Object(r)
    };
    let mut signed = found.signing.clone().unwrap_or_default();
    if let Some(profile) = &profile {
        signed.push((profile.clone(), vec![filter.clone()]));
        let rules = signed.iter().map(|(arn, filters)| signing_rule(arn, filters)).collect();
        declared.insert("signing".into(), Value::Array(rules));
    } else {
        eprintln!("signing scenario skipped: set {SIGNING_PROFILE} to a Signer profile's ARN to run it");
    }
    let inputs = rpc.check(REGISTRY, "registry", &declared, &Map::new()).await;
    let (id, state) = rpc.create(REGISTRY, "registry", &inputs).await;
    assert_eq!(id, format!("{}/{}", t.account, t.region));
    let now = registry_found(&t).await;
    if profile.is_some() {
        assert_eq!(now.signing.as_ref(), Some(&signed), "the run's signing rule after the rules found");
    }
    assert_eq!(now.scanning_rules, vec![("SCAN_ON_PUSH".to_string(), vec![filter.clone()])]);
    let ours: Replication = (vec![(other_region.to_string(), t.account.clone())], vec![t.prefix.clone()]);
    let mut expected = found.replication.clone();
    expected.push(ours);
    expected.sort();
    assert_eq!(now.replication, expected, "the run's rule beside the rules found");
    let ours = format!("Awsecr{sid}");
    let statements = |p: &Option<Json>| -> Vec<Json> {
        p.as_ref().and_then(|p| p["Statement"].as_array().cloned()).unwrap_or_default()
    };
    let held = statements(&now.policy);
    assert!(held.iter().any(|s| s["Sid"] == ours.as_str()), "{held:?}");
    for theirs in statements(&found.policy) {
        assert!(held.contains(&theirs), "a statement of others is kept: {theirs}");
    }
    let state = refresh_is_clean(&mut rpc, REGISTRY, "registry", &id, &state, &inputs).await;

    let more = format!("{}/extra*", t.prefix);
    let declared = with(&declared, &[("scanning", scanning(&[&filter, &more]))]);
    let news = rpc.check(REGISTRY, "registry", &declared, &inputs).await;
    let d = rpc.diff(REGISTRY, "registry", &id, &state, &news).await;
    assert_eq!(d.diffs, vec!["scanning".to_string()]);
    let state = rpc.update(REGISTRY, "registry", &id, &state, &news).await;
    let mut both = vec![filter.clone(), more.clone()];
    both.sort();
    assert_eq!(registry_found(&t).await.scanning_rules, vec![("SCAN_ON_PUSH".to_string(), both)]);
    // The statement comes back as JSON (a `document`), and `adopt` as
    // false: the program `pulumi import` writes, not this one.
    import_is_clean(&mut rpc, REGISTRY, "registry", &id, None).await;

    // An account setting: the other value, an update in place back to the
    // found one and again to the other, then a replacement by another
    // setting (its name replaces), whose delete puts the found value back.
    let other = if found.blob_mounting == "ENABLED" { "DISABLED" } else { "ENABLED" };
    let setting = obj(&[("name", "BLOB_MOUNTING".into()), ("value", other.into()), ("adopt", true.into())]);
    let setting_inputs = rpc.check(SETTING, "blob", &setting, &Map::new()).await;
    let (setting_id, setting_state) = rpc.create(SETTING, "blob", &setting_inputs).await;
    assert_eq!(text(&setting_state, "previousValue"), found.blob_mounting);
    assert_eq!(registry_found(&t).await.blob_mounting, other);
    let setting_state = refresh_is_clean(&mut rpc, SETTING, "blob", &setting_id, &setting_state, &setting_inputs).await;
    import_is_clean(&mut rpc, SETTING, "blob", &setting_id, None).await;
    let mut setting_state = setting_state;
    for value in [found.blob_mounting.as_str(), other] {
        let news = rpc.check(SETTING, "blob", &with(&setting, &[("value", value.into())]), &setting_inputs).await;
        let d = rpc.diff(SETTING, "blob", &setting_id, &setting_state, &news).await;
        assert_eq!((d.diffs.clone(), d.replaces.clone()), (vec!["value".to_string()], vec![]), "{value}");
        setting_state = rpc.update(SETTING, "blob", &setting_id, &setting_state, &news).await;
        assert_eq!(registry_found(&t).await.blob_mounting, value, "updated in place");
    }
    let version = obj(&[("name", "BASIC_SCAN_TYPE_VERSION".into()), ("adopt", true.into())]);
    let replacement = rpc.check(SETTING, "blob", &version, &setting_inputs).await;
    let d = rpc.diff(SETTING, "blob", &setting_id, &setting_state, &replacement).await;
    assert_eq!(d.replaces, vec!["name".to_string()]);
    assert!(!d.delete_before_replace, "two settings can be held at once");
    let (version_id, version_state) = rpc.create(SETTING, "blob", &replacement).await;
    assert_eq!(text(&version_state, "previousValue"), found.scan_type_version);
    rpc.delete(SETTING, "blob", &setting_id, &setting_state).await.expect("delete the replaced setting");
    assert_eq!(registry_found(&t).await.blob_mounting, found.blob_mounting, "the found value is back");
    rpc.delete(SETTING, "blob", &version_id, &version_state).await.expect("delete the setting");
    assert_eq!(registry_found(&t).await.scan_type_version, found.scan_type_version);

    rpc.delete(REGISTRY, "registry", &id, &state).await.expect("delete the registry");
    let after = registry_found(&t).await;
    assert!(!statements(&after.policy).iter().any(|s| s["Sid"] == ours.as_str()), "our statement is gone");
    assert!(after.scanning_rules.is_empty(), "scanning is back to AWS's default: {:?}", after.scanning_rules);
    assert!(after.replication.is_empty(), "the replication rules are removed: {:?}", after.replication);
    if profile.is_some() {
        assert_eq!(after.signing, None, "the signing configuration is removed");
    }
}

/// The Signer profile of the signing scenario: against the emulator one the
/// suite makes (as tests/common does), against AWS the one
/// [`SIGNING_PROFILE`] names, if any.
fn signing_profile(t: &Target) -> Option<String> {
    match &t.moto {
        Some(moto) => Some(moto.create_signing_profile(&format!("awsecracc{}", t.run_id.replace('-', "")))),
        None => std::env::var(SIGNING_PROFILE).ok().filter(|v| !v.is_empty()),
    }
}

async fn exclusions(t: &Target) -> Vec<String> {
    registry_found(t).await.exclusions
}

/// A PullTimeUpdateExclusion for a role under the run's prefix (one the
/// suite never creates in IAM): create, refresh, import, a replacement
/// (another principal, registered before the old one goes), delete. The
/// exclusions found are never touched.
pub async fn pull_time_exclusion(t: Arc<Target>, found: RegistryFound) {
    let mut rpc = t.provider().await;
    let principal = |leaf: &str| format!("arn:aws:iam::{}:role/{}/{leaf}", t.account, t.prefix);
    let scanner = principal("scanner");
    let declared = obj(&[("principalArn", scanner.as_str().into())]);
    let inputs = rpc.check(EXCLUSION, "scanner", &declared, &Map::new()).await;
    let (id, state) = rpc.create(EXCLUSION, "scanner", &inputs).await;
    assert_eq!(id, scanner);
    assert_eq!(text(&state, "registryId"), t.account);
    let mut expected = found.exclusions.clone();
    expected.push(scanner.clone());
    expected.sort();
    assert_eq!(exclusions(&t).await, expected, "the run's principal beside those found");
    let state = refresh_is_clean(&mut rpc, EXCLUSION, "scanner", &id, &state, &inputs).await;
    import_is_clean(&mut rpc, EXCLUSION, "scanner", &id, Some(&declared)).await;

    let moved = principal("scanner2");
    let declared = obj(&[("principalArn", moved.as_str().into())]);
    let news = rpc.check(EXCLUSION, "scanner", &declared, &inputs).await;
    let d = rpc.diff(EXCLUSION, "scanner", &id, &state, &news).await;
    assert_eq!(d.replaces, vec!["principalArn".to_string()]);
    assert!(!d.delete_before_replace, "the new principal is registered first");
    let (new_id, new_state) = rpc.create(EXCLUSION, "scanner", &news).await;
    rpc.delete(EXCLUSION, "scanner", &id, &state).await.expect("delete the replaced exclusion");
    let mut expected = found.exclusions.clone();
    expected.push(moved.clone());
    expected.sort();
    assert_eq!(exclusions(&t).await, expected);
    rpc.delete(EXCLUSION, "scanner", &new_id, &new_state).await.expect("delete");
    assert_eq!(exclusions(&t).await, found.exclusions, "only the run's principals were deregistered");
}
