//! `awsecr:index:AccountSetting` (issue 26, point 1), over gRPC against the
//! real provider binary and the local ECR: create puts only what differs
//! and records the value found; refresh shows a change by hand as drift
//! with a warning; update is one put; import by id or by name alone gives
//! no diff; delete puts back the value found before (not AWS's default);
//! taking over a value set outside the stack is refused unless `adopt`;
//! two resources of one provider cannot own the same setting; Check names
//! the property and the allowed values.

mod common;

use common::env::Env;
use common::*;
use pulumi_resource_awsecr::property::{Map, Value};
use pulumi_resource_awsecr::proto::pulumirpc;
use pulumi_resource_awsecr::resources::account_setting::SETTINGS;
use pulumi_resource_awsecr::server::SCHEMA;
use std::collections::BTreeSet;
use tonic::Code;

const TYPE: &str = "awsecr:index:AccountSetting";

async fn env() -> Env {
    Env::with_config(Moto::start(), &[]).await.of_type(TYPE)
}

fn id(name: &str) -> String {
    format!("{ACCOUNT}/{REGION}/{name}")
}

async fn live(moto: &Moto, name: &str) -> String {
    let got = moto.ecr().await.get_account_setting().name(name).send().await.expect("GetAccountSetting by hand");
    got.value().unwrap().to_string()
}

async fn set_by_hand(moto: &Moto, name: &str, value: &str) {
    moto.ecr().await.put_account_setting().name(name).value(value).send().await.expect("PutAccountSetting by hand");
}

fn setting(name: &str, value: &str) -> Map {
    obj(&[("name", name.into()), ("value", value.into())])
}

fn text(m: &Map, k: &str) -> String {
    m[k].as_str().unwrap_or_else(|| panic!("{k} is not a string: {m:?}")).to_string()
}

#[tokio::test]
async fn create_refresh_drift_update_import_and_delete_restores() {
    let mut env = env().await;
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "DISABLED");

    // Preview makes no call.
    let inputs = env.checked("blobs", &setting("BLOB_MOUNTING", "ENABLED")).await;
    env.moto.start_recording();
    env.create("blobs", &inputs, true).await.expect("preview");
    assert!(env.moto.stop_recording().is_empty());

    // Create: a read of the setting and the registry id, then one put.
    env.moto.start_recording();
    let (rid, out) = env.create("blobs", &inputs, false).await.expect("create");
    let calls = env.moto.stop_recording();
    assert_eq!(calls, vec!["DescribeRegistry", "GetAccountSetting", "PutAccountSetting"]);
    assert_eq!(rid, id("BLOB_MOUNTING"));
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "ENABLED");
    assert_eq!(text(&out, "previousValue"), "DISABLED");
    assert_eq!(text(&out, "registryId"), ACCOUNT);
    assert_eq!(text(&out, "region"), REGION);

    // Refresh without change: one read, no warning, no diff.
    env.moto.start_recording();
    let (read_out, read_in) = env.read_found("blobs", &rid, &out, &inputs).await;
    assert_eq!(env.moto.stop_recording(), vec!["GetAccountSetting"]);
    assert!(env.warnings().is_empty(), "{:?}", env.warnings());
    assert!(env.diff("blobs", &rid, &read_out, &inputs).await.diffs.is_empty());

    // Changed by hand: refresh shows it with a warning, the diff puts it back.
    set_by_hand(&env.moto, "BLOB_MOUNTING", "DISABLED").await;
    let (drifted_out, drifted_in) = env.read_found("blobs", &rid, &read_out, &read_in).await;
    assert_eq!(text(&drifted_in, "value"), "DISABLED");
    assert_eq!(text(&drifted_out, "previousValue"), "DISABLED", "kept from the state");
    assert!(
        env.warnings().iter().any(|w| w.contains("BLOB_MOUNTING") && w.contains("changed outside Pulumi")),
        "{:?}",
        env.warnings()
    );
    let d = env.diff("blobs", &rid, &drifted_out, &inputs).await;
    assert_eq!(d.diffs, vec!["value"]);
    assert!(d.replaces.is_empty());
    env.moto.start_recording();
    let state = env.updated("blobs", &rid, &drifted_out, &inputs, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutAccountSetting"]);
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "ENABLED");
    assert_eq!(text(&state, "previousValue"), "DISABLED");

    // A change of the name replaces.
    let other = env.checked("blobs", &setting("REGISTRY_POLICY_SCOPE", "V2")).await;
    let before = env.warnings().len();
    assert_eq!(env.diff("blobs", &rid, &state, &other).await.replaces, vec!["name"]);
    let warnings = env.warnings();
    assert!(
        warnings[before..].iter().any(|w| w.contains("BLOB_MOUNTING back to DISABLED")),
        "the reset is shown at preview: {warnings:?}"
    );

    // Import by id and by the name alone: no diff against the declaration.
    for import_id in [id("BLOB_MOUNTING"), "BLOB_MOUNTING".to_string()] {
        let r = env.read("blobs", &import_id, &Map::new(), &Map::new()).await;
        assert_eq!(r.id, id("BLOB_MOUNTING"), "the full id, whichever was given");
        let (imported_out, imported_in) = (decode(&r.properties), decode(&r.inputs));
        let checked = env.checked("blobs", &imported_in).await;
        let d = env.diff("blobs", &id("BLOB_MOUNTING"), &imported_out, &checked).await;
        assert_eq!(d.changes, pulumirpc::diff_response::DiffChanges::DiffNone as i32, "{:?}", d.diffs);
        let d = env.diff("blobs", &id("BLOB_MOUNTING"), &imported_out, &inputs).await;
        assert!(d.diffs.is_empty(), "{import_id}: {:?}", d.diffs);
        assert_eq!(text(&imported_out, "registryId"), ACCOUNT);
    }

    // Delete puts back the value found before this stack owned it.
    env.moto.start_recording();
    env.delete("blobs", &rid, &state).await.expect("delete");
    assert_eq!(env.moto.stop_recording(), vec!["PutAccountSetting"]);
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "DISABLED");
}

#[tokio::test]
async fn delete_restores_the_previous_value_not_the_default_and_an_equal_value_is_not_put() {
    let mut env = env().await;
    // V1 was set before, and adopted: V1 is what delete puts back, not V2.
    set_by_hand(&env.moto, "REGISTRY_POLICY_SCOPE", "V1").await;
    let mut decl = setting("REGISTRY_POLICY_SCOPE", "V2");
    decl.insert("adopt".into(), Value::Bool(true));
    let inputs = env.checked("scope", &decl).await;
    let (rid, out) = env.create("scope", &inputs, false).await.expect("adopt");
    assert_eq!(text(&out, "previousValue"), "V1");
    assert_eq!(live(&env.moto, "REGISTRY_POLICY_SCOPE").await, "V2");
    // Update back and forth: one put each.
    let v1 = env
        .checked("scope", &{
            let mut m = setting("REGISTRY_POLICY_SCOPE", "V1");
            m.insert("adopt".into(), Value::Bool(true));
            m
        })
        .await;
    env.moto.start_recording();
    let state = env.updated("scope", &rid, &out, &v1, false).await;
    assert_eq!(env.moto.stop_recording(), vec!["PutAccountSetting"]);
    assert_eq!(live(&env.moto, "REGISTRY_POLICY_SCOPE").await, "V1");
    let state = env.updated("scope", &rid, &state, &inputs, false).await;
    assert_eq!(text(&state, "previousValue"), "V1");
    env.delete("scope", &rid, &state).await.expect("delete");
    assert_eq!(live(&env.moto, "REGISTRY_POLICY_SCOPE").await, "V1", "the value found, not AWS's V2");

    // BASIC_SCAN_TYPE_VERSION without a value: AWS_NATIVE, already there,
    // so no put.
    let inputs = env.checked("scan", &obj(&[("name", "BASIC_SCAN_TYPE_VERSION".into())])).await;
    assert_eq!(text(&inputs, "value"), "AWS_NATIVE");
    env.moto.start_recording();
    let (_, out) = env.create("scan", &inputs, false).await.expect("create");
    let calls = env.moto.stop_recording();
    assert_eq!(calls, vec!["DescribeRegistry", "GetAccountSetting"]);
    assert_eq!(text(&out, "previousValue"), "AWS_NATIVE");

    // A value given as a secret stays secret in the outputs.
    let secret = obj(&[("name", "BASIC_SCAN_TYPE_VERSION".into()), ("value", Value::from("AWS_NATIVE").into_secret())]);
    let inputs = env.checked("scan", &secret).await;
    let (_, out) = env.create("scan", &inputs, false).await.expect("create");
    assert!(matches!(out["value"], Value::Secret(_)), "{out:?}");
}

#[tokio::test]
async fn taking_over_a_value_set_outside_is_refused_unless_adopt() {
    let mut env = env().await;
    set_by_hand(&env.moto, "BLOB_MOUNTING", "ENABLED").await;
    let inputs = env.checked("blobs", &setting("BLOB_MOUNTING", "DISABLED")).await;
    env.moto.start_recording();
    let err = env.create("blobs", &inputs, false).await.expect_err("a value set outside");
    let calls = env.moto.stop_recording();
    assert_eq!(calls, vec!["DescribeRegistry", "GetAccountSetting"], "refused before any write");
    assert_eq!(err.code(), Code::FailedPrecondition);
    let msg = err.message();
    assert!(msg.contains("BLOB_MOUNTING") && msg.contains("is already ENABLED"), "{msg}");
    let command = format!("pulumi import {TYPE} blobs {}", id("BLOB_MOUNTING"));
    assert!(msg.contains(&command) && msg.contains("adopt: true"), "{msg}");
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "ENABLED", "left as found");

    // The advice works: the import command's read gives no diff with value ENABLED.
    let (imported_out, imported_in) = env.read_found("blobs", &id("BLOB_MOUNTING"), &Map::new(), &Map::new()).await;
    assert_eq!(text(&imported_in, "value"), "ENABLED");
    let declared = env.checked("blobs", &setting("BLOB_MOUNTING", "ENABLED")).await;
    assert!(env.diff("blobs", &id("BLOB_MOUNTING"), &imported_out, &declared).await.diffs.is_empty());

    // The same value as declared is no take-over (and needs no put).
    env.moto.start_recording();
    let (_, out) = env.create("blobs", &declared, false).await.expect("already as declared");
    assert!(!env.moto.stop_recording().contains(&"PutAccountSetting".to_string()));
    assert_eq!(text(&out, "previousValue"), "ENABLED");

    // adopt: replaced, and the value found recorded.
    let mut decl = setting("BLOB_MOUNTING", "DISABLED");
    decl.insert("adopt".into(), Value::Bool(true));
    let adopted = env.checked("blobs", &decl).await;
    let (_, out) = env.create("blobs", &adopted, false).await.expect("adopt");
    assert_eq!(live(&env.moto, "BLOB_MOUNTING").await, "DISABLED");
    assert_eq!(text(&out, "previousValue"), "ENABLED");
}

#[tokio::test]
async fn one_owner_per_setting_and_check_names_property_and_values() {
    let mut env = env().await;
    env.checked("first", &setting("BLOB_MOUNTING", "ENABLED")).await;
    let (_, failures) = env.check("second", &setting("BLOB_MOUNTING", "DISABLED"), &Map::new()).await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].property, "name");
    assert!(failures[0].reason.contains("BLOB_MOUNTING") && failures[0].reason.contains("\"first\""), "{failures:?}");
    // Another setting is another owner's to declare.
    env.checked("second", &setting("REGISTRY_POLICY_SCOPE", "V2")).await;

    let cases: &[(Map, &str, &str)] = &[
        (setting("BLOB_MOUNTING", "ON"), "value", "must be one of ENABLED, DISABLED for BLOB_MOUNTING"),
        (setting("REGISTRY_POLICY_SCOPE", "V3"), "value", "must be one of V1, V2 for REGISTRY_POLICY_SCOPE"),
        (setting("BASIC_SCAN_TYPE_VERSION", "CLAIR"), "value", "must be one of AWS_NATIVE"),
        (obj(&[("name", "BLOB_MOUNTING".into())]), "value", "is required for BLOB_MOUNTING: one of ENABLED, DISABLED"),
        (
            setting("NO_SUCH", "V2"),
            "name",
            "must be one of BASIC_SCAN_TYPE_VERSION, REGISTRY_POLICY_SCOPE, BLOB_MOUNTING",
        ),
        (obj(&[("value", "V2".into())]), "name", "is required"),
    ];
    for (news, property, reason) in cases {
        let (_, failures) = env.check("bad", news, &Map::new()).await;
        assert!(
            // An absent input's failure names no property: its path leads the reason.
            failures.iter().any(|f| (f.property == *property && f.reason.contains(reason))
                || (f.property.is_empty() && f.reason.starts_with(&format!("{property}: {reason}")))),
            "{news:?}: {failures:?}"
        );
    }

    // An import id of another region is refused, naming both.
    let err = env
        .try_read("x", "123456789012/eu-central-1/BLOB_MOUNTING", &Map::new(), &Map::new())
        .await
        .expect_err("another region");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("eu-central-1") && err.message().contains(REGION), "{}", err.message());
    let err = env
        .try_read("x", &format!("210987654321/{REGION}/BLOB_MOUNTING"), &Map::new(), &Map::new())
        .await
        .expect_err("another account");
    assert_eq!(err.code(), Code::InvalidArgument);
    assert!(err.message().contains("210987654321") && err.message().contains(ACCOUNT), "{}", err.message());
    let err = env.try_read("x", "SOMETHING", &Map::new(), &Map::new()).await.expect_err("no such setting");
    assert!(err.message().contains("<registryId>/<region>/<NAME>"), "{}", err.message());
}

/// The settings of the ECR model the tests run with (botocore has no enum
/// for them: the names and values are in the documentation of
/// PutAccountSetting's members) are the provider's table and schema.json's
/// enum: a setting or value AWS adds fails here.
#[test]
fn the_settings_are_the_models() {
    let out = std::process::Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import re, botocore.session; m = botocore.session.get_session().get_service_model('ecr'); \
             s = m.operation_model('PutAccountSetting').input_shape.members; \
             print(' '.join(re.findall('<code>([A-Z0-9_]+)</code>', s['name'].documentation))); \
             print(' '.join(re.findall('<code>([A-Z0-9_]+)</code>', s['value'].documentation)))",
        ])
        .output()
        .expect("run the venv's python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines().map(|l| l.split(' ').map(str::to_string).collect::<BTreeSet<String>>());
    let (model_names, model_values) = (lines.next().unwrap(), lines.next().unwrap());
    let names: BTreeSet<String> = SETTINGS.iter().map(|(n, _, _)| n.to_string()).collect();
    assert_eq!(names, model_names, "the provider's SETTINGS and botocore's PutAccountSetting name");
    // Every value the model names is taken (V1 is on the API reference's
    // GetAccountSetting page only, so the table may have more).
    let values: BTreeSet<String> = SETTINGS.iter().flat_map(|(_, v, _)| v.iter().map(|s| s.to_string())).collect();
    assert!(model_values.is_subset(&values), "{model_values:?} not all in {values:?}");
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let enum_values: BTreeSet<String> = schema["types"]["awsecr:index:AccountSettingName"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(enum_values, model_names, "schema.json's AccountSettingName and botocore's");
}
