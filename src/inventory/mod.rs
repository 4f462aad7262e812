//! `pulumi-resource-awsecr inventory`: what an account and region already
//! hold, written as Pulumi's bulk import file (`pulumi import --file`), with
//! a report of how each repository differs from the production defaults; or,
//! with `--from-stack`, the same for the ECR objects a pulumi-aws stack
//! manages. Never writes to ECR.
//!
//! Work in progress (issue 28): the listing and report live here, the
//! pulumi-aws migration in `from_stack`.

pub mod from_stack;

use std::collections::BTreeSet;
use std::process::ExitCode;

/// One entry of the import file: a resource of this package to adopt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportEntry {
    /// The type token, e.g. `awsecr:index:Repository`.
    pub type_token: String,
    /// The logical name the generated program will use.
    pub name: String,
    /// The import id the resource's Read takes.
    pub id: String,
}

/// Pulumi's bulk import file for these entries
/// (`{"resources": [{"type", "name", "id"}]}`).
pub fn import_file(entries: &[ImportEntry]) -> serde_json::Value {
    let resources: Vec<serde_json::Value> =
        entries.iter().map(|e| serde_json::json!({"type": e.type_token, "name": e.name, "id": e.id})).collect();
    serde_json::json!({ "resources": resources })
}

/// A logical name from `wanted` that is not in `taken` (then taken): letters,
/// digits, `-` and `_` kept, anything else `-`; `-2`, `-3`, ... on a clash.
pub fn unique_name(wanted: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base: String =
        wanted.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if base.is_empty() {
        base.push_str("resource");
    }
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The subcommand's entry point: `args` are the words after `inventory`.
pub async fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--from-stack") {
        return from_stack::main(args).await;
    }
    eprintln!("pulumi-resource-awsecr inventory: not built yet (issue 28)");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_unique_and_readable() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique_name("team/api", &mut taken), "team-api");
        assert_eq!(unique_name("team-api", &mut taken), "team-api-2");
        assert_eq!(unique_name("", &mut taken), "resource");
        let file = import_file(&[ImportEntry {
            type_token: "awsecr:index:Repository".into(),
            name: "a".into(),
            id: "a".into(),
        }]);
        assert_eq!(file["resources"][0]["type"], "awsecr:index:Repository");
    }
}
