//! Compiles our own wire definitions in `proto/` with tonic, using the protoc
//! binary shipped in the `protoc-bin-vendored` crate (never one on the machine).
//! The compiled FileDescriptorSet is kept for the wire-compatibility test.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let include = protoc_bin_vendored::include_path()?;
    // SAFETY: build scripts are single-threaded; prost-build reads PROTOC.
    unsafe { std::env::set_var("PROTOC", protoc) };
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .file_descriptor_set_path(out.join("pulumirpc_descriptor.bin"))
        .compile_protos(
            &[PathBuf::from("proto/pulumi/provider.proto"), PathBuf::from("proto/pulumi/engine.proto")],
            &[PathBuf::from("proto"), include],
        )?;
    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
