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

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

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
        self.expire_untagged_after_days.is_none() && self.max_image_count.is_none() && self.tagged.is_empty()
    }

    /// The same policy by meaning: the order of prefixes or patterns inside
    /// a rule does not matter; the order of the tagged rules does (it is
    /// their priority).
    pub fn same_as(&self, other: &LifecyclePolicy) -> bool {
        self.expire_untagged_after_days == other.expire_untagged_after_days
            && self.max_image_count == other.max_image_count
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
            m.insert("expireUntaggedAfterDays".into(), Value::Number(d.into()));
        }
        if let Some(c) = self.max_image_count {
            m.insert("maxImageCount".into(), Value::Number(c.into()));
        }
        if !self.tagged.is_empty() {
            let rules = self
                .tagged
                .iter()
                .map(|rule| {
                    let mut r = Map::new();
                    let (key, list) = match &rule.selector {
                        TagSelector::Patterns(p) => ("tagPatterns", p),
                        TagSelector::Prefixes(p) => ("tagPrefixes", p),
                    };
                    r.insert(key.into(), Value::Array(list.iter().map(|t| Value::from(t.as_str())).collect()));
                    let (key, n) = match rule.action {
                        TaggedAction::ExpireAfterDays(d) => ("expireAfterDays", d),
                        TaggedAction::KeepLast(k) => ("keepLast", k),
                    };
                    r.insert(key.into(), Value::Number(n.into()));
                    Value::Object(r)
                })
                .collect();
            m.insert("tagged".into(), Value::Array(rules));
        }
        Value::Object(m)
    }

    /// The ECR policy document: the untagged rule first, the tagged rules in
    /// the order given, the `any` rule last (ECR requires it to have the
    /// highest priority number); priorities 1, 2, 3, ...
    pub fn to_json(&self) -> Option<String> {
        let mut rules: Vec<Json> = Vec::new();
        let mut push = |description: String, selection: Json| {
            rules.push(json!({
                "rulePriority": rules.len() + 1,
                "description": description,
                "selection": selection,
                "action": {"type": "expire"},
            }));
        };
        if let Some(days) = self.expire_untagged_after_days {
            push(
                format!("Expire untagged images older than {days} days"),
                json!({"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": days}),
            );
        }
        for rule in &self.tagged {
            let (list_key, list, which) = match &rule.selector {
                TagSelector::Patterns(p) => ("tagPatternList", p, "matching"),
                TagSelector::Prefixes(p) => ("tagPrefixList", p, "starting with"),
            };
            let mut selection = json!({"tagStatus": "tagged", list_key: list});
            let description = match rule.action {
                TaggedAction::ExpireAfterDays(days) => {
                    selection["countType"] = json!("sinceImagePushed");
                    selection["countUnit"] = json!("days");
                    selection["countNumber"] = json!(days);
                    format!("Expire images tagged {which} {} older than {days} days", list.join(", "))
                }
                TaggedAction::KeepLast(count) => {
                    selection["countType"] = json!("imageCountMoreThan");
                    selection["countNumber"] = json!(count);
                    format!("Keep only the {count} most recent images tagged {which} {}", list.join(", "))
                }
            };
            push(description, selection);
        }
        if let Some(count) = self.max_image_count {
            push(
                format!("Keep only the {count} most recent images"),
                json!({"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count}),
            );
        }
        if rules.is_empty() { None } else { Some(json!({ "rules": rules }).to_string()) }
    }

    /// Reads a policy document back into the simple fields. `None` when the
    /// document holds anything the fields cannot express (other count types
    /// or actions, a second untagged or `any` rule, an `any` rule that is not
    /// last, both a prefix and a pattern list in one rule). The untagged rule
    /// may stand anywhere before the `any` rule: it selects images no tagged
    /// rule does, so its place changes nothing.
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
            let r = rule.as_object()?;
            if r.keys().any(|k| !["rulePriority", "description", "selection", "action"].contains(&k.as_str())) {
                return None;
            }
            if r.get("action")? != &json!({"type": "expire"}) || out.max_image_count.is_some() {
                return None;
            }
            let sel = r.get("selection")?.as_object()?;
            let number = sel.get("countNumber")?.as_u64().and_then(|n| u32::try_from(n).ok())?;
            let status = sel.get("tagStatus")?.as_str()?;
            let count_type = sel.get("countType")?.as_str()?;
            let in_days = sel.get("countUnit").and_then(Json::as_str) == Some("days");
            match (status, count_type) {
                ("untagged", "sinceImagePushed")
                    if out.expire_untagged_after_days.is_none() && in_days && sel.len() == 4 =>
                {
                    out.expire_untagged_after_days = Some(number)
                }
                ("any", "imageCountMoreThan") if sel.len() == 3 => out.max_image_count = Some(number),
                ("tagged", _) => {
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
                    let (action, fields) = match count_type {
                        "sinceImagePushed" if in_days => (TaggedAction::ExpireAfterDays(number), 5),
                        "imageCountMoreThan" if !sel.contains_key("countUnit") => (TaggedAction::KeepLast(number), 4),
                        _ => return None,
                    };
                    if sel.len() != fields {
                        return None;
                    }
                    out.tagged.push(TaggedRule { selector, action });
                }
                _ => return None,
            }
        }
        if out.is_empty() { None } else { Some(out) }
    }
}

/// The fields of `lifecyclePolicy`.
const FIELDS: &[&str] = &["expireUntaggedAfterDays", "maxImageCount", "tagged"];
/// The fields of one tagged rule.
const TAGGED_FIELDS: &[&str] = &["tagPatterns", "tagPrefixes", "expireAfterDays", "keepLast"];

/// Reads the lifecycle object under `key` (absent: `Known(None)`): at least
/// one rule; each tagged rule with exactly one selector (`tagPatterns` or
/// `tagPrefixes`, non-empty) and exactly one action (`expireAfterDays` or
/// `keepLast`); the generated policy within ECR's length limit. Failures
/// name their path, e.g. `lifecyclePolicy.tagged[1].keepLast`.
pub fn read(r: &mut Reader<'_>, key: &str) -> Field<Option<LifecyclePolicy>> {
    let obj = match r.object(key) {
        Field::Known(obj) => obj,
        Field::Absent => return Field::Known(None),
        Field::Unknown => return Field::Unknown,
        Field::Invalid => return Field::Invalid,
    };
    let read = r.nested(&obj, key, |lr| {
        lr.reject_unknown_keys(FIELDS, &format!("field of {key}"));
        let days = lr.int("expireUntaggedAfterDays", EXPIRE_UNTAGGED_RANGE.0, EXPIRE_UNTAGGED_RANGE.1);
        let count = lr.int("maxImageCount", MAX_IMAGE_COUNT_RANGE.0, MAX_IMAGE_COUNT_RANGE.1);
        let tagged = match lr.object_list("tagged") {
            Field::Known(rules) if rules.is_empty() => {
                lr.fail("tagged", "must hold at least one rule, or be left out");
                Field::Invalid
            }
            Field::Known(rules) => {
                let mut out = Field::Known(Vec::new());
                for (i, rule) in rules.iter().enumerate() {
                    match (lr.nested(rule, &format!("tagged[{i}]"), tagged_rule), &mut out) {
                        (Field::Known(rule), Field::Known(list)) => list.push(rule),
                        (Field::Invalid, _) => out = Field::Invalid,
                        (Field::Unknown, Field::Known(_)) => out = Field::Unknown,
                        _ => {}
                    }
                }
                out
            }
            Field::Absent => Field::Known(Vec::new()),
            other => other.map(|_| Vec::new()),
        };
        let none_given = [days.is_absent(), count.is_absent(), matches!(&tagged, Field::Known(t) if t.is_empty())];
        if none_given.iter().all(|n| *n) && lr.failures.is_empty() {
            lr.fail(
                "",
                "must set expireUntaggedAfterDays or maxImageCount (or both), or tagged rules; remove the lifecycle policy for none",
            );
            return Field::Invalid;
        }
        match (days, count, tagged) {
            (Field::Invalid, _, _) | (_, Field::Invalid, _) | (_, _, Field::Invalid) => Field::Invalid,
            (Field::Unknown, _, _) | (_, Field::Unknown, _) | (_, _, Field::Unknown) => Field::Unknown,
            (days, count, Field::Known(tagged)) => {
                let policy = LifecyclePolicy {
                    expire_untagged_after_days: days.known().map(|d| d as u32),
                    max_image_count: count.known().map(|c| c as u32),
                    tagged,
                };
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
            _ => Field::Invalid,
        }
    });
    // A failure about the whole object names the object itself.
    for f in &mut r.failures {
        if f.property.ends_with('.') {
            f.property.pop();
        }
    }
    read
}

fn tagged_rule(r: &mut Reader<'_>) -> Field<TaggedRule> {
    r.reject_unknown_keys(TAGGED_FIELDS, "field of a tagged rule");
    let list = |r: &mut Reader<'_>, key: &str, pattern: bool| {
        r.checked_list(key, 1..=usize::MAX, "tags", false, |f| tag_filter_problem(f, pattern))
    };
    let patterns = list(r, "tagPatterns", true);
    let prefixes = list(r, "tagPrefixes", false);
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
    let days = r.int("expireAfterDays", EXPIRE_TAGGED_RANGE.0, EXPIRE_TAGGED_RANGE.1);
    let keep = r.int("keepLast", KEEP_LAST_RANGE.0, KEEP_LAST_RANGE.1);
    let action = match (days, keep) {
        (Field::Known(d), Field::Absent) => Field::Known(TaggedAction::ExpireAfterDays(d as u32)),
        (Field::Absent, Field::Known(k)) => Field::Known(TaggedAction::KeepLast(k as u32)),
        (Field::Absent, Field::Absent) | (Field::Known(_), Field::Known(_)) => {
            r.fail("", "must set exactly one of expireAfterDays and keepLast");
            Field::Invalid
        }
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    };
    match (selector, action) {
        (Field::Known(selector), Field::Known(action)) => Field::Known(TaggedRule { selector, action }),
        (Field::Invalid, _) | (_, Field::Invalid) => Field::Invalid,
        _ => Field::Unknown,
    }
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
        LifecyclePolicy { expire_untagged_after_days: days, max_image_count: count, tagged: vec![] }
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
}
