//! The JSON generators every resource shares: one per kind of document AWS
//! needs, from typed fields to JSON and back (parsing what is in force,
//! comparing by meaning). Pure: no AWS calls.

pub mod access;
pub mod lifecycle;
pub mod registry;

/// What a resource declared for one policy before a read.
#[derive(Debug, Clone, Copy)]
pub enum Declared<'a, T> {
    /// Nothing: an import (or a lookup), where the inputs come from ECR.
    Nothing,
    /// The typed fields (`None`: no policy).
    Typed(Option<&'a T>),
    /// The raw document (`lifecyclePolicyDocument`, `repositoryPolicyDocument`).
    Document(&'a str),
}

/// A policy ECR holds, as the inputs that reproduce it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack<T> {
    pub typed: Option<T>,
    pub document: Option<String>,
    /// Declared with the typed fields and edited outside Pulumi into
    /// something they cannot express: the declared fields are kept (never a
    /// lossy reading of the held text), the resource's `...Text` output shows
    /// what ECR holds, the caller warns, and the next update restores it.
    pub drifted: bool,
}

/// Reads the policy text ECR holds back into inputs, in the form the
/// resource declared it: a document stays a document (the declared spelling
/// while the meaning is the same); typed fields stay typed (the declared
/// spelling while the meaning is the same) unless the held text is beyond
/// them (`drifted`). Imported, a text the typed fields can express becomes
/// typed fields, any other the document, so adopting loses nothing.
/// `parse` is the typed fields' reading of a text (`None`: they cannot
/// express it), `same` their comparison by meaning, `same_text` the
/// documents'.
pub fn read_back<T: Clone>(
    held: Option<&str>,
    declared: Declared<'_, T>,
    parse: impl Fn(&str) -> Option<T>,
    same: impl Fn(&T, &T) -> bool,
    same_text: fn(Option<&str>, Option<&str>) -> bool,
) -> ReadBack<T> {
    let found = |typed: Option<T>, document: Option<String>| ReadBack { typed, document, drifted: false };
    let Some(held) = held else { return found(None, None) };
    match (declared, parse(held)) {
        (Declared::Document(d), _) => {
            found(None, Some(if same_text(Some(d), Some(held)) { d } else { held }.to_string()))
        }
        (Declared::Typed(Some(t)), Some(p)) if same(t, &p) => found(Some(t.clone()), None),
        (_, Some(p)) => found(Some(p), None),
        (Declared::Nothing, None) => found(None, Some(held.to_string())),
        (Declared::Typed(t), None) => ReadBack { typed: t.cloned(), document: None, drifted: true },
    }
}

#[cfg(test)]
mod tests {
    use super::access::{Access, same_repository_policy};
    use super::lifecycle::{LifecyclePolicy, same_policy};
    use super::*;

    fn lifecycle(held: Option<&str>, declared: Declared<'_, LifecyclePolicy>) -> ReadBack<LifecyclePolicy> {
        read_back(held, declared, LifecyclePolicy::from_json, LifecyclePolicy::same_as, same_policy)
    }
    fn access(held: Option<&str>, declared: Declared<'_, Access>) -> ReadBack<Access> {
        read_back(held, declared, Access::from_policy, Access::same_as, same_repository_policy)
    }
    fn rule(selection: &str, action: &str) -> String {
        format!(r#"{{"rules":[{{"rulePriority":1,"selection":{selection},"action":{action}}}]}}"#)
    }
    const EXPIRE: &str = r#"{"type":"expire"}"#;
    const PULL: &str = r#"["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer","ecr:BatchCheckLayerAvailability"]"#;
    fn statement(body: &str) -> String {
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow",{body}}}]}}"#)
    }

    /// The lifecycle rules the typed fields cannot express: a count rule for
    /// untagged images, an archive rule by count, archived images selected
    /// by tag (archive rules by age or last pull are typed fields).
    fn beyond_lifecycle() -> Vec<String> {
        vec![
            rule(r#"{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":5}"#, EXPIRE),
            rule(
                r#"{"tagStatus":"tagged","tagPatternList":["v*"],"countType":"imageCountMoreThan","countNumber":90}"#,
                r#"{"type":"transition","targetStorageClass":"archive"}"#,
            ),
            rule(
                r#"{"tagStatus":"tagged","tagPatternList":["v*"],"storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":365}"#,
                EXPIRE,
            ),
        ]
    }

    /// Repository policies beyond the principal lists: an organization
    /// condition (here a Deny for everyone outside it), a service principal
    /// granted without conditions, an organization allowed more than pulls.
    fn beyond_access() -> Vec<String> {
        vec![
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#.to_string(),
            statement(&format!(r#""Principal":{{"Service":"lambda.amazonaws.com"}},"Action":{PULL}"#)),
            statement(
                r#""Principal":"*","Action":["ecr:BatchGetImage","ecr:DescribeImages"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#,
            ),
        ]
    }

    #[test]
    fn imported_what_the_typed_fields_cannot_express_is_the_document() {
        for text in beyond_lifecycle() {
            assert_eq!(LifecyclePolicy::from_json(&text), None, "the typed fields cannot express {text}");
            let r = lifecycle(Some(&text), Declared::Nothing);
            assert_eq!(r, ReadBack { typed: None, document: Some(text.clone()), drifted: false });
        }
        for text in beyond_access() {
            assert_eq!(Access::from_policy(&text), None, "the lists cannot express {text}");
            let r = access(Some(&text), Declared::Nothing);
            assert_eq!(r, ReadBack { typed: None, document: Some(text.clone()), drifted: false });
        }
    }

    #[test]
    fn imported_what_the_typed_fields_express_is_typed() {
        let text = rule(
            r#"{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7}"#,
            EXPIRE,
        );
        let r = lifecycle(Some(&text), Declared::Nothing);
        assert_eq!(r.typed.and_then(|p| p.expire_untagged_after_days), Some(7));
        assert_eq!(r.document, None);
        let text = statement(&format!(r#""Principal":{{"AWS":"arn:aws:iam::210987654321:root"}},"Action":{PULL}"#));
        let r = access(Some(&text), Declared::Nothing);
        assert_eq!(r.typed.map(|a| a.pull), Some(vec!["210987654321".to_string()]));
        assert_eq!(r.document, None);
        assert_eq!(lifecycle(None, Declared::Nothing), ReadBack { typed: None, document: None, drifted: false });
    }

    #[test]
    fn declared_typed_and_edited_beyond_them_is_drift_never_a_lossy_reading() {
        let declared = Access { pull: vec!["210987654321".into()], push: vec![], ..Default::default() };
        for text in beyond_access() {
            let r = access(Some(&text), Declared::Typed(Some(&declared)));
            assert_eq!(r, ReadBack { typed: Some(declared.clone()), document: None, drifted: true });
            let r = access(Some(&text), Declared::Typed(None));
            assert_eq!(r, ReadBack { typed: None, document: None, drifted: true });
        }
        let declared = LifecyclePolicy { max_image_count: Some(10), ..Default::default() };
        for text in beyond_lifecycle() {
            let r = lifecycle(Some(&text), Declared::Typed(Some(&declared)));
            assert_eq!(r, ReadBack { typed: Some(declared.clone()), document: None, drifted: true });
        }
        // Edited into other rules the fields do express: read as they are.
        let other = LifecyclePolicy { max_image_count: Some(20), ..Default::default() };
        let r = lifecycle(other.to_json().as_deref(), Declared::Typed(Some(&declared)));
        assert_eq!(r, ReadBack { typed: Some(other), document: None, drifted: false });
        // Removed by hand: no policy, as ECR says.
        let r = lifecycle(None, Declared::Typed(Some(&declared)));
        assert_eq!(r, ReadBack { typed: None, document: None, drifted: false });
    }

    #[test]
    fn the_declared_spelling_is_kept_while_the_meaning_is_the_same() {
        // Typed: the principals in the declared order and form.
        let declared = Access {
            pull: vec!["arn:aws:iam::210987654321:root".into(), "111122223333".into()],
            push: vec![],
            ..Default::default()
        };
        let held = declared.to_policy("aws").unwrap();
        assert_eq!(access(Some(&held), Declared::Typed(Some(&declared))).typed, Some(declared.clone()));
        // A document: the declared text while ECR holds the same meaning
        // (key order, spacing), ECR's text once it says something else.
        let doc = beyond_access()[2].clone();
        let reshaped = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&doc).unwrap()).unwrap();
        assert_ne!(reshaped, doc);
        let r = access(Some(&reshaped), Declared::Document(&doc));
        assert_eq!(r, ReadBack { typed: None, document: Some(doc.clone()), drifted: false });
        let edited = doc.replace("o-a1b2c3d4e5", "o-zzzzzzzzzz");
        let r = access(Some(&edited), Declared::Document(&doc));
        assert_eq!(r, ReadBack { typed: None, document: Some(edited), drifted: false });
        // A document stays a document even when the typed fields could say it.
        let plain = declared.to_policy("aws").unwrap();
        let r = access(Some(&plain), Declared::Document(&plain));
        assert_eq!(r, ReadBack { typed: None, document: Some(plain.clone()), drifted: false });
        let lifecycle_doc = beyond_lifecycle()[0].clone();
        let r = lifecycle(Some(&lifecycle_doc), Declared::Document(&lifecycle_doc));
        assert_eq!(r.document.as_deref(), Some(lifecycle_doc.as_str()));
    }
}
