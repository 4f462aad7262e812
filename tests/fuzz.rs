//! Arbitrary input never panics: random Struct values (shaped like our inputs
//! often enough to get past the first checks) go through decoding, Check,
//! parsing, Diff and provider configuration checks.
//!
//! Runs 1,000 cases in the test suite; the fuzz run of the reliability work
//! uses `AWSECR_FUZZ_CASES=100000 cargo test --release --test fuzz`.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use prost_types::value::Kind;
use pulumi_resource_awsecr::config::{self, CONFIG_KEYS, ProviderConfig};
use pulumi_resource_awsecr::naming::NamingContext;
use pulumi_resource_awsecr::property::{self, SIG_KEY, SIG_OUTPUT, SIG_SECRET, UNKNOWN};
use pulumi_resource_awsecr::resource::inputs;
use pulumi_resource_awsecr::resources::repository::{PROPERTIES, args, diff};

fn cases() -> u32 {
    std::env::var("AWSECR_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn kind(k: Kind) -> prost_types::Value {
    prost_types::Value { kind: Some(k) }
}

fn key() -> impl Strategy<Value = String> {
    let known: Vec<String> = inputs(PROPERTIES)
        .iter()
        .chain(CONFIG_KEYS)
        .chain(&["expireUntaggedAfterDays", "maxImageCount", "roleArn", "durationSeconds", "__defaults", "value"])
        .map(|s| s.to_string())
        .collect();
    prop_oneof![3 => prop::sample::select(known), 1 => ".{0,6}", 1 => Just(SIG_KEY.to_string())]
}

fn value() -> impl Strategy<Value = prost_types::Value> {
    let leaf = prop_oneof![
        Just(kind(Kind::NullValue(0))),
        any::<bool>().prop_map(|b| kind(Kind::BoolValue(b))),
        prop_oneof![any::<f64>(), -5.0..20000.0f64, Just(1.5), Just(f64::NAN), Just(1e300)]
            .prop_map(|n| kind(Kind::NumberValue(n))),
        prop_oneof![
            ".{0,12}".boxed(),
            "[a-z0-9./_-]{0,300}".boxed(),
            Just(UNKNOWN.to_string()).boxed(),
            Just(SIG_SECRET.to_string()).boxed(),
            Just(SIG_OUTPUT.to_string()).boxed(),
            Just("KMS".to_string()).boxed(),
            Just("AES256".to_string()).boxed(),
            Just("arn:aws:iam::123456789012:role/x".to_string()).boxed(),
            Just("{\"roleArn\": 5}".to_string()).boxed(),
        ]
        .prop_map(|s| kind(Kind::StringValue(s))),
        Just(prost_types::Value { kind: None }),
    ];
    leaf.prop_recursive(3, 40, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8)
                .prop_map(|values| kind(Kind::ListValue(prost_types::ListValue { values }))),
            prop::collection::btree_map(key(), inner, 0..8)
                .prop_map(|fields| kind(Kind::StructValue(prost_types::Struct { fields }))),
        ]
    })
}

fn input_struct() -> impl Strategy<Value = prost_types::Struct> {
    prop::collection::btree_map(key(), value(), 0..12).prop_map(|fields| prost_types::Struct { fields })
}

#[test]
fn arbitrary_structs_never_panic() {
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let strategy = (input_struct(), input_struct(), input_struct(), prop::collection::vec(any::<u8>(), 0..8));
    runner
        .run(&strategy, |(news, olds, cfg, seed)| {
            let news = property::decode_struct(&news);
            let olds = property::decode_struct(&olds);
            let cfg = property::decode_struct(&cfg);
            let (checked_cfg, _) = config::check_config(&cfg);
            let provider = ProviderConfig::parse(&checked_cfg).unwrap_or_default();
            let _ = config::diff_config(&olds, &cfg);
            let naming = NamingContext { resource_name: "fuzz".into(), random_seed: seed, autonaming: None };
            let (checked, failures) = args::check(&news, &olds, &naming, &provider);
            // Whatever Check accepted parses, unless something is unknown.
            let (parsed, again) = args::parse(&checked, &provider);
            prop_assert_eq!(failures.is_empty(), again.is_empty());
            if let Some(a) = parsed {
                prop_assert_eq!(args::name_problem(&a.repository_name), None);
            }
            let _ = diff::diff(&olds, &checked, &["tags".to_string(), "x[\"y".to_string()], &provider);
            // And everything we would send back encodes and decodes.
            let round = property::decode_struct(&property::encode_struct(&checked));
            prop_assert_eq!(round.len(), checked.len());
            Ok(())
        })
        .unwrap();
}
