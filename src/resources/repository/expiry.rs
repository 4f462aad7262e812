//! What a change of a repository's lifecycle rules would expire, told at
//! preview (principle 12): ECR's own lifecycle policy preview
//! (`StartLifecyclePolicyPreview`, then `GetLifecyclePolicyPreview` until it
//! completes, bounded by `lifecyclePreviewTimeout`) run on the new rules, and
//! one warning on the resource: how many images would expire and how many be
//! archived, with a few of their tags, or that none would; first, a change
//! that would leave no image to pull and images with a tag of the provider's
//! `protectedTags`. These are the only AWS calls a preview makes; a timeout
//! or a refusal (say, no `ecr:StartLifecyclePolicyPreview`) is a one-line
//! note, never a failure.
//!
//! "No image left to pull" needs the number of images in standard storage,
//! which the preview of the new rules does not give: a second preview, of a
//! rule that keeps only the newest image, counts them (its expiries plus
//! one). It runs only when the new rules would expire or archive images.

use std::time::Duration;

use aws_sdk_ecr::types::{ImageActionType, LifecyclePolicyPreviewStatus, LifecyclePolicyStorageClass};
use tokio::time::Instant;

use crate::call::{Ctx, aws};
use crate::error::Subject;
use crate::validate::redact_text;

/// How many tags the warning names.
const TAGS_SHOWN: usize = 5;

/// A policy that expires every image in standard storage but the newest:
/// its expiries, plus one, count them.
const COUNT_POLICY: &str = r#"{"rules":[{"rulePriority":1,"description":"awsecr: count the images (preview only)","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;

/// One image the new rules would act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub tags: Vec<String>,
    /// Expired (else archived).
    pub expire: bool,
    pub rule: i32,
    /// In standard storage now (else already archived).
    pub standard: bool,
}

/// Runs the preview of `text` on repository `name` and tells the user what it
/// found (a warning) or why it could not (a note), never quoting one of
/// `secrets` (the resource's secret input values). Off when
/// `lifecyclePreviewTimeout` is 0.
pub async fn tell(ctx: &Ctx<'_>, name: &str, registry_id: Option<&str>, text: &str, secrets: &[String]) {
    let Some(limit) = ctx.config.lifecycle_preview() else { return };
    let deadline = Instant::now() + limit;
    let said = |text: String| redact_text(&text, secrets);
    let affected = match preview(ctx, name, registry_id, text, deadline).await {
        Ok(affected) => affected,
        Err(note) => return ctx.note(said(note)).await,
    };
    let pullable_now = if affected.iter().any(|a| a.standard) {
        match preview(ctx, name, registry_id, COUNT_POLICY, deadline).await {
            Ok(others) => Some(others.len() + 1),
            Err(note) => {
                ctx.note(said(note)).await;
                None
            }
        }
    } else {
        None
    };
    ctx.warn(said(message(name, &affected, pullable_now, &ctx.config.protected_tags))).await;
}

/// One preview: started, then read until complete (every page), or a note
/// saying why not.
async fn preview(
    ctx: &Ctx<'_>,
    name: &str,
    registry_id: Option<&str>,
    text: &str,
    deadline: Instant,
) -> Result<Vec<Affected>, String> {
    let subject = Subject::Repository(name);
    let cannot = |why: String| {
        format!("could not preview what the new lifecycle rules of repository \"{name}\" would expire: {why}")
    };
    let action = "ecr:StartLifecyclePolicyPreview";
    let start = ctx
        .client
        .start_lifecycle_policy_preview()
        .repository_name(name)
        .set_registry_id(registry_id.map(str::to_string))
        .lifecycle_policy_text(text);
    match ctx.read(action, subject, bounded(deadline, start.send())).await {
        Err(e) => return Err(cannot(e.to_string())),
        Ok(None) => return Err(timed_out(name, ctx)),
        Ok(Some(Err(e))) => return Err(cannot(aws(ctx, action, subject, &e).to_string())),
        Ok(Some(Ok(_))) => {}
    }
    let action = "ecr:GetLifecyclePolicyPreview";
    let mut wait = Duration::from_millis(200);
    loop {
        let mut affected = Vec::new();
        let get = ctx
            .client
            .get_lifecycle_policy_preview()
            .repository_name(name)
            .set_registry_id(registry_id.map(str::to_string));
        let mut pages = get.into_paginator().send();
        loop {
            let page = match ctx.read(action, subject, bounded(deadline, pages.next())).await {
                Err(e) => return Err(cannot(e.to_string())),
                Ok(None) => return Err(timed_out(name, ctx)),
                Ok(Some(None)) => return Ok(affected),
                Ok(Some(Some(Err(e)))) => return Err(cannot(aws(ctx, action, subject, &e).to_string())),
                Ok(Some(Some(Ok(page)))) => page,
            };
            match page.status() {
                Some(LifecyclePolicyPreviewStatus::Complete) => {}
                Some(LifecyclePolicyPreviewStatus::InProgress) | None => break,
                Some(other) => return Err(cannot(format!("ECR's preview ended {}", other.as_str()))),
            }
            affected.extend(page.preview_results().iter().map(|r| Affected {
                tags: r.image_tags().to_vec(),
                expire: r.action().and_then(|a| a.r#type()) != Some(&ImageActionType::Transition),
                rule: r.applied_rule_priority().unwrap_or_default(),
                standard: r.storage_class() != Some(&LifecyclePolicyStorageClass::Archive),
            }));
        }
        if Instant::now() + wait > deadline {
            return Err(timed_out(name, ctx));
        }
        ctx.pause(action, subject, wait).await.map_err(|e| cannot(e.to_string()))?;
        wait = (wait * 2).min(Duration::from_secs(2));
    }
}

/// A call cut short at `deadline` (`None`).
async fn bounded<T>(deadline: Instant, call: impl Future<Output = T>) -> Option<T> {
    tokio::time::timeout_at(deadline, call).await.ok()
}

fn timed_out(name: &str, ctx: &Ctx<'_>) -> String {
    let seconds = ctx.config.lifecycle_preview().map(|d| d.as_secs()).unwrap_or_default();
    format!(
        "ECR's lifecycle preview of repository \"{name}\" did not complete within {seconds} seconds, so what the new rules would expire is not shown (awsecr:lifecyclePreviewTimeout sets the wait, 0 turns the preview off)"
    )
}

/// Whether `tag` matches a `protectedTags` pattern (`*` any run of characters).
fn matches(pattern: &str, tag: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return tag == pattern;
    }
    if !tag.starts_with(first) || tag.len() < first.len() + last.len() || !tag.ends_with(last) {
        return false;
    }
    let mut rest = &tag[first.len()..tag.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn images(n: usize) -> String {
    if n == 1 { "1 image".into() } else { format!("{n} images") }
}

/// The warning: what would leave no image to pull and protected images
/// first, then the counts with a few tags.
pub fn message(name: &str, affected: &[Affected], pullable_now: Option<usize>, protected: &[String]) -> String {
    let head = format!("lifecycle change of repository \"{name}\" (ECR's lifecycle preview)");
    if affected.is_empty() {
        return format!("{head}: no image would expire or be archived");
    }
    let mut first = Vec::new();
    let leaving = affected.iter().filter(|a| a.standard).count();
    if pullable_now == Some(leaving) && leaving > 0 {
        let mut rules: Vec<i32> = affected.iter().filter(|a| a.standard).map(|a| a.rule).collect();
        rules.sort_unstable();
        rules.dedup();
        first.push(match rules.as_slice() {
            [rule] => format!("rule {rule} would expire or archive every image that can be pulled now ({leaving})"),
            _ => format!("the new rules would expire or archive every image that can be pulled now ({leaving})"),
        });
    }
    let hit: Vec<String> = affected
        .iter()
        .flat_map(|a| {
            a.tags
                .iter()
                .filter(|t| protected.iter().any(|p| matches(p, t)))
                .map(move |t| format!("{t} ({}, rule {})", if a.expire { "expire" } else { "archive" }, a.rule))
        })
        .collect();
    if !hit.is_empty() {
        first.push(format!("images with a protected tag (awsecr:protectedTags) would go: {}", hit.join(", ")));
    }
    let expiring = affected.iter().filter(|a| a.expire).count();
    let archived = affected.len() - expiring;
    let mut counts = format!("{} would expire, {archived} would be archived", images(expiring));
    let tags: Vec<&str> = affected.iter().flat_map(|a| a.tags.iter().map(String::as_str)).collect();
    let untagged = affected.iter().filter(|a| a.tags.is_empty()).count();
    let mut shown: Vec<String> = tags.iter().take(TAGS_SHOWN).map(|t| t.to_string()).collect();
    if tags.len() > TAGS_SHOWN {
        shown.push(format!("and {} more", tags.len() - TAGS_SHOWN));
    }
    if untagged > 0 {
        shown.push(format!("{} untagged", images(untagged)));
    }
    counts.push_str(&format!(" (tags: {})", shown.join(", ")));
    first.push(counts);
    format!("{head}: {}", first.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(tags: &[&str], expire: bool, rule: i32) -> Affected {
        Affected { tags: tags.iter().map(|t| t.to_string()).collect(), expire, rule, standard: true }
    }

    #[test]
    fn nothing_to_expire() {
        assert_eq!(
            message("api", &[], None, &[]),
            "lifecycle change of repository \"api\" (ECR's lifecycle preview): no image would expire or be archived"
        );
    }

    #[test]
    fn counts_and_a_few_tags() {
        let affected = [
            image(&["v1", "release-1"], true, 2),
            image(&[], true, 1),
            image(&["v2"], false, 3),
            image(&["v3", "v4", "v5"], true, 2),
        ];
        assert_eq!(
            message("api", &affected, Some(9), &[]),
            "lifecycle change of repository \"api\" (ECR's lifecycle preview): 3 images would expire, 1 would be archived (tags: v1, release-1, v2, v3, v4, and 1 more, 1 image untagged)"
        );
    }

    #[test]
    fn every_image_and_protected_tags_come_first() {
        let affected = [image(&["latest"], true, 3), image(&["v1"], true, 3), image(&[], true, 3)];
        let text = message("api", &affected, Some(3), &["lat*".into(), "prod".into()]);
        assert_eq!(
            text,
            "lifecycle change of repository \"api\" (ECR's lifecycle preview): rule 3 would expire or archive every image that can be pulled now (3); images with a protected tag (awsecr:protectedTags) would go: latest (expire, rule 3); 3 images would expire, 0 would be archived (tags: latest, v1, 1 image untagged)"
        );
        // One image left: not every image.
        assert!(!message("api", &affected, Some(4), &[]).contains("every image"));
        // Two rules together.
        let two = [image(&["a"], true, 1), image(&["b"], false, 2)];
        assert!(message("api", &two, Some(2), &[]).contains("the new rules would expire or archive every image"));
    }

    #[test]
    fn protected_patterns() {
        for (pattern, tag, hit) in [
            ("latest", "latest", true),
            ("latest", "latest-1", false),
            ("prod-*", "prod-1", true),
            ("prod-*", "prod", false),
            ("*-stable", "v1-stable", true),
            ("v*-*", "v1-rc", true),
            ("v*-*", "v1", false),
            ("*", "anything", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "acb", false),
        ] {
            assert_eq!(matches(pattern, tag), hit, "{pattern} {tag}");
        }
    }
}
