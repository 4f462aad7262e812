//! Bad input: every kind of mistake in every input and configuration key gets
//! an answer that names the property and what is allowed, and no AWS call is
//! made. Table-driven over the real binary (gRPC), plus a few through the real
//! Pulumi CLI to show the user sees the same sentence.

mod common;

use common::pulumi::Stack;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc;

fn n(x: f64) -> Value {
    Value::Number(x)
}
fn o(pairs: &[(&str, Value)]) -> Value {
    Value::Object(obj(pairs))
}

/// (inputs, the property the failure must name, words the reason must contain)
fn bad_inputs() -> Vec<(Map, &'static str, &'static str)> {
    let many_tags: Vec<(String, Value)> = (0..51).map(|i| (format!("k{i}"), Value::from("v"))).collect();
    let many_tags = Value::Object(many_tags.into_iter().collect());
    vec![
        (obj(&[("repositoryName", "A".into())]), "repositoryName", "2 to 256 characters"),
        (obj(&[("repositoryName", "x".repeat(300).into())]), "repositoryName", "2 to 256 characters"),
        (obj(&[("repositoryName", "Upper/Case".into())]), "repositoryName", "lowercase letters and digits"),
        (obj(&[("repositoryName", "a___b".into())]), "repositoryName", "separated by single"),
        (obj(&[("repositoryName", "a_-b".into())]), "repositoryName", "a double __ or any run of -"),
        (obj(&[("repositoryName", "a..b".into())]), "repositoryName", "separated by single"),
        (obj(&[("repositoryName", "app-".into())]), "repositoryName", "lowercase letters and digits"),
        (obj(&[("repositoryName", "trailing/".into())]), "repositoryName", "namespaces"),
        (obj(&[("repositoryName", n(7.0))]), "repositoryName", "must be a string"),
        (obj(&[("immutableTags", "no".into())]), "immutableTags", "true or false"),
        (obj(&[("scanOnPush", n(0.0))]), "scanOnPush", "true or false"),
        (obj(&[("forceDelete", Value::Array(vec![]))]), "forceDelete", "true or false"),
        (obj(&[("encryptionType", "aes256".into())]), "encryptionType", "one of AES256, KMS, KMS_DSSE"),
        (obj(&[("encryptionType", n(1.0))]), "encryptionType", "must be a string"),
        (obj(&[("kmsKey", "alias/app".into())]), "kmsKey", "only allowed when encryptionType is KMS or KMS_DSSE"),
        (obj(&[("encryptionType", "KMS".into()), ("kmsKey", "".into())]), "kmsKey", "KMS key ARN, key id or alias"),
        (obj(&[("encryptionType", "KMS".into()), ("kmsKey", "my-key".into())]), "kmsKey", "key id, key ARN, alias"),
        (
            obj(&[("encryptionType", "KMS".into()), ("kmsKey", "arn:aws:kms:eu-west-1:123456789012:alias/app".into())]),
            "kmsKey",
            "must be a key of the repository's region us-east-1",
        ),
        (
            obj(&[("encryptionType", "KMS_DSSE".into()), ("kmsKey", "arn:aws:s3:::not-a-key".into())]),
            "kmsKey",
            "key id, key ARN, alias",
        ),
        (
            obj(&[("encryptionType", "KMS".into()), ("kmsKey", "alias/has space".into())]),
            "kmsKey",
            "alias (alias/name)",
        ),
        (obj(&[("mutableTagExclusions", Value::Array(vec![]))]), "mutableTagExclusions", "1 to 5 tag filters"),
        (
            obj(&[("mutableTagExclusions", Value::Array((0..6).map(|i| Value::from(format!("t{i}"))).collect()))]),
            "mutableTagExclusions",
            "1 to 5 tag filters",
        ),
        (obj(&[("mutableTagExclusions", strings(&["ok", "not ok"]))]), "mutableTagExclusions[1]", "wildcard"),
        (obj(&[("mutableTagExclusions", "latest".into())]), "mutableTagExclusions", "list of strings"),
        (
            obj(&[("mutableTagExclusions", strings(&["*"]))]),
            "mutableTagExclusions[0]",
            "set immutableTags: false instead",
        ),
        (
            obj(&[("pullPrincipals", strings(&["arn:aws-cn:iam::123456789012:role/x"]))]),
            "pullPrincipals[0]",
            "is in the partition aws-cn, but the repository is in aws",
        ),
        (
            obj(&[("pushPrincipals", strings(&["arn:aws:iam::123456789012:group/devs"]))]),
            "pushPrincipals[0]",
            "only roles and users",
        ),
        (obj(&[("pullPrincipals", strings(&["12345"]))]), "pullPrincipals[0]", "12-digit AWS account id"),
        (obj(&[("lifecyclePolicy", o(&[]))]), "lifecyclePolicy", "expireUntaggedAfterDays or maxImageCount"),
        (
            obj(&[("lifecyclePolicy", o(&[("maxImageCount", n(0.0))]))]),
            "lifecyclePolicy.maxImageCount",
            "between 1 and 10000",
        ),
        (obj(&[("lifecyclePolicy", o(&[("maxImageCount", n(2.5))]))]), "lifecyclePolicy.maxImageCount", "whole number"),
        (
            obj(&[("lifecyclePolicy", o(&[("expireUntaggedAfterDays", n(4000.0))]))]),
            "lifecyclePolicy.expireUntaggedAfterDays",
            "between 1 and 3650",
        ),
        (
            obj(&[("lifecyclePolicy", o(&[("expireUntaggedAfterDays", "14".into())]))]),
            "lifecyclePolicy.expireUntaggedAfterDays",
            "whole number",
        ),
        (
            obj(&[("lifecyclePolicy", o(&[("keepDays", n(3.0))]))]),
            "lifecyclePolicy.keepDays",
            "not a field of lifecyclePolicy",
        ),
        (obj(&[("lifecyclePolicy", Value::Array(vec![]))]), "lifecyclePolicy", "must be an object"),
        (
            obj(&[(
                "lifecyclePolicy",
                o(&[("tagged", Value::Array(vec![o(&[("tagPatterns", strings(&["pr-*"]))])]))]),
            )]),
            "lifecyclePolicy.tagged[0]",
            "exactly one of expireAfterDays and keepLast",
        ),
        (
            obj(&[(
                "lifecyclePolicy",
                o(&[(
                    "tagged",
                    Value::Array(vec![
                        o(&[("tagPrefixes", strings(&["v"])), ("keepLast", n(5.0))]),
                        o(&[("tagPrefixes", strings(&["v"])), ("keepLast", n(0.0))]),
                    ]),
                )]),
            )]),
            "lifecyclePolicy.tagged[1].keepLast",
            "between 1 and 10000",
        ),
        (
            obj(&[(
                "lifecyclePolicy",
                o(&[(
                    "tagged",
                    Value::Array(vec![o(&[("tagPatterns", strings(&["a*b*c*d*e*f"])), ("expireAfterDays", n(7.0))])]),
                )]),
            )]),
            "lifecyclePolicy.tagged[0].tagPatterns[0]",
            "at most 4 wildcards",
        ),
        (
            obj(&[(
                "lifecyclePolicy",
                o(&[(
                    "tagged",
                    Value::Array(vec![o(&[
                        ("tagPatterns", strings(&["pr-*"])),
                        ("tagPrefixes", strings(&["pr"])),
                        ("keepLast", n(7.0)),
                    ])]),
                )]),
            )]),
            "lifecyclePolicy.tagged[0]",
            "exactly one of tagPatterns (wildcards) and tagPrefixes",
        ),
        (
            obj(&[(
                "lifecyclePolicy",
                o(&[("tagged", Value::Array(vec![o(&[("tagPrefixes", Value::Array(vec![])), ("keepLast", n(7.0))])]))]),
            )]),
            "lifecyclePolicy.tagged[0].tagPrefixes",
            "must hold 1 to",
        ),
        (obj(&[("tags", o(&[("aws:owner", "x".into())]))]), "tags.aws:owner", "reserved prefix"),
        (obj(&[("tags", o(&[("k", "v".repeat(300).into())]))]), "tags.k", "at most 256"),
        (obj(&[("tags", o(&[("bad{key}", "v".into())]))]), "tags.bad{key}", "may contain only"),
        (obj(&[("tags", o(&[("k", Value::Array(vec![]))]))]), "tags.k", "must be a string"),
        (
            obj(&[("immutableTags", false.into()), ("mutableTagExclusions", strings(&["latest"]))]),
            "mutableTagExclusions",
            "use immutableTagExclusions",
        ),
        (obj(&[("immutableTagExclusions", strings(&["v*"]))]), "immutableTagExclusions", "use mutableTagExclusions"),
        (obj(&[("tags", many_tags)]), "tags", "at most 50 tags"),
        (obj(&[("tags", "team=a".into())]), "tags", "map of strings"),
        (obj(&[("color", "blue".into())]), "color", "not a property of awsecr:index:Repository"),
    ]
}

/// (configuration, the key the failure must name, words the reason must contain)
fn bad_config() -> Vec<(Map, &'static str, &'static str)> {
    vec![
        (obj(&[("region", "us-east".into())]), "region", "AWS region name"),
        (obj(&[("profile", " ".into())]), "profile", "must name a profile"),
        (obj(&[("accessKey", "AKIA".into())]), "secretKey", "need both keys"),
        (obj(&[("secretKey", "s".into())]), "accessKey", "need both keys"),
        (obj(&[("token", "t".into())]), "token", "only allowed together"),
        (obj(&[("endpoint", "127.0.0.1:4566".into())]), "endpoint", "http:// or https:// URL"),
        (
            obj(&[("endpoint", "http://ecr.internal.example.com".into())]),
            "endpoint",
            "must use https:// for a host other",
        ),
        (obj(&[("endpoint", "http://192.168.10.4:4566".into())]), "endpoint", "unencrypted"),
        (obj(&[("region", "eusc-fr-east-1".into())]), "region", "AWS region name"),
        (obj(&[("region", "US-EAST-1".into())]), "region", "AWS region name"),
        (obj(&[("region", "us-west-9".into())]), "region", "which aws does not have; the nearest are us-west-1"),
        (obj(&[("region", "eu-isoe-west-2".into())]), "region", "its regions are eu-isoe-west-1"),
        (obj(&[("skipRegionValidation", "maybe".into())]), "skipRegionValidation", "true or false"),
        (obj(&[("iamPropagationTimeout", n(-5.0))]), "iamPropagationTimeout", "between 0 and 3600"),
        (obj(&[("iamPropagationTimeout", n(4000.0))]), "iamPropagationTimeout", "between 0 and 3600"),
        (obj(&[("lifecyclePreviewTimeout", n(-1.0))]), "lifecyclePreviewTimeout", "between 0 and 600"),
        (obj(&[("lifecyclePreviewTimeout", n(601.0))]), "lifecyclePreviewTimeout", "between 0 and 600"),
        (obj(&[("protectedTags", "latest".into())]), "protectedTags", "list of strings"),
        (
            obj(&[("protectedTags", r#"["ok", "no spaces"]"#.into())]),
            "protectedTags[1]",
            "the characters of an image tag",
        ),
        (obj(&[("maxRetries", n(101.0))]), "maxRetries", "between 0 and 100"),
        (obj(&[("maxRetries", "many".into())]), "maxRetries", "whole number"),
        (obj(&[("defaultTags", o(&[("aws:x", "y".into())]))]), "defaultTags.aws:x", "reserved prefix"),
        (obj(&[("organization", "".into())]), "organization", "must not be empty"),
        (obj(&[("environment", "x".repeat(300).into())]), "environment", "at most 256"),
        (
            obj(&[("assumeRole", o(&[("roleArn", "arn:aws:iam::123:role/x".into())]))]),
            "assumeRole.roleArn",
            "IAM role ARN",
        ),
        (
            obj(&[(
                "assumeRole",
                o(&[("roleArn", "arn:aws:iam::123456789012:role/x".into()), ("durationSeconds", n(10.0))]),
            )]),
            "assumeRole.durationSeconds",
            "between 900 and 43200",
        ),
        (obj(&[("regoin", "us-east-1".into())]), "regoin", "not a configuration key"),
    ]
}

#[tokio::test]
async fn every_bad_value_is_named_and_costs_no_aws_call() {
    let moto = Moto::start();
    let mut p = ProviderProcess::configured(&moto, &[]).await;
    let inputs = bad_inputs();
    let config = bad_config();
    assert!(inputs.len() + config.len() >= 60, "{} values", inputs.len() + config.len());
    moto.start_recording();
    for (news, path, words) in inputs {
        let resp = p
            .client
            .check(pulumirpc::CheckRequest {
                urn: urn("bad"),
                r#type: "awsecr:index:Repository".into(),
                news: Some(encode_struct(&news)),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner();
        assert!(
            resp.failures.iter().map(path_and_reason).any(|(p, r)| p == path && r.contains(words)),
            "{news:?}: wanted {path}: ...{words}...; got {:?}",
            resp.failures
        );
    }
    for (news, path, words) in config {
        let resp = p
            .client
            .check_config(pulumirpc::CheckRequest { news: Some(encode_struct(&news)), ..Default::default() })
            .await
            .unwrap()
            .into_inner();
        assert!(
            resp.failures.iter().map(path_and_reason).any(|(p, r)| p == path && r.contains(words)),
            "{news:?}: wanted {path}: ...{words}...; got {:?}",
            resp.failures
        );
    }
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "validation made AWS calls");
}

#[tokio::test]
async fn the_cli_shows_the_same_sentences() {
    let moto = Moto::start();
    let stack = Stack::new(&root().join("tests/e2e/yaml-bad"), &moto);
    moto.start_recording();
    stack.ok(&["config", "set", "name", "Bad_Name"]);
    let out = stack.fails(&["preview"]);
    assert!(out.contains("repositoryName") && out.contains("must be lowercase letters and digits"), "{out}");
    stack.ok(&["config", "set", "name", "good-name"]);
    stack.ok(&["config", "set", "maxImageCount", "0"]);
    let out = stack.fails(&["preview"]);
    assert!(
        out.contains("lifecyclePolicy.maxImageCount") && out.contains("must be between 1 and 10000, got 0"),
        "{out}"
    );
    stack.ok(&["config", "set", "maxImageCount", "10"]);
    stack.ok(&["config", "set", "awsecr:endpoint", "not-a-url"]);
    let out = stack.fails(&["preview"]);
    assert!(out.contains("endpoint") && out.contains("http:// or https:// URL"), "{out}");
    stack.ok(&["config", "set", "awsecr:endpoint", &moto.endpoint()]);
    stack.ok(&["config", "rm", "awsecr:secretKey"]);
    let out = stack.fails(&["preview"]);
    assert!(out.contains("secretKey") && out.contains("static credentials need both keys"), "{out}");
    assert_eq!(moto.stop_recording(), Vec::<String>::new(), "bad input made AWS calls");
}
