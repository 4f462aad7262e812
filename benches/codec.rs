//! Microbenchmarks of the value codec (`property`): a Check request's inputs
//! decoded from a protobuf Struct, and a repository's outputs encoded into
//! one and decoded back (what every Diff, Update and Read receives).
//!
//! `cargo bench --bench codec`; bench/run.sh summarizes the results in
//! docs/performance.md.

mod fixtures;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pulumi_resource_awsecr::property::{Value, decode_struct, encode_struct};

fn codec(c: &mut Criterion) {
    let news = fixtures::news_struct();
    let outputs = fixtures::outputs();
    let outputs_struct = fixtures::outputs_struct();
    let mut secret_outputs = outputs.clone();
    if let Some(tags) = secret_outputs.remove("tags") {
        secret_outputs.insert("tags".into(), Value::Secret(Box::new(tags)));
    }

    c.bench_function("decode Check inputs", |b| b.iter(|| decode_struct(black_box(&news))));
    c.bench_function("decode stored outputs", |b| b.iter(|| decode_struct(black_box(&outputs_struct))));
    c.bench_function("encode outputs", |b| b.iter(|| encode_struct(black_box(&outputs))));
    c.bench_function("encode outputs with a secret", |b| b.iter(|| encode_struct(black_box(&secret_outputs))));
}

criterion_group!(benches, codec);
criterion_main!(benches);
