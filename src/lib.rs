//! pulumi-resource-awsecr: a native Pulumi provider for Amazon ECR
//! repositories. See ARCHITECTURE.md for the map of the modules.

pub mod call;
pub mod config;
pub mod engine;
pub mod error;
pub mod functions;
pub mod inventory;
pub mod log;
pub mod names;
pub mod naming;
pub mod pacing;
pub mod partition;
pub mod policy;
pub mod property;
pub mod proto;
pub mod repository_settings;
pub mod resource;
pub mod resources;
pub mod server;
pub mod validate;
