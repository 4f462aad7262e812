//! Lifecycle policy: the simple fields users set (untagged images by age,
//! any image by count, and rules for tagged images by tag prefix or pattern),
//! the ECR policy JSON generated from them, and the way back (parsing a
//! policy read from ECR). A policy that the fields cannot express is kept as
//! text and reported. Shared by every resource with a lifecycle policy.
//!
//! ECR evaluates rules from the lowest `rulePriority` up; an image is expired
//! by one rule at most, and one whose tags a rule matched is never expired by
//! a later rule; the `any` rule must come last (AWS's "Lifecycle policy
//! properties" documentation). The generated policy is therefore: the
//! untagged rule, the tagged rules in the order given, the `any` rule.
//!
//! Archive rules: a rule may move images to ECR's archive storage class
//! (`action: transition`, `targetStorageClass: archive`) after N days since
//! push (`sinceImagePushed`) or since the last pull (`sinceImagePulled`, which
//! ECR allows with a transition only: there is no "expire when unpulled"), and
//! archived images expire N days after archiving (`storageClass: archive`,
//! `sinceImageTransitioned`, N >= 90). Rules of the archive class are
//! evaluated apart from the standard ones, so the archived-image rule is
//! written last, after the `any` rule.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::names::*;
use crate::property::{Map, Value};
use crate::validate::{Field, Reader};

pub const EXPIRE_UNTAGGED_RANGE: (i64, i64) = (1, 3650);
pub const MAX_IMAGE_COUNT_RANGE: (i64, i64) = (1, 10000);
/// Days a tagged rule may keep images (the same range as untagged ones).
pub const EXPIRE_TAGGED_RANGE: (i64, i64) = (1, 3650);
/// Images a tagged rule may keep.
pub const KEEP_LAST_RANGE: (i64, i64) = (1, 10000);
/// The longest lifecycle policy ECR accepts (botocore's LifecyclePolicyText).
pub const MAX_POLICY_LENGTH: usize = 30_720;
/// Wildcards one tag pattern may hold (AWS's lifecycle policy documentation).
pub const MAX_WILDCARDS: usize = 4;
/// Days before an image may be archived (since push or last pull).
pub const ARCHIVE_RANGE: (i64, i64) = (1, 3650);
/// Days archived images stay before they expire: ECR keeps an archived
/// image at least 90 days.
pub const EXPIRE_ARCHIVED_RANGE: (i64, i64) = (90, 3650);

/// Which tagged images a rule selects: those with a tag matching each of
/// these patterns (`*` wildcards) or starting with each of these prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagSelector {
    Patterns(Vec<String>),
    Prefixes(Vec<String>),
}

impl TagSelector {
    fn list(&self) -> &[String] {
        match self {
            TagSelector::Patterns(l) | TagSelector::Prefixes(l) => l,
        }
    }

    /// The same selection, order aside.
    fn same_as(&self, other: &TagSelector) -> bool {
        let set = |l: &[String]| l.iter().cloned().collect::<BTreeSet<_>>();
        std::mem::discriminant(self) == std::mem::discriminant(other) && set(self.list()) == set(other.list())
    }
}

/// What a tagged rule does with the images it selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaggedAction {
    /// Expire them this many days after they were pushed.
    ExpireAfterDays(u32),
    /// Keep only this many of the most recently pushed.
    KeepLast(u32),
    /// Move them to the archive this many days after they were pushed.
    ArchiveAfterDays(u32),
    /// Move them to the archive when not pulled for this many days (since
    /// the push for an image never pulled).
    ArchiveNotPulledForDays(u32),
}

/// One rule for tagged images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaggedRule {
    pub selector: TagSelector,
    pub action: TaggedAction,
}

/// The simple lifecycle settings of a repository.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LifecyclePolicy {
    pub expire_untagged_after_days: Option<u32>,
    pub max_image_count: Option<u32>,
    /// Rules for tagged images, in the order they are evaluated.
    pub tagged: Vec<TaggedRule>,
    /// Archive untagged images this many days after push (ECR takes one
    /// rule for untagged images: at most one of the three untagged fields).
    pub archive_untagged_after_days: Option<u32>,
    /// Archive untagged images not pulled for this many days.
    pub archive_untagged_not_pulled_for_days: Option<u32>,
    /// Expire archived images this many days after they were archived.
    pub expire_archived_after_days: Option<u32>,
}

/// The untagged rule's count type and whether it archives (None: no rule).
fn untagged_rule(p: &LifecyclePolicy) -> Option<(&'static str, bool, u32)> {
    match (p.expire_untagged_after_days, p.archive_untagged_after_days, p.archive_untagged_not_pulled_for_days) {
        (Some(d), _, _) => Some(("sinceImagePushed", false, d)),
        (None, Some(d), _) => Some(("sinceImagePushed", true, d)),
        (None, None, Some(d)) => Some(("sinceImagePulled", true, d)),
        (None, None, None) => None,
    }
}

/// Why a tag prefix or pattern is not one a lifecycle policy can hold: 1 to
/// 300 characters (an image tag's length) of letters, digits, `_`, `.`, `-`,
/// and for patterns at most four `*`.
pub fn tag_filter_problem(filter: &str, pattern: bool) -> Option<String> {
    let len = filter.chars().count();
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c) || (pattern && c == '*');
    if !(1..=300).contains(&len) || !filter.chars().all(allowed) {
        let star = if pattern { " and the wildcard *" } else { "" };
        return Some(format!(
            "must be 1 to 300 characters of letters, digits, _ . -{star} (the characters of an image tag), got \"{filter}\""
        ));
    }
    let stars = filter.matches('*').count();
    (stars > MAX_WILDCARDS)
        .then(|| format!("may hold at most {MAX_WILDCARDS} wildcards (*), got {stars} in \"{filter}\""))
}

impl LifecyclePolicy {
    pub fn is_empty(&self) -> bool {
        self.expire_untagged_after_days.is_none()
            && self.max_image_count.is_none()
            && self.tagged.is_empty()
            && self.archive_untagged_after_days.is_none()
            && self.archive_untagged_not_pulled_for_days.is_none()
            && self.expire_archived_after_days.is_none()
    }

    /// The same policy by meaning: the order of prefixes or patterns inside
    /// a rule does not matter; the order of the tagged rules does (it is
    /// their priority).
    pub fn same_as(&self, other: &LifecyclePolicy) -> bool {
        self.expire_untagged_after_days == other.expire_untagged_after_days
            && self.max_image_count == other.max_image_count
            && self.archive_untagged_after_days == other.archive_untagged_after_days
            && self.archive_untagged_not_pulled_for_days == other.archive_untagged_not_pulled_for_days
            && self.expire_archived_after_days == other.expire_archived_after_days
            && self.tagged.len() == other.tagged.len()
            && self
                .tagged
                .iter()
                .zip(&other.tagged)
                .all(|(a, b)| a.action == b.action && a.selector.same_as(&b.selector))
    }

    /// The fields as a property value (the shape of `lifecyclePolicy`).
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        if let Some(d) = self.expire_untagged_after_days {
            m.insert(EXPIRE_UNTAGGED_AFTER_DAYS.into(), Value::Number(d.into()));
        }
        if let Some(c) = self.max_image_count {
            m.insert(MAX_IMAGE_COUNT.into(), Value::Number(c.into()));
        }
        for (key, v) in [
            (ARCHIVE_UNTAGGED_AFTER_DAYS, self.archive_untagged_after_days),
            (ARCHIVE_UNTAGGED_NOT_PULLED_FOR_DAYS, self.archive_untagged_not_pulled_for_days),
            (EXPIRE_ARCHIVED_AFTER_DAYS, self.expire_archived_after_days),
        ] {
            if let Some(d) = v {
                m.insert(key.into(), Value::Number(d.into()));
            }
        }
        if !self.tagged.is_empty() {
            let rules = self
                .tagged
                .iter()
                .map(|rule| {
                    let mut r = Map::new();
                    let (key, list) = match &rule.selector {
                        TagSelector::Patterns(p) => (TAG_PATTERNS, p),
                        TagSelector::Prefixes(p) => (TAG_PREFIXES, p),
                    };
                    r.insert(key.into(), Value::Array(list.iter().map(|t| Value::from(t.as_str())).collect()));
                    let (key, n) = match rule.action {
                        TaggedAction::ExpireAfterDays(d) => (EXPIRE_AFTER_DAYS, d),
                        TaggedAction::KeepLast(k) => (KEEP_LAST, k),
                        TaggedAction::ArchiveAfterDays(d) => (ARCHIVE_AFTER_DAYS, d),
                        TaggedAction::ArchiveNotPulledForDays(d) => (ARCHIVE_NOT_PULLED_FOR_DAYS, d),
                    };
                    r.insert(key.into(), Value::Number(n.into()));
                    Value::Object(r)
                })
                .collect();
            m.insert(TAGGED.into(), Value::Array(rules));
        }
        Value::Object(m)
    }

    /// The ECR policy document: the untagged rule first, the tagged rules in
    /// the order given, the `any` rule last of the standard class (ECR
    /// requires it to have the highest priority number), then the rule for
    /// archived images; priorities 1, 2, 3, ...
    pub fn to_json(&self) -> Option<String> {
        let mut rules: Vec<Json> = Vec::new();
        let mut push = |description: String, selection: Json, archive: bool| {
            let action = if archive {
                json!({"type": "transition", "targetStorageClass": "archive"})
            } else {
                json!({"type": "expire"})
            };
            rules.push(json!({
                "rulePriority": rules.len() + 1,
                "description": description,
                "selection": selection,
                "action": action,
            }));
        };
        if let Some((count_type, archive, days)) = untagged_rule(self) {
            let description = match (archive, count_type) {
                (false, _) => format!("Expire untagged images older than {days} days"),
                (true, "sinceImagePushed") => format!("Archive untagged images older than {days} days"),
                _ => format!("Archive untagged images not pulled for {days} days"),
            };
            push(
                description,
                json!({"tagStatus": "untagged", "countType": count_type, "countUnit": "days", "countNumber": days}),
                archive,
            );
        }
        for rule in &self.tagged {
            let (list_key, list, which) = match &rule.selector {
                TagSelector::Patterns(p) => ("tagPatternList", p, "matching"),
                TagSelector::Prefixes(p) => ("tagPrefixList", p, "starting with"),
            };
            let mut selection = json!({"tagStatus": "tagged", list_key: list});
            let tags = list.join(", ");
            let mut days = |count_type: &str, days: u32| {
                selection["countType"] = json!(count_type);
                selection["countUnit"] = json!("days");
                selection["countNumber"] = json!(days);
            };
            let (description, archive) = match rule.action {
                TaggedAction::ExpireAfterDays(d) => {
                    days("sinceImagePushed", d);
                    (format!("Expire images tagged {which} {tags} older than {d} days"), false)
                }
                TaggedAction::ArchiveAfterDays(d) => {
                    days("sinceImagePushed", d);
                    (format!("Archive images tagged {which} {tags} older than {d} days"), true)
                }
                TaggedAction::ArchiveNotPulledForDays(d) => {
                    days("sinceImagePulled", d);
                    (format!("Archive images tagged {which} {tags} not pulled for {d} days"), true)
                }
                TaggedAction::KeepLast(count) => {
                    selection["countType"] = json!("imageCountMoreThan");
                    selection["countNumber"] = json!(count);
                    (format!("Keep only the {count} most recent images tagged {which} {tags}"), false)
                }
            };
            push(description, selection, archive);
        }
        if let Some(count) = self.max_image_count {
            push(
                format!("Keep only the {count} most recent images"),
                json!({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count}),
                false,
            );
        }
        if let Some(days) = self.expire_archived_after_days {
            push(
                format!("Expire archived images {days} days after they were archived"),
                json!({"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": days}),
                false,
            );
        }
        if rules.is_empty() { None } else { Some(json!({ "rules": rules }).to_string()) }
    }

    /// Reads a policy document back into the simple fields. `None` when the
    /// document holds anything the fields cannot express (other count types
    /// or actions, a second untagged or `any` rule, an `any` rule that is not
    /// last of the standard class, both a prefix and a pattern list in one
    /// rule, archived-image rules other than one for any image). The
    /// untagged rule may stand anywhere before the `any` rule: it selects
    /// images no tagged rule does, so its place changes nothing; the rule
    /// for archived images may stand anywhere (ECR evaluates the archive
    /// class apart). `storageClass: standard` is the default, written or not.
    pub fn from_json(text: &str) -> Option<LifecyclePolicy> {
        let doc: Json = serde_json::from_str(text).ok()?;
        let obj = doc.as_object()?;
        if obj.keys().any(|k| k != "rules") {
            return None;
        }
        let mut rules: Vec<&Json> = obj.get("rules")?.as_array()?.iter().collect();
        rules.sort_by_key(|r| r.get("rulePriority").and_then(Json::as_i64).unwrap_or(i64::MAX));
        let mut out = LifecyclePolicy::default();
        for rule in rules {
            rule_from_json(&mut out, rule)?;
        }
        if out.is_empty() { None } else { Some(out) }
    }
}

/// Adds one rule of an ECR lifecycle policy to `out`; `None` when the
/// fields cannot express it (see `LifecyclePolicy::from_json`).
fn rule_from_json(out: &mut LifecyclePolicy, rule: &Json) -> Option<()> {
    let r = rule.as_object()?;
    if r.keys().any(|k| !["rulePriority", "description", "selection", "action"].contains(&k.as_str())) {
        return None;
    }
    let action = r.get("action")?;
    let archive = if action == &json!({"type": "expire"}) {
        false
    } else if action == &json!({"type": "transition", "targetStorageClass": "archive"}) {
        true
    } else {
        return None;
    };
    let mut sel = r.get("selection")?.as_object()?.clone();
    let storage = match sel.remove("storageClass") {
        None => "standard".to_string(),
        Some(Json::String(s)) => s,
        Some(_) => return None,
    };
    let number = sel.get("countNumber")?.as_u64().and_then(|n| u32::try_from(n).ok())?;
    let status = sel.get("tagStatus")?.as_str()?;
    let count_type = sel.get("countType")?.as_str()?;
    let in_days = sel.get("countUnit").and_then(Json::as_str) == Some("days");
    if storage == "archive" {
        if archive
            || status != "any"
            || count_type != "sinceImageTransitioned"
            || !in_days
            || sel.len() != 4
            || out.expire_archived_after_days.is_some()
        {
            return None;
        }
        out.expire_archived_after_days = Some(number);
        return Some(());
    }
    if storage != "standard" || out.max_image_count.is_some() {
        return None;
    }
    match (status, count_type) {
        ("untagged", "sinceImagePushed" | "sinceImagePulled")
            if untagged_rule(out).is_none() && in_days && sel.len() == 4 =>
        {
            match (archive, count_type) {
                (false, "sinceImagePushed") => out.expire_untagged_after_days = Some(number),
                (true, "sinceImagePushed") => out.archive_untagged_after_days = Some(number),
                (true, _) => out.archive_untagged_not_pulled_for_days = Some(number),
                _ => return None,
            }
        }
        ("any", "imageCountMoreThan") if sel.len() == 3 && !archive => out.max_image_count = Some(number),
        ("tagged", _) => out.tagged.push(tagged_from_json(&sel, count_type, archive, in_days, number)?),
        _ => return None,
    }
    Some(())
}

/// A rule for tagged images from its selection; `None` when the fields
/// cannot express it.
fn tagged_from_json(
    sel: &serde_json::Map<String, Json>,
    count_type: &str,
    archive: bool,
    in_days: bool,
    number: u32,
) -> Option<TaggedRule> {
    let strings = |k: &str| -> Option<Option<Vec<String>>> {
        match sel.get(k) {
            None => Some(None),
            Some(Json::Array(a)) => {
                a.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<Vec<_>>>().map(Some)
            }
            Some(_) => None,
        }
    };
    let selector = match (strings("tagPatternList")?, strings("tagPrefixList")?) {
        (Some(p), None) if !p.is_empty() => TagSelector::Patterns(p),
        (None, Some(p)) if !p.is_empty() => TagSelector::Prefixes(p),
        _ => return None,
    };
    let (action, fields) = match (count_type, archive) {
        ("sinceImagePushed", false) if in_days => (TaggedAction::ExpireAfterDays(number), 5),
        ("sinceImagePushed", true) if in_days => (TaggedAction::ArchiveAfterDays(number), 5),
        ("sinceImagePulled", true) if in_days => (TaggedAction::ArchiveNotPulledForDays(number), 5),
        ("imageCountMoreThan", false) if !sel.contains_key("countUnit") => (TaggedAction::KeepLast(number), 4),
        _ => return None,
    };
    (sel.len() == fields).then_some(TaggedRule { selector, action })
}

/// The fields of `lifecyclePolicy`.
const FIELDS: &[&str] = &[
    EXPIRE_UNTAGGED_AFTER_DAYS,
    MAX_IMAGE_COUNT,
    TAGGED,
    ARCHIVE_UNTAGGED_AFTER_DAYS,
    ARCHIVE_UNTAGGED_NOT_PULLED_FOR_DAYS,
    EXPIRE_ARCHIVED_AFTER_DAYS,
];
/// The fields of one tagged rule.
const TAGGED_FIELDS: &[&str] =
    &[TAG_PATTERNS, TAG_PREFIXES, EXPIRE_AFTER_DAYS, KEEP_LAST, ARCHIVE_AFTER_DAYS, ARCHIVE_NOT_PULLED_FOR_DAYS];
/// The fields that each make the one rule for untagged images.
const UNTAGGED_FIELDS: [&str; 3] =
    [EXPIRE_UNTAGGED_AFTER_DAYS, ARCHIVE_UNTAGGED_AFTER_DAYS, ARCHIVE_UNTAGGED_NOT_PULLED_FOR_DAYS];

/// Reads the lifecycle object under `key` (absent: `Known(None)`): at least
/// one rule; each tagged rule with exactly one selector (`tagPatterns` or
/// `tagPrefixes`, non-empty) and exactly one action (`expireAfterDays` or
/// `keepLast`, or an archive action); at most one untagged rule (ECR takes
/// one); no two tagged rules with the same prefixes (ECR refuses them);
/// archived images kept at least 90 days; the generated policy within ECR's
/// length limit. Failures name their path, e.g.
/// `lifecyclePolicy.tagged[1].keepLast`.
pub fn read(r: &mut Reader<'_>, key: &str) -> Field<Option<LifecyclePolicy>> {
    let obj = match r.object(key) {
        Field::Known(obj) => obj,
        Field::Absent => return Field::Known(None),
        Field::Unknown => return Field::Unknown,
        Field::Invalid => return Field::Invalid,
    };
    let read = r.nested(&obj, key, |lr| read_fields(lr, key));
    // A failure about the whole object names the object itself.
    for f in &mut r.failures {
        if f.property.ends_with('.') {
            f.property.pop();
        }
    }
    read
}

/// The fields of the lifecycle object, read by `lr` (`key` names the object).
fn read_fields(lr: &mut Reader<'_>, key: &str) -> Field<Option<LifecyclePolicy>> {
    lr.reject_unknown_keys(FIELDS, &format!("field of {key}"));
    let days = lr.int(EXPIRE_UNTAGGED_AFTER_DAYS, EXPIRE_UNTAGGED_RANGE.0, EXPIRE_UNTAGGED_RANGE.1);
    let count = lr.int(MAX_IMAGE_COUNT, MAX_IMAGE_COUNT_RANGE.0, MAX_IMAGE_COUNT_RANGE.1);
    let archive_days = lr.int(ARCHIVE_UNTAGGED_AFTER_DAYS, ARCHIVE_RANGE.0, ARCHIVE_RANGE.1);
    let archive_unpulled = lr.int(ARCHIVE_UNTAGGED_NOT_PULLED_FOR_DAYS, ARCHIVE_RANGE.0, ARCHIVE_RANGE.1);
    let archived = lr.int(EXPIRE_ARCHIVED_AFTER_DAYS, EXPIRE_ARCHIVED_RANGE.0, EXPIRE_ARCHIVED_RANGE.1);
    if matches!(archived, Field::Invalid)
        && let Some(f) = lr.failures.last_mut().filter(|f| f.property.ends_with(EXPIRE_ARCHIVED_AFTER_DAYS))
    {
        f.reason.push_str(&format!(": ECR keeps an archived image at least {} days", EXPIRE_ARCHIVED_RANGE.0));
    }
    let untagged_clash = untagged_clash(lr, [&days, &archive_days, &archive_unpulled]);
    let tagged = read_tagged(lr);
    let none_given = [
        days.is_absent(),
        count.is_absent(),
        matches!(&tagged, Field::Known(t) if t.is_empty()),
        archive_days.is_absent(),
        archive_unpulled.is_absent(),
        archived.is_absent(),
    ];
    if none_given.iter().all(|n| *n) && lr.failures.is_empty() {
        lr.fail(
            "",
            "must set expireUntaggedAfterDays or maxImageCount (or both), tagged rules, or an archive field (archiveUntaggedAfterDays, archiveUntaggedNotPulledForDays, expireArchivedAfterDays); remove the lifecycle policy for none",
        );
        return Field::Invalid;
    }
    let singles = [&days, &count, &archive_days, &archive_unpulled, &archived];
    if untagged_clash || singles.iter().any(|f| matches!(f, Field::Invalid)) || matches!(tagged, Field::Invalid) {
        return Field::Invalid;
    }
    if singles.iter().any(|f| f.is_unknown()) || matches!(tagged, Field::Unknown) {
        return Field::Unknown;
    }
    match tagged {
        Field::Known(tagged) => within_length(
            lr,
            LifecyclePolicy {
                expire_untagged_after_days: days_of(&days),
                max_image_count: days_of(&count),
                tagged,
                archive_untagged_after_days: days_of(&archive_days),
                archive_untagged_not_pulled_for_days: days_of(&archive_unpulled),
                expire_archived_after_days: days_of(&archived),
            },
        ),
        _ => Field::Invalid,
    }
}

/// At most one of the fields that each make the rule for untagged images
/// (`given` in the order of `UNTAGGED_FIELDS`); true when more are given
/// (each one after the first failed).
fn untagged_clash(lr: &mut Reader<'_>, given: [&Field<i64>; 3]) -> bool {
    let untagged_given: Vec<&str> =
        UNTAGGED_FIELDS.iter().zip(given).filter(|(_, f)| !f.is_absent()).map(|(k, _)| *k).collect();
    let mut untagged_clash = false;
    for key in untagged_given.iter().skip(1) {
        lr.fail(
            key,
            format!(
                "cannot be set with {}: ECR takes one rule for untagged images; set one of {}",
                untagged_given[0],
                UNTAGGED_FIELDS.join(", ")
            ),
        );
        untagged_clash = true;
    }
    untagged_clash
}

/// `tagged`: the rules for tagged images, none with the prefixes of another.
fn read_tagged(lr: &mut Reader<'_>) -> Field<Vec<TaggedRule>> {
    match lr.object_list(TAGGED) {
        Field::Known(rules) if rules.is_empty() => {
            lr.fail(TAGGED, "must hold at least one rule, or be left out");
            Field::Invalid
        }
        Field::Known(rules) => {
            let mut out = lr.nested_each(&rules, TAGGED, tagged_rule);
            if let Field::Known(list) = &out
                && let Some((i, j)) = same_prefixes(list)
            {
                lr.fail(&format!("tagged[{j}].tagPrefixes"), same_prefixes_reason(i));
                out = Field::Invalid;
            }
            out
        }
        Field::Absent => Field::Known(Vec::new()),
        other => other.map(|_| Vec::new()),
    }
}

/// Why a tagged rule may not have the prefixes of the rule `i`.
fn same_prefixes_reason(i: usize) -> String {
    format!(
        "are the prefixes of tagged[{i}]: ECR refuses two rules with the same prefixes; join the two rules or change one"
    )
}

fn days_of(f: &Field<i64>) -> Option<u32> {
    match f {
        Field::Known(d) => Some(*d as u32),
        _ => None,
    }
}

/// `policy` when its JSON is within ECR's length limit.
fn within_length(lr: &mut Reader<'_>, policy: LifecyclePolicy) -> Field<Option<LifecyclePolicy>> {
    let len = policy.to_json().map_or(0, |t| t.chars().count());
    if len > MAX_POLICY_LENGTH {
        lr.fail(
            "",
            format!("would be a policy of {len} characters, more than the {MAX_POLICY_LENGTH} ECR allows; use fewer rules or shorter tag lists"),
        );
        return Field::Invalid;
    }
    Field::Known(Some(policy))
}

fn tagged_rule(r: &mut Reader<'_>) -> Field<TaggedRule> {
    r.reject_unknown_keys(TAGGED_FIELDS, "field of a tagged rule");
    let list = |r: &mut Reader<'_>, key: &str, pattern: bool| {
        r.checked_list(key, 1..=usize::MAX, "tags", false, |f| tag_filter_problem(f, pattern))
    };
    let patterns = list(r, TAG_PATTERNS, true);
    let prefixes = list(r, TAG_PREFIXES, false);
    let selector = match (patterns, prefixes) {
        (Field::Known(p), Field::Absent) => Field::Known(TagSelector::Patterns(p)),
        (Field::Absent, Field::Known(p)) => Field::Known(TagSelector::Prefixes(p)),
        (Field::Absent, Field::Absent) | (Field::Known(_), Field::Known(_)) => {
            r.fail("", "must set exactly one of tagPatterns (wildcards) and tagPrefixes");
            Field::Invalid
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    };
    let actions = [
        r.int(EXPIRE_AFTER_DAYS, EXPIRE_TAGGED_RANGE.0, EXPIRE_TAGGED_RANGE.1),
        r.int(KEEP_LAST, KEEP_LAST_RANGE.0, KEEP_LAST_RANGE.1),
        r.int(ARCHIVE_AFTER_DAYS, ARCHIVE_RANGE.0, ARCHIVE_RANGE.1),
        r.int(ARCHIVE_NOT_PULLED_FOR_DAYS, ARCHIVE_RANGE.0, ARCHIVE_RANGE.1),
    ];
    let given = actions.iter().filter(|f| !f.is_absent()).count();
    let action = if given != 1 {
        r.fail(
            "",
            "must set exactly one of expireAfterDays and keepLast, or instead one of archiveAfterDays and archiveNotPulledForDays (one action per rule)",
        );
        Field::Invalid
    } else if actions.iter().any(|f| matches!(f, Field::Invalid)) {
        Field::Invalid
    } else if actions.iter().any(|f| f.is_unknown()) {
        Field::Unknown
    } else {
        let n = |i: usize| match actions[i] {
            Field::Known(d) => Some(d as u32),
            _ => None,
        };
        let make: [fn(u32) -> TaggedAction; 4] = [
            TaggedAction::ExpireAfterDays,
            TaggedAction::KeepLast,
            TaggedAction::ArchiveAfterDays,
            TaggedAction::ArchiveNotPulledForDays,
        ];
        (0..4).find_map(|i| n(i).map(make[i])).map_or(Field::Invalid, Field::Known)
    };
    match (selector, action) {
        (Field::Known(selector), Field::Known(action)) => Field::Known(TaggedRule { selector, action }),
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
}

/// The first two tagged rules selecting by the same set of prefixes.
fn same_prefixes(rules: &[TaggedRule]) -> Option<(usize, usize)> {
    let sets: Vec<Option<BTreeSet<&String>>> = rules
        .iter()
        .map(|r| match &r.selector {
            TagSelector::Prefixes(p) => Some(p.iter().collect()),
            TagSelector::Patterns(_) => None,
        })
        .collect();
    (0..sets.len()).find_map(|j| (0..j).find(|&i| sets[i].is_some() && sets[i] == sets[j]).map(|i| (i, j)))
}

/// Compares two policy documents by meaning: as parsed simple fields when both
/// parse, as JSON values otherwise, as text when either is not JSON.
pub fn same_policy(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (LifecyclePolicy::from_json(a), LifecyclePolicy::from_json(b)) {
            (Some(x), Some(y)) => x.same_as(&y),
            _ => match (serde_json::from_str::<Json>(a), serde_json::from_str::<Json>(b)) {
                (Ok(x), Ok(y)) => x == y,
                _ => a == b,
            },
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(days: Option<u32>, count: Option<u32>) -> LifecyclePolicy {
        LifecyclePolicy { expire_untagged_after_days: days, max_image_count: count, ..Default::default() }
    }

    #[test]
    fn generation_both_each_alone_and_none() {
        let both: Json = serde_json::from_str(&policy(Some(14), Some(100)).to_json().unwrap()).unwrap();
        let rules = both["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["rulePriority"], 1);
        assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
        assert_eq!(rules[0]["selection"]["countType"], "sinceImagePushed");
        assert_eq!(rules[0]["selection"]["countUnit"], "days");
        assert_eq!(rules[0]["selection"]["countNumber"], 14);
        assert_eq!(rules[1]["rulePriority"], 2);
        assert_eq!(rules[1]["selection"]["tagStatus"], "any");
        assert_eq!(rules[1]["selection"]["countType"], "imageCountMoreThan");
        assert_eq!(rules[1]["selection"]["countNumber"], 100);

        let days: Json = serde_json::from_str(&policy(Some(7), None).to_json().unwrap()).unwrap();
        assert_eq!(days["rules"].as_array().unwrap().len(), 1);
        assert_eq!(days["rules"][0]["selection"]["tagStatus"], "untagged");

        let count: Json = serde_json::from_str(&policy(None, Some(5)).to_json().unwrap()).unwrap();
        assert_eq!(count["rules"][0]["rulePriority"], 1);
        assert_eq!(count["rules"][0]["selection"]["tagStatus"], "any");

        assert_eq!(policy(None, None).to_json(), None);
    }

    #[test]
    fn parsing_round_trips_every_shape() {
        for p in [policy(Some(14), Some(100)), policy(Some(1), None), policy(None, Some(10000))] {
            assert_eq!(LifecyclePolicy::from_json(&p.to_json().unwrap()), Some(p.clone()));
        }
    }

    #[test]
    fn parsing_rejects_what_the_fields_cannot_express() {
        let cases = [
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"tagPatternList":["x*"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":[],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePulled","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
            r#"{"rules":[]}"#,
            r#"not json"#,
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"transition"}}]}"#,
        ];
        for c in cases {
            assert_eq!(LifecyclePolicy::from_json(c), None, "{c}");
        }
    }

    fn tagged(selector: TagSelector, action: TaggedAction) -> TaggedRule {
        TaggedRule { selector, action }
    }

    fn releases() -> LifecyclePolicy {
        LifecyclePolicy {
            expire_untagged_after_days: Some(3),
            max_image_count: Some(500),
            tagged: vec![
                tagged(TagSelector::Patterns(vec!["pr-*".into()]), TaggedAction::ExpireAfterDays(7)),
                tagged(TagSelector::Prefixes(vec!["v".into(), "release".into()]), TaggedAction::KeepLast(50)),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn tagged_rules_come_between_untagged_and_any_in_the_order_given() {
        let doc: Json = serde_json::from_str(&releases().to_json().unwrap()).unwrap();
        let rules = doc["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 4);
        for (i, rule) in rules.iter().enumerate() {
            assert_eq!(rule["rulePriority"], i + 1);
            assert_eq!(rule["action"], json!({"type": "expire"}));
        }
        assert_eq!(rules[0]["selection"]["tagStatus"], "untagged");
        assert_eq!(
            rules[1]["selection"],
            json!({"tagStatus": "tagged", "tagPatternList": ["pr-*"], "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7})
        );
        assert_eq!(
            rules[2]["selection"],
            json!({"tagStatus": "tagged", "tagPrefixList": ["v", "release"], "countType": "imageCountMoreThan", "countNumber": 50})
        );
        assert_eq!(rules[3]["selection"]["tagStatus"], "any");
        assert_eq!(LifecyclePolicy::from_json(&releases().to_json().unwrap()), Some(releases()));
        let only_tagged = LifecyclePolicy { tagged: releases().tagged, ..Default::default() };
        assert_eq!(LifecyclePolicy::from_json(&only_tagged.to_json().unwrap()), Some(only_tagged));
    }

    #[test]
    fn order_inside_a_rule_does_not_matter_the_order_of_rules_does() {
        let mut reordered = releases();
        reordered.tagged[1].selector = TagSelector::Prefixes(vec!["release".into(), "v".into()]);
        assert!(reordered.same_as(&releases()));
        assert!(same_policy(reordered.to_json().as_deref(), releases().to_json().as_deref()));
        let mut swapped = releases();
        swapped.tagged.reverse();
        assert!(!swapped.same_as(&releases()));
        assert!(!same_policy(swapped.to_json().as_deref(), releases().to_json().as_deref()));
        let mut prefixes = releases();
        prefixes.tagged[0].selector = TagSelector::Prefixes(vec!["pr-*".into()]);
        assert!(!prefixes.same_as(&releases()), "prefixes are not patterns");
    }

    #[test]
    fn tag_filters_follow_the_documented_rules() {
        assert_eq!(tag_filter_problem("pr-*", true), None);
        assert_eq!(tag_filter_problem("test*1*2*3*", true), None);
        assert!(tag_filter_problem("*test*1*2*3*", true).unwrap().contains("at most 4 wildcards"));
        assert!(tag_filter_problem("v*", false).unwrap().contains("characters of letters"));
        assert!(tag_filter_problem("", false).is_some());
        assert!(tag_filter_problem("has space", true).is_some());
        assert!(tag_filter_problem(&"a".repeat(301), false).is_some());
    }

    #[test]
    fn an_untagged_rule_may_stand_anywhere_before_any() {
        let text = r#"{"rules":[
            {"rulePriority":5,"selection":{"tagStatus":"tagged","tagPatternList":["pr-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},
            {"rulePriority":9,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#;
        let p = LifecyclePolicy::from_json(text).unwrap();
        assert_eq!(p.expire_untagged_after_days, Some(3));
        assert_eq!(p.tagged.len(), 1);
    }

    #[test]
    fn comparison_is_semantic() {
        let ours = policy(Some(14), None).to_json().unwrap();
        let reordered = r#"{"rules":[{"action":{"type":"expire"},"selection":{"countNumber":14,"countUnit":"days","countType":"sinceImagePushed","tagStatus":"untagged"},"rulePriority":1}]}"#;
        assert!(same_policy(Some(&ours), Some(reordered)));
        assert!(!same_policy(Some(&ours), Some(&policy(Some(15), None).to_json().unwrap())));
        assert!(!same_policy(Some(&ours), None));
        assert!(same_policy(None, None));
    }

    fn archiving() -> LifecyclePolicy {
        LifecyclePolicy {
            archive_untagged_not_pulled_for_days: Some(30),
            max_image_count: Some(500),
            tagged: vec![
                tagged(TagSelector::Patterns(vec!["pr-*".into()]), TaggedAction::ExpireAfterDays(7)),
                tagged(TagSelector::Prefixes(vec!["v".into()]), TaggedAction::ArchiveAfterDays(180)),
                tagged(TagSelector::Patterns(vec!["nightly-*".into()]), TaggedAction::ArchiveNotPulledForDays(14)),
            ],
            expire_archived_after_days: Some(365),
            ..Default::default()
        }
    }

    #[test]
    fn archive_rules_are_transitions_and_archived_images_expire_last() {
        let doc: Json = serde_json::from_str(&archiving().to_json().unwrap()).unwrap();
        let rules = doc["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 6);
        for (i, rule) in rules.iter().enumerate() {
            assert_eq!(rule["rulePriority"], i + 1);
        }
        let archive = json!({"type": "transition", "targetStorageClass": "archive"});
        let expire = json!({"type": "expire"});
        assert_eq!(
            rules[0]["selection"],
            json!({"tagStatus": "untagged", "countType": "sinceImagePulled", "countUnit": "days", "countNumber": 30})
        );
        assert_eq!(rules[0]["action"], archive);
        assert_eq!(rules[1]["action"], expire);
        assert_eq!(
            rules[2]["selection"],
            json!({"tagStatus": "tagged", "tagPrefixList": ["v"], "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 180})
        );
        assert_eq!(rules[2]["action"], archive);
        assert_eq!(rules[3]["selection"]["countType"], "sinceImagePulled");
        assert_eq!(rules[3]["action"], archive);
        assert_eq!(rules[4]["selection"]["tagStatus"], "any");
        assert_eq!(rules[4]["action"], expire);
        assert_eq!(
            rules[5]["selection"],
            json!({"tagStatus": "any", "storageClass": "archive", "countType": "sinceImageTransitioned", "countUnit": "days", "countNumber": 365})
        );
        assert_eq!(rules[5]["action"], expire);
        let pushed = LifecyclePolicy { archive_untagged_after_days: Some(9), ..Default::default() };
        let doc: Json = serde_json::from_str(&pushed.to_json().unwrap()).unwrap();
        assert_eq!(doc["rules"][0]["selection"]["countType"], "sinceImagePushed");
        assert_eq!(doc["rules"][0]["action"], archive);
    }

    #[test]
    fn archive_rules_read_back_into_the_fields() {
        let only_archived = LifecyclePolicy { expire_archived_after_days: Some(90), ..Default::default() };
        let pushed = LifecyclePolicy { archive_untagged_after_days: Some(9), ..Default::default() };
        for p in [archiving(), only_archived, pushed] {
            assert_eq!(LifecyclePolicy::from_json(&p.to_json().unwrap()), Some(p.clone()));
            assert!(same_policy(p.to_json().as_deref(), p.to_json().as_deref()));
        }
        // The archived-image rule may stand anywhere; storageClass standard
        // written out is the default; key order and priorities with gaps
        // are no change.
        let text = r#"{"rules":[
            {"rulePriority":1,"selection":{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365},"action":{"type":"expire"}},
            {"rulePriority":4,"action":{"targetStorageClass":"archive","type":"transition"},"selection":{"countNumber":30,"countUnit":"days","countType":"sinceImagePulled","storageClass":"standard","tagStatus":"untagged"}},
            {"rulePriority":7,"selection":{"tagStatus":"tagged","tagPatternList":["pr-*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},
            {"rulePriority":8,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":180},"action":{"type":"transition","targetStorageClass":"archive"}},
            {"rulePriority":9,"selection":{"tagStatus":"tagged","tagPatternList":["nightly-*"],"countType":"sinceImagePulled","countUnit":"days","countNumber":14},"action":{"type":"transition","targetStorageClass":"archive"}},
            {"rulePriority":20,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":500},"action":{"type":"expire"}}]}"#;
        assert_eq!(LifecyclePolicy::from_json(text), Some(archiving()));
        assert!(same_policy(Some(text), archiving().to_json().as_deref()));
        let mut other = archiving();
        other.expire_archived_after_days = Some(366);
        assert!(!same_policy(Some(text), other.to_json().as_deref()));
    }

    #[test]
    fn archive_rules_the_fields_cannot_say_stay_raw() {
        let cases = [
            // Expiry when not pulled: ECR allows sinceImagePulled with a transition only.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePulled","countUnit":"days","countNumber":3},"action":{"type":"expire"}}]}"#,
            // Archive by count.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#,
            // Archived images selected by tag.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":90},"action":{"type":"expire"}}]}"#,
            // Two untagged rules.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":3},"action":{"type":"expire"}},{"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePulled","countUnit":"days","countNumber":3},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#,
            // An any rule that archives.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"transition","targetStorageClass":"archive"}}]}"#,
            // Another storage class.
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","storageClass":"cold","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
        ];
        for c in cases {
            assert_eq!(LifecyclePolicy::from_json(c), None, "{c}");
        }
    }

    fn failures_of(input: serde_json::Value) -> Vec<(String, String)> {
        let Value::Object(m) = Value::from_json(&json!({ "lifecyclePolicy": input })) else { unreachable!() };
        let mut r = Reader::new(&m, "");
        let _ = read(&mut r, "lifecyclePolicy");
        r.failures.iter().map(|f| (f.property.clone(), f.reason.clone())).collect()
    }

    #[test]
    fn archive_fields_are_checked_with_their_paths() {
        let f = failures_of(json!({"expireArchivedAfterDays": 30}));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "lifecyclePolicy.expireArchivedAfterDays");
        assert!(f[0].1.contains("between 90 and 3650, got 30") && f[0].1.contains("at least 90 days"), "{f:?}");

        let f = failures_of(json!({"expireUntaggedAfterDays": 7, "archiveUntaggedNotPulledForDays": 30}));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "lifecyclePolicy.archiveUntaggedNotPulledForDays");
        assert!(f[0].1.contains("cannot be set with expireUntaggedAfterDays"), "{f:?}");
        assert!(f[0].1.contains("one rule for untagged images"), "{f:?}");

        let f =
            failures_of(json!({"tagged": [{"tagPatterns": ["pr-*"], "expireAfterDays": 7, "archiveAfterDays": 3}]}));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "lifecyclePolicy.tagged[0]");
        assert!(f[0].1.contains("archiveAfterDays and archiveNotPulledForDays"), "{f:?}");

        let f = failures_of(json!({"tagged": [{"tagPrefixes": ["v"], "archiveNotPulledForDays": 0}]}));
        assert_eq!(f[0].0, "lifecyclePolicy.tagged[0].archiveNotPulledForDays");
        assert!(f[0].1.contains("between 1 and 3650"), "{f:?}");

        let f = failures_of(json!({"tagged": [
            {"tagPrefixes": ["v", "rc"], "archiveAfterDays": 30},
            {"tagPatterns": ["v"], "keepLast": 3},
            {"tagPrefixes": ["rc", "v"], "keepLast": 3}]}));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "lifecyclePolicy.tagged[2].tagPrefixes");
        assert!(f[0].1.contains("prefixes of tagged[0]"), "{f:?}");

        assert!(failures_of(json!({"archiveUntaggedAfterDays": 1, "expireArchivedAfterDays": 90})).is_empty());
    }
}
