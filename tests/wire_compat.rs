//! Wire compatibility: every message, field, enum value and rpc declared in
//! our `proto/` must equal the engine's own descriptors, as shipped in the
//! pinned `pulumi` package (tests/requirements.txt). A wrong field number
//! would otherwise be a silent bug. Self-contained: it needs only the venv
//! from scripts/test-venv.sh and tests/support/dump_engine_descriptors.py.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use prost::Message;
use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorSet, ServiceDescriptorProto};
use pulumi_resource_awsecr::proto::FILE_DESCRIPTOR_SET;

fn ours() -> FileDescriptorSet {
    FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("our descriptor set decodes")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The cached test venv holding the pinned `pulumi` package.
fn venv() -> PathBuf {
    let out = Command::new("bash")
        .arg(root().join("scripts/test-venv.sh"))
        .current_dir(root())
        .stderr(Stdio::inherit())
        .output()
        .expect("run scripts/test-venv.sh");
    assert!(out.status.success(), "scripts/test-venv.sh failed");
    PathBuf::from(String::from_utf8(out.stdout).expect("venv path is UTF-8").trim())
}

/// The engine's descriptors (provider, plugin, alias, engine and their imports).
fn engine() -> FileDescriptorSet {
    let out = Command::new(venv().join("bin/python"))
        .arg(root().join("tests/support/dump_engine_descriptors.py"))
        .current_dir(root())
        .output()
        .expect("run tests/support/dump_engine_descriptors.py");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    FileDescriptorSet::decode(out.stdout.as_slice()).expect("engine descriptor set decodes")
}

/// Every message (nested ones too), enum and service of package pulumirpc, by full name.
#[derive(Default)]
struct Index<'a> {
    messages: BTreeMap<String, &'a DescriptorProto>,
    enums: BTreeMap<String, &'a EnumDescriptorProto>,
    services: BTreeMap<String, &'a ServiceDescriptorProto>,
}

fn index(set: &FileDescriptorSet) -> Index<'_> {
    fn walk<'a>(ix: &mut Index<'a>, prefix: &str, m: &'a DescriptorProto) {
        let name = format!("{prefix}.{}", m.name());
        for n in &m.nested_type {
            walk(ix, &name, n);
        }
        for e in &m.enum_type {
            ix.enums.insert(format!("{name}.{}", e.name()), e);
        }
        ix.messages.insert(name, m);
    }
    let mut ix = Index::default();
    for f in set.file.iter().filter(|f| f.package() == "pulumirpc") {
        for m in &f.message_type {
            walk(&mut ix, ".pulumirpc", m);
        }
        for e in &f.enum_type {
            ix.enums.insert(format!(".pulumirpc.{}", e.name()), e);
        }
        for s in &f.service {
            ix.services.insert(format!(".pulumirpc.{}", s.name()), s);
        }
    }
    ix
}

/// A full name as people write it (`pulumirpc.CheckRequest`, no leading dot).
fn shown(full: &str) -> &str {
    full.strip_prefix('.').unwrap_or(full)
}

/// Every way in which what we declare differs from the engine, one readable
/// line each (`pulumirpc.CheckRequest.urn: number 3 != engine 1`). Only what
/// we declare is checked: the engine may have more messages, fields and values.
fn diff_descriptors(ours: &FileDescriptorSet, engine: &FileDescriptorSet) -> Vec<String> {
    let (o, e) = (index(ours), index(engine));
    let mut out = Vec::new();
    for (name, m) in &o.messages {
        let name = shown(name);
        let Some(em) = e.messages.get(&format!(".{name}")) else {
            out.push(format!("{name}: no such message in the engine"));
            continue;
        };
        for f in &m.field {
            let path = format!("{name}.{}", f.name());
            let Some(ef) = em.field.iter().find(|x| x.name() == f.name()) else {
                out.push(format!("{path}: no such field in the engine"));
                continue;
            };
            if f.number() != ef.number() {
                out.push(format!("{path}: number {} != engine {}", f.number(), ef.number()));
            }
            if f.r#type() != ef.r#type() {
                out.push(format!("{path}: type {:?} != engine {:?}", f.r#type(), ef.r#type()));
            }
            if f.type_name() != ef.type_name() {
                out.push(format!("{path}: type name {} != engine {}", f.type_name(), ef.type_name()));
            }
            if f.label() != ef.label() {
                out.push(format!("{path}: label {:?} != engine {:?}", f.label(), ef.label()));
            }
            if f.proto3_optional() != ef.proto3_optional() {
                out.push(format!("{path}: optional {} != engine {}", f.proto3_optional(), ef.proto3_optional()));
            }
            let oneof = |m: &DescriptorProto, f: &prost_types::FieldDescriptorProto| {
                f.oneof_index.map(|i| m.oneof_decl[i as usize].name().to_string())
            };
            if oneof(m, f) != oneof(em, ef) {
                out.push(format!("{path}: oneof {:?} != engine {:?}", oneof(m, f), oneof(em, ef)));
            }
        }
    }
    for (name, en) in &o.enums {
        let Some(ee) = e.enums.get(name) else {
            let name = shown(name);
            out.push(format!("{name}: no such enum in the engine"));
            continue;
        };
        let name = shown(name);
        for v in &en.value {
            match ee.value.iter().find(|x| x.name() == v.name()) {
                None => out.push(format!("{name}.{}: no such enum value in the engine", v.name())),
                Some(ev) if ev.number() != v.number() => {
                    out.push(format!("{name}.{}: value {} != engine {}", v.name(), v.number(), ev.number()))
                }
                Some(_) => {}
            }
        }
    }
    for (name, s) in &o.services {
        let Some(es) = e.services.get(name) else {
            let name = shown(name);
            out.push(format!("{name}: no such service in the engine"));
            continue;
        };
        let name = shown(name);
        for m in &s.method {
            let path = format!("{name}.{}", m.name());
            match es.method.iter().find(|x| x.name() == m.name()) {
                None => out.push(format!("{path}: no such rpc in the engine")),
                Some(em) => {
                    if (m.input_type(), m.output_type()) != (em.input_type(), em.output_type()) {
                        out.push(format!(
                            "{path}: {} -> {} != engine {} -> {}",
                            m.input_type(),
                            m.output_type(),
                            em.input_type(),
                            em.output_type()
                        ));
                    }
                    if (m.client_streaming(), m.server_streaming()) != (em.client_streaming(), em.server_streaming()) {
                        out.push(format!(
                            "{path}: streaming client {} server {} != engine client {} server {}",
                            m.client_streaming(),
                            m.server_streaming(),
                            em.client_streaming(),
                            em.server_streaming()
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn our_declarations_equal_the_engines() {
    let mismatches = diff_descriptors(&ours(), &engine());
    assert!(mismatches.is_empty(), "wire mismatches:\n{}", mismatches.join("\n"));
}

#[test]
fn the_check_catches_a_changed_field_number_and_enum_value() {
    let mut tampered = ours();
    for f in tampered.file.iter_mut().filter(|f| f.package() == "pulumirpc") {
        for m in f.message_type.iter_mut().filter(|m| m.name() == "CheckRequest") {
            let urn = m.field.iter_mut().find(|x| x.name() == "urn").unwrap();
            urn.number = Some(99);
        }
        for e in f.enum_type.iter_mut().filter(|e| e.name() == "LogSeverity") {
            let warning = e.value.iter_mut().find(|v| v.name() == "WARNING").unwrap();
            warning.number = Some(7);
        }
    }
    let mismatches = diff_descriptors(&tampered, &engine());
    assert_eq!(
        mismatches,
        vec![
            "pulumirpc.CheckRequest.urn: number 99 != engine 1".to_string(),
            "pulumirpc.LogSeverity.WARNING: value 7 != engine 2".to_string(),
        ]
    );
}

#[test]
fn every_rpc_of_the_engines_provider_service_is_declared() {
    let (o, e) = (ours(), engine());
    let (o, e) = (index(&o), index(&e));
    let names = |s: &ServiceDescriptorProto| s.method.iter().map(|m| m.name().to_string()).collect::<BTreeSet<_>>();
    let ours = names(o.services[".pulumirpc.ResourceProvider"]);
    let engine = names(e.services[".pulumirpc.ResourceProvider"]);
    assert_eq!(
        ours,
        engine,
        "missing: {:?}, unknown to the engine: {:?}",
        engine.difference(&ours).collect::<Vec<_>>(),
        ours.difference(&engine).collect::<Vec<_>>()
    );
}

#[test]
fn the_messages_we_use_are_declared_in_full() {
    // Messages and enums the provider reads or writes must not silently drop
    // fields or values. The others (Parameterize, Call, Construct, List) may.
    let (o, e) = (ours(), engine());
    let (o, e) = (index(&o), index(&e));
    let mut gaps = Vec::new();
    for name in [
        "ProviderHandshakeRequest",
        "ProviderHandshakeResponse",
        "GetSchemaRequest",
        "GetSchemaResponse",
        "ConfigureRequest",
        "ConfigureRequest.VariablesEntry",
        "ConfigureResponse",
        "CheckRequest",
        "CheckRequest.AutonamingOptions",
        "CheckResponse",
        "CheckFailure",
        "InvokeRequest",
        "InvokeResponse",
        "DiffRequest",
        "DiffResponse",
        "DiffResponse.DetailedDiffEntry",
        "PropertyDiff",
        "CreateRequest",
        "CreateResponse",
        "ReadRequest",
        "ReadResponse",
        "UpdateRequest",
        "UpdateResponse",
        "DeleteRequest",
        "View",
        "ErrorResourceInitFailed",
        "GetMappingRequest",
        "GetMappingResponse",
        "GetMappingsRequest",
        "GetMappingsResponse",
        "PluginInfo",
        "PluginAttach",
        "LogRequest",
    ] {
        let full = format!(".pulumirpc.{name}");
        let fields = |ix: &Index| -> Option<BTreeSet<String>> {
            ix.messages.get(&full).map(|m| m.field.iter().map(|f| f.name().to_string()).collect())
        };
        match (fields(&o), fields(&e)) {
            (Some(ours), Some(engine)) if ours != engine => gaps.push(format!(
                "pulumirpc.{name}: fields not declared: {:?}",
                engine.difference(&ours).collect::<Vec<_>>()
            )),
            (None, _) => gaps.push(format!("pulumirpc.{name}: not declared")),
            (_, None) => gaps.push(format!("pulumirpc.{name}: not in the engine")),
            _ => {}
        }
    }
    for name in ["CheckRequest.AutonamingOptions.Mode", "DiffResponse.DiffChanges", "PropertyDiff.Kind", "LogSeverity"]
    {
        let full = format!(".pulumirpc.{name}");
        let values = |ix: &Index| -> Option<BTreeSet<String>> {
            ix.enums.get(&full).map(|en| en.value.iter().map(|v| v.name().to_string()).collect())
        };
        if values(&o).is_none() || values(&o) != values(&e) {
            gaps.push(format!("pulumirpc.{name}: values {:?} != engine {:?}", values(&o), values(&e)));
        }
    }
    assert!(gaps.is_empty(), "declared only in part:\n{}", gaps.join("\n"));
}
