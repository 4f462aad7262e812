//! Microbenchmarks of the Repository resource's pure steps for a typical
//! repository: Check (validation, defaults), parsing checked inputs into
//! `RepositoryArgs`, and Diff against the stored outputs.
//!
//! `cargo bench --bench repository`; bench/run.sh summarizes the results in
//! docs/performance.md.

mod fixtures;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pulumi_resource_awsecr::property::Map;
use pulumi_resource_awsecr::resources::repository::args;
use pulumi_resource_awsecr::resources::repository::diff::diff;

fn repository(c: &mut Criterion) {
    let config = fixtures::config();
    let news = fixtures::news();
    let naming = fixtures::naming();
    let olds = Map::new();
    let checked = fixtures::checked();
    let outputs = fixtures::outputs();
    let changed = fixtures::checked_with_new_tag();
    assert!(!diff(&outputs, &checked, &[], &config).has_changes(), "the fixture diffs clean");
    assert!(diff(&outputs, &changed, &[], &config).has_changes(), "the edited fixture diffs");

    c.bench_function("Check", |b| {
        b.iter(|| args::check(black_box(&news), black_box(&olds), black_box(&naming), black_box(&config)))
    });
    c.bench_function("parse checked inputs", |b| b.iter(|| args::parse(black_box(&checked), black_box(&config))));
    c.bench_function("Diff, no change", |b| {
        b.iter(|| diff(black_box(&outputs), black_box(&checked), black_box(&[]), black_box(&config)))
    });
    c.bench_function("Diff, one tag changed", |b| {
        b.iter(|| diff(black_box(&outputs), black_box(&changed), black_box(&[]), black_box(&config)))
    });
}

criterion_group!(benches, repository);
criterion_main!(benches);
