//! Lifecycle policy: the two simple fields users set, the ECR policy JSON
//! generated from them, and the way back (parsing a policy read from ECR).
//! A policy that the fields cannot express is kept as text and reported.

use serde_json::{Value as Json, json};

pub const EXPIRE_UNTAGGED_RANGE: (i64, i64) = (1, 3650);
pub const MAX_IMAGE_COUNT_RANGE: (i64, i64) = (1, 10000);

/// The simple lifecycle settings of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LifecyclePolicy {
    pub expire_untagged_after_days: Option<u32>,
    pub max_image_count: Option<u32>,
}

impl LifecyclePolicy {
    pub fn is_empty(&self) -> bool {
        self.expire_untagged_after_days.is_none() && self.max_image_count.is_none()
    }

    /// The ECR policy document: the untagged rule first, the `any` rule last
    /// (ECR requires the `any` rule to have the highest priority number).
    pub fn to_json(&self) -> Option<String> {
        let mut rules = Vec::new();
        if let Some(days) = self.expire_untagged_after_days {
            rules.push(json!({
                "rulePriority": rules.len() + 1,
                "description": format!("Expire untagged images older than {days} days"),
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": days,
                },
                "action": {"type": "expire"},
            }));
        }
        if let Some(count) = self.max_image_count {
            rules.push(json!({
                "rulePriority": rules.len() + 1,
                "description": format!("Keep only the {count} most recent images"),
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": count,
                },
                "action": {"type": "expire"},
            }));
        }
        if rules.is_empty() { None } else { Some(json!({ "rules": rules }).to_string()) }
    }

    /// Reads a policy document back into the simple fields. `None` when the
    /// document holds anything the fields cannot express (other tag filters,
    /// extra rules, other count types, a different rule order).
    pub fn from_json(text: &str) -> Option<LifecyclePolicy> {
        let doc: Json = serde_json::from_str(text).ok()?;
        let obj = doc.as_object()?;
        if obj.keys().any(|k| k != "rules") {
            return None;
        }
        let mut rules: Vec<&Json> = obj.get("rules")?.as_array()?.iter().collect();
        rules.sort_by_key(|r| r.get("rulePriority").and_then(Json::as_i64).unwrap_or(i64::MAX));
        let mut out = LifecyclePolicy::default();
        let mut seen_any = false;
        for rule in rules {
            let r = rule.as_object()?;
            if r.keys().any(|k| !["rulePriority", "description", "selection", "action"].contains(&k.as_str())) {
                return None;
            }
            if r.get("action")? != &json!({"type": "expire"}) {
                return None;
            }
            let sel = r.get("selection")?.as_object()?;
            let number = sel.get("countNumber")?.as_u64().and_then(|n| u32::try_from(n).ok())?;
            let status = sel.get("tagStatus")?.as_str()?;
            let count_type = sel.get("countType")?.as_str()?;
            match (status, count_type) {
                ("untagged", "sinceImagePushed")
                    if !seen_any
                        && out.expire_untagged_after_days.is_none()
                        && sel.get("countUnit").and_then(Json::as_str) == Some("days")
                        && sel.len() == 4 =>
                {
                    out.expire_untagged_after_days = Some(number)
                }
                ("any", "imageCountMoreThan") if out.max_image_count.is_none() && sel.len() == 3 => {
                    seen_any = true;
                    out.max_image_count = Some(number)
                }
                _ => return None,
            }
        }
        if out.is_empty() { None } else { Some(out) }
    }
}

/// Compares two policy documents by meaning: as parsed simple fields when both
/// parse, as JSON values otherwise, as text when either is not JSON.
pub fn same_policy(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (LifecyclePolicy::from_json(a), LifecyclePolicy::from_json(b)) {
            (Some(x), Some(y)) => x == y,
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
        LifecyclePolicy { expire_untagged_after_days: days, max_image_count: count }
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
            assert_eq!(LifecyclePolicy::from_json(&p.to_json().unwrap()), Some(p));
        }
    }

    #[test]
    fn parsing_rejects_what_the_fields_cannot_express() {
        let cases = [
            r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}"#,
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
