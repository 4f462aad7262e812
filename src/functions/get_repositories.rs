//! `awsecr:index:getRepositories`: the repositories of a registry, or those
//! whose names start with a prefix, as parallel lists of names, ARNs and
//! URLs in the order ECR lists them, at most `limit` of them, and whether
//! more matched.
//!
//! DescribeRepositories has no filter by name prefix, so the prefix is
//! applied here to each page; paging stops as soon as one repository more
//! than `limit` has matched (that one says `truncated`), so a lookup reads
//! only the pages it needs.

use super::{limit, reader, registry_id};
use crate::call::Ctx;
use crate::error::{Result, Subject};
use crate::names::*;
use crate::property::{Map, Value};
use crate::validate::{Failure, Field};

pub const TOKEN: &str = "awsecr:index:getRepositories";
/// The function's arguments.
pub const ARGS: &[&str] = &[NAME_PREFIX, LIMIT, REGISTRY_ID];
/// What it returns.
pub const RESULTS: &[&str] = &[NAMES, ARNS, URLS, TRUNCATED];
/// `limit` when left out.
pub const DEFAULT_LIMIT: usize = 1000;
/// The largest `limit`: ECR's quota of repositories in a registry (its
/// service quotas page: 100,000 per Region, adjustable).
pub const MAX_LIMIT: usize = 100_000;
/// DescribeRepositories' largest page (maxResults, in ECR's model).
pub const PAGE: usize = 1000;

/// Checked arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub prefix: Option<String>,
    pub limit: usize,
    pub registry_id: Option<String>,
}

/// Checks the arguments: an optional prefix (a start of a repository name:
/// lowercase letters, digits and `._-/`), an optional limit and registry.
pub fn check(args: &Map) -> std::result::Result<Lookup, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let prefix = match r.string(NAME_PREFIX) {
        Field::Known(p) if p.is_empty() || p.len() > 256 => {
            r.fail(NAME_PREFIX, format!("must be 1 to 256 characters, got {}", p.chars().count()));
            None
        }
        Field::Known(p) if !p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-/".contains(&b)) => {
            r.fail(
                NAME_PREFIX,
                format!("must be the start of a repository name: lowercase letters, digits and . _ - /, got \"{p}\""),
            );
            None
        }
        Field::Known(p) => Some(p),
        _ => None,
    };
    let limit = limit(&mut r, DEFAULT_LIMIT, MAX_LIMIT);
    let registry_id = registry_id(&mut r);
    match limit {
        Some(limit) if r.failures.is_empty() => Ok(Lookup { prefix, limit, registry_id }),
        _ => Err(r.failures),
    }
}

/// One repository as DescribeRepositories lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub arn: String,
    pub url: String,
}

/// What the pages read so far give: up to `limit` matches, and whether one
/// more matched (then no further page is needed).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    pub repositories: Vec<Listed>,
    pub truncated: bool,
}

impl Found {
    /// Takes one page's repositories; true once no further page can change
    /// the answer.
    pub fn take(&mut self, lookup: &Lookup, page: impl IntoIterator<Item = Listed>) -> bool {
        for repository in page {
            if lookup.prefix.as_deref().is_some_and(|p| !repository.name.starts_with(p)) {
                continue;
            }
            if self.repositories.len() == lookup.limit {
                self.truncated = true;
                return true;
            }
            self.repositories.push(repository);
        }
        false
    }
}

/// The page size asked for: without a prefix, every repository listed is a
/// match, so one more than `limit` is all a lookup needs (and at most
/// ECR's largest page); with a prefix, the largest page.
pub fn page_size(lookup: &Lookup) -> usize {
    match lookup.prefix {
        None => (lookup.limit + 1).min(PAGE),
        Some(_) => PAGE,
    }
}

super::typed_function!(GetRepositories, Lookup, RESULTS.to_vec(), &[]);

/// DescribeRepositories, page after page (one round trip each, as each
/// needs the last one's token), until `limit` repositories and one more
/// have matched or the pages end.
async fn call(ctx: &Ctx<'_>, lookup: Lookup) -> Result<Map> {
    let action = "ecr:DescribeRepositories";
    let mut found = Found::default();
    let req = ctx
        .client
        .describe_repositories()
        .set_registry_id(lookup.registry_id.clone())
        .max_results(page_size(&lookup) as i32);
    let mut pages = req.into_paginator().send();
    while let Some(page) = ctx.next_page(action, Subject::Registry, pages.next()).await? {
        let listed = page.repositories().iter().map(|r| Listed {
            name: r.repository_name().unwrap_or_default().to_string(),
            arn: r.repository_arn().unwrap_or_default().to_string(),
            url: r.repository_uri().unwrap_or_default().to_string(),
        });
        if found.take(&lookup, listed) {
            break;
        }
    }
    let list =
        |f: fn(&Listed) -> &str| Value::Array(found.repositories.iter().map(|r| Value::from(f(r))).collect::<Vec<_>>());
    let mut out = Map::new();
    out.insert(NAMES.into(), list(|r| &r.name));
    out.insert(ARNS.into(), list(|r| &r.arn));
    out.insert(URLS.into(), list(|r| &r.url));
    out.insert(TRUNCATED.into(), Value::Bool(found.truncated));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::map_of as map;

    fn lookup(prefix: Option<&str>, limit: usize) -> Lookup {
        Lookup { prefix: prefix.map(str::to_string), limit, registry_id: None }
    }

    fn listed(names: &[&str]) -> Vec<Listed> {
        names.iter().map(|n| Listed { name: n.to_string(), arn: format!("arn:{n}"), url: format!("url/{n}") }).collect()
    }

    fn names(found: &Found) -> Vec<&str> {
        found.repositories.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn paging_stops_once_one_more_than_the_limit_matched() {
        let l = lookup(Some("team/"), 2);
        let mut found = Found::default();
        assert!(!found.take(&l, listed(&["other", "team/a"])), "one match: the next page is needed");
        assert!(!found.take(&l, listed(&["team/b"])), "two: whether a third exists is not known yet");
        assert!(found.take(&l, listed(&["x", "team/c", "team/d"])), "a third: done");
        assert_eq!(names(&found), vec!["team/a", "team/b"]);
        assert!(found.truncated);

        // Exactly `limit` matches and the pages end: not truncated.
        let mut found = Found::default();
        assert!(!found.take(&l, listed(&["team/a", "teamx", "team/b"])));
        assert_eq!(names(&found), vec!["team/a", "team/b"]);
        assert!(!found.truncated);
    }

    #[test]
    fn without_a_prefix_a_page_is_one_more_than_the_limit() {
        assert_eq!(page_size(&lookup(None, 5)), 6);
        assert_eq!(page_size(&lookup(None, 999)), 1000);
        assert_eq!(page_size(&lookup(None, 5000)), 1000);
        assert_eq!(page_size(&lookup(Some("a"), 5)), 1000, "with a prefix most listed may not match");
    }

    #[test]
    fn arguments_are_checked_by_name() {
        assert_eq!(check(&Map::new()), Ok(lookup(None, DEFAULT_LIMIT)));
        assert_eq!(
            check(&map(&[("namePrefix", "team/".into()), ("limit", Value::Number(10.0))])),
            Ok(lookup(Some("team/"), 10))
        );
        let cases: Vec<(Map, &str, &str)> = vec![
            (map(&[("limit", Value::Number(0.0))]), "limit", "must be between 1 and 100000, got 0"),
            (map(&[("limit", Value::Number(1.5))]), "limit", "whole number"),
            (map(&[("limit", "ten".into())]), "limit", "whole number"),
            (map(&[("namePrefix", "".into())]), "namePrefix", "1 to 256 characters"),
            (map(&[("namePrefix", "Team/".into())]), "namePrefix", "lowercase letters"),
            (map(&[("registryId", "12".into())]), "registryId", "12-digit"),
            (map(&[("prefix", "a".into())]), "prefix", "allowed: namePrefix, limit, registryId"),
            (map(&[("limit", Value::Unknown)]), "limit", "is not known yet"),
        ];
        for (args, path, words) in cases {
            let f = check(&args).unwrap_err();
            assert!(f.iter().any(|f| f.property == path && f.reason.contains(words)), "{args:?}: {f:?}");
        }
    }
}
