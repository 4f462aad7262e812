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
    ResourceType {
        token: repository::TOKEN,
        properties: repository::PROPERTIES,
        handler: &repository::RepositoryResource,
    },
    ResourceType { token: registry::TOKEN, properties: registry::PROPERTIES, handler: &registry::RegistryResource },
    ResourceType {
        token: pull_through_cache_rule::TOKEN,
        properties: pull_through_cache_rule::PROPERTIES,
        handler: &pull_through_cache_rule::PullThroughCacheRuleResource,
    },
    ResourceType {
        token: repository_template::TOKEN,
        properties: repository_template::PROPERTIES,
        handler: &repository_template::RepositoryTemplateResource,
    },
    ResourceType {
        token: account_setting::TOKEN,
        properties: account_setting::PROPERTIES,
        handler: &account_setting::AccountSettingResource,
    },
    ResourceType {
        token: pull_time_exclusion::TOKEN,
        properties: pull_time_exclusion::PROPERTIES,
        handler: &pull_time_exclusion::PullTimeUpdateExclusionResource,
    },
];

/// The resource of a type token.
pub fn find(token: &str) -> Option<&'static ResourceType> {
    RESOURCES.iter().find(|r| r.token == token)
}

/// The type tokens served, for messages.
pub fn tokens() -> Vec<&'static str> {
    RESOURCES.iter().map(|r| r.token).collect()
}
