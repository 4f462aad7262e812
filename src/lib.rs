//! pulumi-resource-awsecr: a native Pulumi provider for Amazon ECR
//! repositories. See ARCHITECTURE.md for the map of the modules.

pub mod config;
pub mod engine;
pub mod error;
pub mod functions;
pub mod log;
pub mod partition;
pub mod property;
pub mod proto;
pub mod repository;
pub mod server;
pub mod validate;
