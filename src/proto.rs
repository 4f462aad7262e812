//! Generated protocol types (from `proto/`, compiled in build.rs).

#[allow(clippy::all, missing_docs)]
pub mod pulumirpc {
    tonic::include_proto!("pulumirpc");
}

/// Our compiled descriptors, compared with the engine's in `tests/wire_compat.rs`.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/pulumirpc_descriptor.bin"));
