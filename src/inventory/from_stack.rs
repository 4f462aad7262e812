//! `inventory --from-stack <export.json>`: the ECR objects a pulumi-aws stack
//! manages (read from `pulumi stack export`), as an import file of this
//! package's types plus the `pulumi state delete` commands that drop the old
//! entries. Work in progress (issue 28, point 3).

use std::process::ExitCode;

/// Entry point for `inventory ... --from-stack FILE ...`.
pub async fn main(_args: &[String]) -> ExitCode {
    eprintln!("pulumi-resource-awsecr inventory --from-stack: not built yet (issue 28)");
    ExitCode::FAILURE
}
