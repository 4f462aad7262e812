//! The acceptance suite (README, "Testing against AWS"): the lifecycle
//! scenarios of every resource and function, written once
//! (tests/acceptance/scenarios.rs) and run through the real provider binary
//! against the local ECR by default, or against a real AWS account with
//! `AWSECR_ACC=1`, its id in `AWSECR_ACC_ACCOUNTS`, and the standard AWS
//! credentials and region. The registry-wide scenarios (the Registry, the
//! account settings, a pull-time update exclusion) run against AWS only
//! with `AWSECR_ACC_REGISTRY=1` too, and put back what they found.
//!
//! Locally the suite also checks what only the emulator can show: that the
//! IAM policy in tests/acceptance/iam-policy.json names exactly the actions
//! the suite's calls used, and that a real run is refused outside the
//! allow-list before any AWS call. The sweeper (tests/acceptance/sweep.py)
//! is tested here against the emulator with leftovers the test seeds.

mod common;
#[path = "acceptance/push.rs"]
mod push;
#[path = "acceptance/scenarios.rs"]
mod scenarios;
#[path = "acceptance/target.rs"]
mod target;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_ecr::types::{
    RegistryScanningRule, ReplicationConfiguration, ReplicationDestination, ReplicationRule, RepositoryFilter,
    RepositoryFilterType, ScanFrequency, ScanType, ScanningRepositoryFilter, ScanningRepositoryFilterType,
    SigningConfiguration, SigningRepositoryFilter, SigningRepositoryFilterType, SigningRule,
};
use common::{ACCOUNT, Moto, REGION, root, venv};
use target::{ACCOUNTS, NAME_PREFIX, OPT_IN, Target};

type Scenario = Pin<Box<dyn Future<Output = ()> + Send>>;

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".to_string()),
        Err(e) => e.to_string(),
    }
}

/// The ECR and STS operations the emulator recorded, as IAM actions.
fn recorded_actions(moto: &Moto) -> BTreeSet<String> {
    actions_of(&moto.stop_recording_requests())
}

fn actions_of(requests: &[serde_json::Value]) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for r in requests {
        let auth = r["headers"]["Authorization"].as_str().unwrap_or_default();
        // SigV4's credential scope: <key>/<date>/<region>/<service>/aws4_request.
        let service = auth.split("Credential=").nth(1).and_then(|c| c.split('/').nth(3)).unwrap_or_default();
        let operation = match r["headers"]["X-Amz-Target"].as_str() {
            Some(target) => target.rsplit('.').next().unwrap_or(target).to_string(),
            None => url::form_urlencoded::parse(common::recorded_body(r).as_bytes())
                .find(|(k, _)| k == "Action")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default(),
        };
        if !service.is_empty() && !operation.is_empty() {
            actions.insert(format!("{service}:{operation}"));
        }
    }
    actions
}

/// The statement of the IAM policy for what ECR does on the caller's behalf
/// and the emulator cannot record: the first pull-through cache rule,
/// creation template or replication rule of a registry makes ECR create its
/// service-linked role
/// (AWS's ECR guide, "Using service-linked roles for Amazon ECR"), which the
/// caller must be allowed to create. Only these roles, only this action.
const BEYOND_THE_EMULATOR: &str = "EcrServiceLinkedRoles";

/// The actions the committed IAM policy allows for the calls the suite
/// makes itself (every statement but [`BEYOND_THE_EMULATOR`], which is
/// checked to hold exactly `iam:CreateServiceLinkedRole`).
fn policy_actions() -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("tests/acceptance/iam-policy.json")).unwrap();
    let policy: serde_json::Value = serde_json::from_str(&text).expect("iam-policy.json is JSON");
    let mut actions = BTreeSet::new();
    for s in policy["Statement"].as_array().expect("a list of statements") {
        assert_eq!(s["Effect"], "Allow", "{s}");
        if s["Sid"] == BEYOND_THE_EMULATOR {
            assert_eq!(s["Action"], serde_json::json!(["iam:CreateServiceLinkedRole"]), "{s}");
            continue;
        }
        for a in s["Action"].as_array().expect("a list of actions") {
            assert!(actions.insert(a.as_str().unwrap().to_string()), "{a} is listed twice");
        }
    }
    actions
}

/// What is left under a prefix: repositories, rules, templates (every page).
async fn leftovers(t: &Target, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let r = t.ecr.describe_repositories().set_next_token(token).send().await.expect("DescribeRepositories");
        names.extend(r.repositories().iter().filter_map(|r| r.repository_name()).map(|n| format!("repository {n}")));
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    loop {
        let r = t
            .ecr
            .describe_pull_through_cache_rules()
            .set_next_token(token)
            .send()
            .await
            .expect("DescribePullThroughCacheRules");
        names.extend(
            r.pull_through_cache_rules().iter().filter_map(|r| r.ecr_repository_prefix()).map(|n| format!("rule {n}")),
        );
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    loop {
        let r = t
            .ecr
            .describe_repository_creation_templates()
            .set_next_token(token)
            .send()
            .await
            .expect("DescribeRepositoryCreationTemplates");
        names.extend(
            r.repository_creation_templates().iter().filter_map(|r| r.prefix()).map(|n| format!("template {n}")),
        );
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    names.retain(|n| n.split_once(' ').is_some_and(|(_, name)| name.starts_with(prefix)));
    names
}

/// Runs the sweeper with the test venv's Python against `moto`.
fn sweep(moto: &Moto, args: &[&str], accounts: Option<&str>) -> Output {
    let mut command = Command::new(venv().join("bin/python"));
    command
        .arg(root().join("tests/acceptance/sweep.py"))
        .args(args)
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    match accounts {
        Some(a) => command.env(ACCOUNTS, a),
        None => command.env_remove(ACCOUNTS),
    };
    command.output().expect("run sweep.py")
}

/// The whole suite on the target the environment selects.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scenarios_on_the_target() {
    let t = Arc::new(Target::from_env().await.unwrap_or_else(|refusal| panic!("{refusal}")));
    eprintln!(
        "acceptance run {} in {} {} ({})",
        t.run_id,
        t.account,
        t.region,
        if t.is_local() { "the local ECR" } else { "AWS" }
    );
    let scenarios: Vec<(&str, Scenario)> = vec![
        ("repository and getImage", Box::pin(scenarios::repository(t.clone()))),
        ("pull-through cache rule", Box::pin(scenarios::pull_through_cache_rule(t.clone()))),
        ("repository template", Box::pin(scenarios::repository_template(t.clone()))),
        ("getAuthorizationToken", Box::pin(scenarios::authorization_token(t.clone()))),
    ];
    let handles: Vec<_> = scenarios.into_iter().map(|(name, s)| (name, tokio::spawn(s))).collect();
    let mut failures = Vec::new();
    for (name, handle) in handles {
        if let Err(e) = handle.await {
            failures.push(format!("{name}: {}", panic_text(e)));
        }
    }
    // The registry-wide settings: alone, after the others, and put back as
    // found whatever happened.
    if t.registry {
        let found = scenarios::registry_found(&t).await;
        if let Err(e) = tokio::spawn(scenarios::registry(t.clone(), found.clone())).await {
            failures.push(format!("registry-wide settings: {}", panic_text(e)));
        }
        if let Err(e) = tokio::spawn(scenarios::pull_time_exclusion(t.clone(), found.clone())).await {
            failures.push(format!("pull-time update exclusion: {}", panic_text(e)));
        }
        scenarios::restore_registry(&t, &found).await;
        let after = scenarios::registry_found(&t).await;
        if after != found {
            failures.push(format!("the registry-wide settings were not put back: found {found:?}, left {after:?}"));
        }
    } else {
        eprintln!("registry-wide scenario skipped: set AWSECR_ACC_REGISTRY=1 to run it");
    }
    let left = leftovers(&t, &t.prefix).await;
    if !left.is_empty() {
        failures.push(format!("the run left {left:?}"));
        if !t.is_local() {
            // A failed real run removes what it left itself, with the sweeper.
            let out = Command::new(venv().join("bin/python"))
                .arg(root().join("tests/acceptance/sweep.py"))
                .args(["--prefix", &t.prefix, "--older-than", "0s", "--region", &t.region])
                .output()
                .expect("run sweep.py");
            failures.push(format!("the sweeper for {}:\n{}", t.prefix, all_output(&out)));
        }
    }
    // Emulator only: the IAM policy names exactly the actions used.
    if let Some(moto) = &t.moto {
        let requests = moto.stop_recording_requests();
        eprintln!("the run made {} requests to the emulator", requests.len());
        let used = actions_of(&requests);
        let allowed = policy_actions();
        let missing: Vec<_> = used.difference(&allowed).collect();
        let unused: Vec<_> = allowed.difference(&used).collect();
        if !missing.is_empty() || !unused.is_empty() {
            failures.push(format!(
                "tests/acceptance/iam-policy.json lacks {missing:?} and allows {unused:?} that the suite never calls"
            ));
        }
    }
    assert!(failures.is_empty(), "acceptance run {} failed:\n{}", t.run_id, failures.join("\n"));
}

/// On the emulator, with settings of others there first (a signing rule,
/// a pull-time update exclusion, `BLOB_MOUNTING` enabled): the
/// registry-wide scenarios keep what they must keep, and the restore puts
/// back what the Registry's delete removed and what a run that died
/// half-way would leave.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registry_scenarios_put_back_what_they_found() {
    let t = Arc::new(Target::local().await);
    let moto = t.moto.as_ref().unwrap();
    let theirs = format!("arn:aws:iam::{ACCOUNT}:role/team-scanner");
    t.ecr.register_pull_time_update_exclusion().principal_arn(&theirs).send().await.unwrap();
    let signing = |profile: &str, filter: &str| {
        let rule = SigningRule::builder()
            .signing_profile_arn(profile)
            .repository_filters(
                SigningRepositoryFilter::builder()
                    .filter(filter)
                    .filter_type(SigningRepositoryFilterType::WildcardMatch)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        SigningConfiguration::builder().rules(rule).build().unwrap()
    };
    let release = moto.create_signing_profile("release");
    t.ecr.put_signing_configuration().signing_configuration(signing(&release, "prod/*")).send().await.unwrap();
    t.ecr.put_account_setting().name("BLOB_MOUNTING").value("ENABLED").send().await.unwrap();
    let found = scenarios::registry_found(&t).await;
    assert_eq!(found.exclusions, vec![theirs.clone()]);
    assert_eq!(found.signing, Some(vec![(release.clone(), vec!["prod/*".to_string()])]));
    assert_eq!(found.blob_mounting, "ENABLED");

    scenarios::registry(t.clone(), found.clone()).await;
    scenarios::pull_time_exclusion(t.clone(), found.clone()).await;
    assert_eq!(scenarios::registry_found(&t).await.exclusions, found.exclusions, "theirs kept throughout");
    assert_eq!(scenarios::registry_found(&t).await.signing, None, "the Registry's delete removed the signing rules");
    scenarios::restore_registry(&t, &found).await;
    assert_eq!(scenarios::registry_found(&t).await, found);

    // What a run that died half-way leaves: its exclusion registered, theirs
    // gone, other signing rules, the other value.
    let ours = format!("arn:aws:iam::{ACCOUNT}:role/{}/scanner", t.prefix);
    t.ecr.register_pull_time_update_exclusion().principal_arn(&ours).send().await.unwrap();
    t.ecr.deregister_pull_time_update_exclusion().principal_arn(&theirs).send().await.unwrap();
    let audit = moto.create_signing_profile("audit");
    let run_filter = format!("{}/*", t.prefix);
    t.ecr.put_signing_configuration().signing_configuration(signing(&audit, &run_filter)).send().await.unwrap();
    t.ecr.put_account_setting().name("BLOB_MOUNTING").value("DISABLED").send().await.unwrap();
    assert_ne!(scenarios::registry_found(&t).await, found);
    scenarios::restore_registry(&t, &found).await;
    assert_eq!(scenarios::registry_found(&t).await, found);
    // No signing configuration found: the one a run left is deleted.
    t.ecr.delete_signing_configuration().send().await.unwrap();
    let none = scenarios::registry_found(&t).await;
    t.ecr.put_signing_configuration().signing_configuration(signing(&audit, &run_filter)).send().await.unwrap();
    scenarios::restore_registry(&t, &none).await;
    assert_eq!(scenarios::registry_found(&t).await.signing, None);
}

/// The smallest scenario on the selected target: the refusal tests run it
/// in a child process with `AWSECR_ACC=1` pointed at the emulator.
#[tokio::test]
async fn the_target_answers_through_the_provider() {
    let t = Arc::new(Target::from_env().await.unwrap_or_else(|refusal| panic!("{refusal}")));
    scenarios::authorization_token(t).await;
}

/// This test binary run again for one test, with `AWSECR_ACC=1` and the
/// standard AWS variables pointing at `moto`.
fn child_run(moto: &Moto, test: &str, accounts: Option<&str>) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env(OPT_IN, "1")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/awsecr-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/awsecr-test-credentials")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL_ECR")
        .env_remove(target::REGISTRY_OPT_IN);
    match accounts {
        Some(a) => command.env(ACCOUNTS, a),
        None => command.env_remove(ACCOUNTS),
    };
    command.output().expect("run the acceptance binary again")
}

fn all_output(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_real_run_is_refused_outside_the_allow_list() {
    let moto = Moto::start();
    // No allow-list: refused before any AWS call.
    moto.start_recording();
    let out = child_run(&moto, "scenarios_on_the_target", None);
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(&target::no_allow_list_sentence()), "{text}");
    assert!(moto.stop_recording_requests().is_empty(), "no call before the refusal");

    // An account not in the list: refused after asking STS, and only that.
    moto.start_recording();
    let out = child_run(&moto, "scenarios_on_the_target", Some("111122223333, 444455556666"));
    let text = all_output(&out);
    assert!(!out.status.success(), "{text}");
    assert!(text.contains(&target::not_allowed_sentence(ACCOUNT)), "{text}");
    assert_eq!(recorded_actions(&moto), BTreeSet::from(["sts:GetCallerIdentity".to_string()]));

    // Something that is not an account id in the list: refused, no call.
    moto.start_recording();
    let out = child_run(&moto, "scenarios_on_the_target", Some("prod"));
    let text = all_output(&out);
    assert!(!out.status.success() && text.contains("AWSECR_ACC_ACCOUNTS holds \"prod\""), "{text}");
    assert!(moto.stop_recording_requests().is_empty(), "no call before the refusal");

    // The account in the list: the real-account path runs (the standard
    // credential variables, AWS_REGION, the endpoint from AWS_ENDPOINT_URL;
    // here the emulator's).
    moto.start_recording();
    let out = child_run(&moto, "the_target_answers_through_the_provider", Some(&format!("111122223333,{ACCOUNT}")));
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
    assert_eq!(
        recorded_actions(&moto),
        BTreeSet::from(["ecr:GetAuthorizationToken".to_string(), "sts:GetCallerIdentity".to_string()])
    );
}

#[test]
fn run_ids_carry_their_start_time() {
    assert_eq!(target::run_id_at(0, 0), "000000-0000");
    assert_eq!(target::run_id_at(1_765_000_000, 35), "t6u2ps-000z");
    assert_eq!(target::run_id_at(36u64.pow(6) - 1, 36u64.pow(4)), "zzzzzz-0000");
    let id = target::new_run_id();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let started = u64::from_str_radix(&id[..6], 36).unwrap();
    assert!(now - started < 60, "{id}");
}

// ------------------------------------------------------------ the sweeper

async fn seed_repository(ecr: &aws_sdk_ecr::Client, name: &str, images: u32) {
    ecr.create_repository().repository_name(name).send().await.expect("CreateRepository");
    for n in 0..images {
        ecr.put_image()
            .repository_name(name)
            .image_manifest(common::inspect::manifest(n + 1))
            .image_tag(format!("v{n}"))
            .send()
            .await
            .expect("PutImage");
    }
}

fn filter(f: &str) -> ScanningRepositoryFilter {
    ScanningRepositoryFilter::builder().filter(f).filter_type(ScanningRepositoryFilterType::Wildcard).build().unwrap()
}

#[tokio::test]
async fn the_sweeper_lists_then_removes_exactly_the_old_leftovers() {
    let moto = Moto::start();
    let ecr = moto.ecr().await;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let old = format!("{NAME_PREFIX}{}", target::run_id_at(now - 3 * 3600, 11));
    let young = format!("{NAME_PREFIX}{}", target::run_id_at(now, 22));
    // Repositories: an old run's (one with an image), a young run's, and
    // others' (one whose name only looks alike).
    seed_repository(&ecr, &format!("{old}/app"), 1).await;
    seed_repository(&ecr, &format!("{old}/empty"), 0).await;
    seed_repository(&ecr, &format!("{young}/app"), 1).await;
    seed_repository(&ecr, "team/app", 1).await;
    seed_repository(&ecr, "awsecr-accounts/app", 0).await;
    // Under the prefix without a run id: its age is ECR's createdAt (now).
    seed_repository(&ecr, "awsecr-acc-manual/app", 0).await;
    for (prefix, upstream) in [(format!("{old}/ptc"), "public.ecr.aws"), (format!("{young}/ptc"), "quay.io")] {
        ecr.create_pull_through_cache_rule()
            .ecr_repository_prefix(prefix)
            .upstream_registry_url(upstream)
            .send()
            .await
            .unwrap();
    }
    ecr.create_pull_through_cache_rule()
        .ecr_repository_prefix("k8s")
        .upstream_registry_url("registry.k8s.io")
        .send()
        .await
        .unwrap();
    for prefix in [format!("{old}/tpl"), format!("{young}/tpl"), "team".to_string()] {
        ecr.create_repository_creation_template()
            .prefix(prefix)
            .applied_for(aws_sdk_ecr::types::RctAppliedFor::PullThroughCache)
            .send()
            .await
            .unwrap();
    }
    // The registry: statements of an old run, a young run and others;
    // scanning filters likewise.
    let sid = |p: &str| format!("AwsecrAcc{}", p.trim_start_matches(NAME_PREFIX).replace('-', ""));
    let statement = |sid: &str| {
        serde_json::json!({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
            "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"], "Resource": format!("arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*")})
    };
    let policy = serde_json::json!({"Version": "2012-10-17",
        "Statement": [statement(&sid(&old)), statement(&sid(&young)), statement("TheirReplication")]});
    ecr.put_registry_policy().policy_text(policy.to_string()).send().await.unwrap();
    let scan_rule = RegistryScanningRule::builder()
        .scan_frequency(ScanFrequency::ScanOnPush)
        .repository_filters(filter(&format!("{old}/*")))
        .repository_filters(filter(&format!("{young}/*")))
        .repository_filters(filter("prod/*"))
        .build()
        .unwrap();
    let old_only = RegistryScanningRule::builder()
        .scan_frequency(ScanFrequency::ScanOnPush)
        .repository_filters(filter(&format!("{old}/extra*")))
        .build()
        .unwrap();
    ecr.put_registry_scanning_configuration()
        .scan_type(ScanType::Basic)
        .rules(scan_rule)
        .rules(old_only)
        .send()
        .await
        .unwrap();

    let replication_rule = |prefix: &str, region: &str| {
        ReplicationRule::builder()
            .destinations(ReplicationDestination::builder().region(region).registry_id(ACCOUNT).build().unwrap())
            .repository_filters(
                RepositoryFilter::builder()
                    .filter(prefix)
                    .filter_type(RepositoryFilterType::PrefixMatch)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    ecr.put_replication_configuration()
        .replication_configuration(
            ReplicationConfiguration::builder()
                .rules(replication_rule(&old, "us-west-2"))
                .rules(replication_rule(&young, "us-west-2"))
                .rules(replication_rule("prod", "eu-west-1"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    // Pull-time update exclusions: an old run's role, a young run's, others'.
    let role = |name: &str| format!("arn:aws:iam::{ACCOUNT}:role/{name}");
    for name in [format!("{old}/scanner"), format!("{young}/scanner"), "scanner".to_string()] {
        ecr.register_pull_time_update_exclusion().principal_arn(role(&name)).send().await.unwrap();
    }
    // Signing: a rule of an old run, of a young run, and of others.
    let profile = moto.create_signing_profile("release");
    let signing_rule = |f: &str| {
        SigningRule::builder()
            .signing_profile_arn(&profile)
            .repository_filters(
                SigningRepositoryFilter::builder()
                    .filter(f)
                    .filter_type(SigningRepositoryFilterType::WildcardMatch)
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    ecr.put_signing_configuration()
        .signing_configuration(
            SigningConfiguration::builder()
                .rules(signing_rule(&format!("{old}/*")))
                .rules(signing_rule(&format!("{young}/*")))
                .rules(signing_rule("prod/*"))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let everything_before = moto.inventory().await;
    let policy_before = ecr.get_registry_policy().send().await.unwrap().policy_text().unwrap().to_string();

    // Refusals: no allow-list, another account, a prefix outside the runs'.
    for (args, accounts, expected) in [
        (vec!["--dry-run"], None, "AWSECR_ACC_ACCOUNTS is not set, so nothing was swept"),
        (vec!["--dry-run"], Some("111122223333"), "AWS account 123456789012, which is not in AWSECR_ACC_ACCOUNTS"),
        (vec!["--prefix", "team"], Some(ACCOUNT), "--prefix must start with awsecr-acc-"),
    ] {
        let out = sweep(&moto, &args, accounts);
        let text = all_output(&out);
        assert!(!out.status.success() && text.contains(expected), "{args:?}: {text}");
    }

    // The dry run lists exactly the old run's leftovers and deletes nothing.
    moto.start_recording();
    let out = sweep(&moto, &["--older-than", "1h", "--dry-run"], Some(ACCOUNT));
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    let listed: BTreeSet<&str> = text.lines().filter_map(|l| l.trim().strip_prefix("would delete ")).collect();
    let expected: BTreeSet<String> = [
        format!("repository {old}/app (1 image(s))"),
        format!("repository {old}/empty (0 image(s))"),
        format!("pull-through cache rule {old}/ptc (public.ecr.aws)"),
        format!("repository creation template {old}/tpl"),
        format!("registry policy statement {}", sid(&old)),
        format!("registry scanning filter {old}/*, {old}/extra*"),
        format!("replication rule for {old} (to us-west-2)"),
        format!("pull-time update exclusion {}", role(&format!("{old}/scanner"))),
        format!("signing rule for {old}/* ({profile})"),
    ]
    .into();
    assert_eq!(listed, expected.iter().map(String::as_str).collect::<BTreeSet<_>>(), "{text}");
    assert!(text.contains("dry run: nothing was deleted"), "{text}");
    assert_eq!(moto.inventory().await, everything_before, "the dry run deleted nothing");
    assert_eq!(ecr.get_registry_policy().send().await.unwrap().policy_text().unwrap(), policy_before);
    assert_eq!(ecr.describe_pull_through_cache_rules().send().await.unwrap().pull_through_cache_rules().len(), 2);

    // The real run deletes exactly those.
    let out = sweep(&moto, &["--older-than", "1h"], Some(ACCOUNT));
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    // The suite's IAM policy lets the sweeper do all it does.
    let used = recorded_actions(&moto);
    assert!(used.contains("ecr:DeleteRepository"), "{used:?}");
    let allowed = policy_actions();
    let beyond: Vec<_> = used.difference(&allowed).collect();
    assert!(beyond.is_empty(), "the sweeper calls {beyond:?}, which tests/acceptance/iam-policy.json does not allow");
    assert_eq!(text.lines().filter(|l| l.trim().starts_with("deleted ")).count(), expected.len(), "{text}");
    // Everything is listed before anything is deleted.
    let lines: Vec<&str> = text.lines().collect();
    let last_listed = lines.iter().rposition(|l| l.trim().starts_with("deleting ")).unwrap();
    let first_deleted = lines.iter().position(|l| l.trim().starts_with("deleted ")).unwrap();
    assert!(last_listed < first_deleted, "{text}");
    let remaining = moto.inventory().await;
    let kept: BTreeSet<String> = [
        format!("{young}/app"),
        "team/app".to_string(),
        "awsecr-accounts/app".to_string(),
        "awsecr-acc-manual/app".to_string(),
    ]
    .into();
    assert_eq!(remaining, kept);
    let mut rules: Vec<String> = Vec::new();
    let mut token = None;
    loop {
        let r = ecr.describe_pull_through_cache_rules().set_next_token(token).send().await.unwrap();
        rules.extend(r.pull_through_cache_rules().iter().filter_map(|r| r.ecr_repository_prefix()).map(str::to_string));
        token = r.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    rules.sort();
    assert_eq!(rules, vec![format!("{young}/ptc"), "k8s".to_string()]);
    let templates = ecr.describe_repository_creation_templates().send().await.unwrap();
    let mut templates: Vec<&str> =
        templates.repository_creation_templates().iter().filter_map(|t| t.prefix()).collect();
    templates.sort();
    assert_eq!(templates, vec![format!("{young}/tpl").as_str(), "team"]);
    let policy: serde_json::Value =
        serde_json::from_str(ecr.get_registry_policy().send().await.unwrap().policy_text().unwrap()).unwrap();
    let sids: Vec<&str> = policy["Statement"].as_array().unwrap().iter().filter_map(|s| s["Sid"].as_str()).collect();
    assert_eq!(sids, vec![sid(&young).as_str(), "TheirReplication"]);
    let scanning = ecr.get_registry_scanning_configuration().send().await.unwrap();
    let rules = scanning.scanning_configuration().unwrap().rules();
    assert_eq!(rules.len(), 1, "the rule left empty is gone: {rules:?}");
    let filters: Vec<&str> = rules[0].repository_filters().iter().map(|f| f.filter()).collect();
    assert_eq!(filters, vec![format!("{young}/*").as_str(), "prod/*"]);
    let registry = ecr.describe_registry().send().await.unwrap();
    let kept: Vec<&str> = registry
        .replication_configuration()
        .unwrap()
        .rules()
        .iter()
        .map(|r| r.repository_filters()[0].filter())
        .collect();
    assert_eq!(kept, vec![young.as_str(), "prod"]);
    let mut principals: Vec<String> =
        ecr.list_pull_time_update_exclusions().send().await.unwrap().pull_time_update_exclusions().to_vec();
    principals.sort();
    assert_eq!(principals, vec![role(&format!("{young}/scanner")), role("scanner")]);
    let signing = ecr.get_signing_configuration().send().await.unwrap();
    let kept: Vec<&str> =
        signing.signing_configuration().unwrap().rules().iter().map(|r| r.repository_filters()[0].filter()).collect();
    assert_eq!(kept, vec![format!("{young}/*").as_str(), "prod/*"]);

    // A second run finds nothing; --older-than 0s then takes the young run's
    // too, and still nothing of others.
    let out = sweep(&moto, &["--older-than", "1h"], Some(ACCOUNT));
    assert!(all_output(&out).contains("0 leftover(s)"), "{}", all_output(&out));
    let out = sweep(&moto, &["--older-than", "0s", "--prefix", &young], Some(ACCOUNT));
    assert!(out.status.success(), "{}", all_output(&out));
    let others = BTreeSet::from(["team/app".to_string(), "awsecr-accounts/app".to_string()]);
    let mut with_manual = others.clone();
    with_manual.insert("awsecr-acc-manual/app".to_string());
    assert_eq!(moto.inventory().await, with_manual, "--prefix narrows the sweep to one run");
    let out = sweep(&moto, &["--older-than", "0s"], Some(ACCOUNT));
    assert!(out.status.success(), "{}", all_output(&out));
    assert_eq!(moto.inventory().await, others, "the name without a run id goes by its createdAt");
}
