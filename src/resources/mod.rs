//! The resources the provider serves: one folder each, and the one list the
//! server looks a type token up in. Adding a resource is a folder
//! implementing [`Resource`] and one line here.

pub mod account_setting;
pub mod pull_through_cache_rule;
pub mod pull_time_exclusion;
pub mod registry;
pub mod repository;
pub mod repository_template;

use crate::resource::ResourceType;

/// Every resource this provider serves.
pub static RESOURCES: &[ResourceType] = &[
    repository::RESOURCE,
    registry::RESOURCE,
    pull_through_cache_rule::RESOURCE,
    repository_template::RESOURCE,
    account_setting::RESOURCE,
    pull_time_exclusion::RESOURCE,
];

/// The resource of a type token.
pub fn find(token: &str) -> Option<&'static ResourceType> {
    RESOURCES.iter().find(|r| r.token == token)
}

/// The type tokens served, for messages.
pub fn tokens() -> Vec<&'static str> {
    RESOURCES.iter().map(|r| r.token).collect()
}
