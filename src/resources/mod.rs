//! The resources the provider serves: one folder each, and the one list the
//! server looks a type token up in. Adding a resource is a folder
//! implementing [`Resource`] and one line here.

pub mod repository;

use crate::resource::Resource;

/// Every resource this provider serves.
pub static RESOURCES: &[&dyn Resource] = &[&repository::RepositoryResource];

/// The resource of a type token.
pub fn find(token: &str) -> Option<&'static dyn Resource> {
    RESOURCES.iter().copied().find(|r| r.token() == token)
}

/// The type tokens served, for messages.
pub fn tokens() -> Vec<&'static str> {
    RESOURCES.iter().map(|r| r.token()).collect()
}
