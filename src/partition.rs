//! AWS partitions and regions: the regions each partition has (the explicit
//! region lists of the AWS SDK's endpoint metadata, compared with the SDK's
//! own by `tests/regions.rs`), the form of a region name newer than those
//! lists (the SDK's region patterns, accepted only with the provider's
//! `skipRegionValidation`), and the pieces of an ARN that the checks compare
//! with the provider's region. Pure: no AWS calls.

/// One partition: its id, its regions and the form of its region names,
/// `<leading tokens>-<word>-<number>`.
pub struct Partition {
    pub id: &'static str,
    /// The first tokens of a region name; any one of them for `aws`, all of
    /// them in order otherwise.
    leading: &'static [&'static str],
    any_leading: bool,
    /// The DNS suffix of the partition's endpoints.
    pub dns_suffix: &'static str,
    /// The SDK's `regionRegex` for the partition, as its metadata spells it;
    /// `leading` and `any_leading` implement it (lowercase only).
    pub region_regex: &'static str,
    /// The regions the SDK's metadata lists by name (its `aws-global`-like
    /// pseudo-regions, which have no region form, left out), sorted.
    pub regions: &'static [&'static str],
}

/// Every partition the SDK's endpoint metadata knows, with its regions and
/// their form (aws-sdk-ecr's endpoint metadata; `tests/regions.rs` fails when
/// the SDK in Cargo.lock lists other regions).
pub const PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        leading: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        any_leading: true,
        dns_suffix: "amazonaws.com",
        region_regex: r"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$",
        regions: &[
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
        ],
    },
    Partition {
        id: "aws-cn",
        leading: &["cn"],
        any_leading: false,
        dns_suffix: "amazonaws.com.cn",
        region_regex: r"^cn\-\w+\-\d+$",
        regions: &["cn-north-1", "cn-northwest-1"],
    },
    Partition {
        id: "aws-eusc",
        leading: &["eusc", "de"],
        any_leading: false,
        dns_suffix: "amazonaws.eu",
        region_regex: r"^eusc\-(de)\-\w+\-\d+$",
        regions: &["eusc-de-east-1"],
    },
    Partition {
        id: "aws-iso",
        leading: &["us", "iso"],
        any_leading: false,
        dns_suffix: "c2s.ic.gov",
        region_regex: r"^us\-iso\-\w+\-\d+$",
        regions: &["us-iso-east-1", "us-iso-west-1"],
    },
    Partition {
        id: "aws-iso-b",
        leading: &["us", "isob"],
        any_leading: false,
        dns_suffix: "sc2s.sgov.gov",
        region_regex: r"^us\-isob\-\w+\-\d+$",
        regions: &["us-isob-east-1", "us-isob-west-1"],
    },
    Partition {
        id: "aws-iso-e",
        leading: &["eu", "isoe"],
        any_leading: false,
        dns_suffix: "cloud.adc-e.uk",
        region_regex: r"^eu\-isoe\-\w+\-\d+$",
        regions: &["eu-isoe-west-1"],
    },
    Partition {
        id: "aws-iso-f",
        leading: &["us", "isof"],
        any_leading: false,
        dns_suffix: "csp.hci.ic.gov",
        region_regex: r"^us\-isof\-\w+\-\d+$",
        regions: &["us-isof-east-1", "us-isof-south-1"],
    },
    Partition {
        id: "aws-us-gov",
        leading: &["us", "gov"],
        any_leading: false,
        dns_suffix: "amazonaws.com",
        region_regex: r"^us\-gov\-\w+\-\d+$",
        regions: &["us-gov-east-1", "us-gov-west-1"],
    },
];

impl Partition {
    /// True for a name of this partition's region form (its SDK pattern).
    pub fn matches(&self, region: &str) -> bool {
        let tokens: Vec<&str> = region.split('-').collect();
        let lead = if self.any_leading { 1 } else { self.leading.len() };
        if tokens.len() != lead + 2 {
            return false;
        }
        let leading_ok =
            if self.any_leading { self.leading.contains(&tokens[0]) } else { tokens[..lead] == *self.leading };
        let word = tokens[lead];
        let number = tokens[lead + 1];
        leading_ok
            && !word.is_empty()
            && word.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
    }
}

/// The partition of a region name (`us-east-1` -> `aws`, `cn-north-1` ->
/// `aws-cn`, `eusc-de-east-1` -> `aws-eusc`), or `None` when the name has
/// the form of no partition's regions. By form only: whether the region
/// exists is [`region_problem`]'s question.
pub fn of_region(region: &str) -> Option<&'static str> {
    PARTITIONS.iter().find(|p| p.matches(region)).map(|p| p.id)
}

/// True for a region the SDK's endpoint metadata lists by name.
pub fn is_known_region(region: &str) -> bool {
    PARTITIONS.iter().any(|p| p.regions.contains(&region))
}

/// True for a region that may be used: one the SDK lists, or, with
/// `skip_validation` (the provider's `skipRegionValidation`), any name of a
/// partition's region form.
pub fn is_region(region: &str, skip_validation: bool) -> bool {
    region_problem(region, skip_validation).is_none()
}

/// Why `region` is not a region the provider accepts, as the rest of a
/// sentence after the property path: `must be ..., got "us-west-9"; ...`,
/// naming the regions of its partition (the nearest ones where there are
/// many) and the opt-in for a region newer than the SDK's list. `None` for a
/// known region, and with `skip_validation` for any name of a region form.
pub fn region_problem(region: &str, skip_validation: bool) -> Option<String> {
    if is_known_region(region) {
        return None;
    }
    let partition = PARTITIONS.iter().find(|p| p.matches(region));
    match partition {
        Some(_) if skip_validation => None,
        Some(p) => {
            let listed = if p.regions.len() <= 6 {
                format!("its regions are {}", p.regions.join(", "))
            } else {
                format!("the nearest are {}", nearest(region, p.regions).join(", "))
            };
            Some(format!(
                "must be an AWS region, got \"{region}\", which {} does not have; {listed} (a region newer than this provider needs skipRegionValidation: true)",
                p.id
            ))
        }
        None => {
            let all: Vec<&str> = PARTITIONS.iter().flat_map(|p| p.regions.iter().copied()).collect();
            let near = nearest(&region.to_ascii_lowercase(), &all);
            Some(format!(
                "must be an AWS region name such as us-east-1, got \"{region}\" (the nearest known: {}; other partitions' regions look like cn-north-1, us-gov-west-1 or eusc-de-east-1)",
                near.join(", ")
            ))
        }
    }
}

/// The regions closest to `name` by edit distance (at most 4, in list order).
fn nearest<'a>(name: &str, regions: &[&'a str]) -> Vec<&'a str> {
    let scored: Vec<(usize, &str)> = regions.iter().map(|r| (edit_distance(name, r), *r)).collect();
    let best = scored.iter().map(|(d, _)| *d).min().unwrap_or(0);
    scored.into_iter().filter(|(d, _)| *d == best).map(|(_, r)| r).take(4).collect()
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The partition assumed while none is known (no region yet, an ARN
/// without one).
pub const DEFAULT: &str = "aws";

/// The partition of an ARN ([`DEFAULT`] when it has none).
pub fn of_arn(arn: &str) -> &str {
    arn.strip_prefix("arn:").and_then(|r| r.split(':').next()).filter(|p| is_partition(p)).unwrap_or(DEFAULT)
}

/// True for a partition id (`aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, ...).
pub fn is_partition(s: &str) -> bool {
    PARTITIONS.iter().any(|p| p.id == s)
}

/// The DNS suffix of a partition's endpoints.
pub fn dns_suffix(partition: &str) -> Option<&'static str> {
    PARTITIONS.iter().find(|p| p.id == partition).map(|p| p.dns_suffix)
}

/// The parts of an ARN: `arn:<partition>:<service>:<region>:<account>:<resource>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

/// Splits an ARN into its parts; `None` when it is not one.
pub fn parse_arn(s: &str) -> Option<Arn<'_>> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    Some(Arn {
        partition: parts.next()?,
        service: parts.next()?,
        region: parts.next()?,
        account: parts.next()?,
        resource: parts.next()?,
    })
}

/// True for a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// True for the ARN of an IAM role, `arn:<partition>:iam::<account>:role/<name>`,
/// at most 2048 characters (the limit of STS and of ECR for a role to assume).
pub fn is_role_arn(arn: &str) -> bool {
    arn.len() <= 2048
        && parse_arn(arn).is_some_and(|a| {
            is_partition(a.partition)
                && a.service == "iam"
                && a.region.is_empty()
                && is_account_id(a.account)
                && a.resource.strip_prefix("role/").is_some_and(|n| !n.is_empty())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_partitions() {
        let cases = [
            ("us-east-1", Some("aws")),
            ("eu-west-3", Some("aws")),
            ("ap-southeast-7", Some("aws")),
            ("mx-central-1", Some("aws")),
            ("cn-northwest-1", Some("aws-cn")),
            ("us-gov-west-1", Some("aws-us-gov")),
            ("us-iso-east-1", Some("aws-iso")),
            ("us-isob-east-1", Some("aws-iso-b")),
            ("eu-isoe-west-1", Some("aws-iso-e")),
            ("us-isof-south-1", Some("aws-iso-f")),
            ("eusc-de-east-1", Some("aws-eusc")),
            ("us-east", None),
            ("Mars-1", None),
            ("xx-east-1", None),
            ("us-east-1a", None),
            ("eusc-fr-east-1", None),
            ("", None),
        ];
        for (region, want) in cases {
            assert_eq!(of_region(region), want, "{region}");
        }
    }

    #[test]
    fn only_listed_regions_without_the_opt_in() {
        for region in ["us-east-1", "ap-southeast-7", "cn-northwest-1", "us-gov-east-1", "eusc-de-east-1"] {
            assert_eq!(region_problem(region, false), None, "{region}");
        }
        let p = region_problem("us-west-9", false).unwrap();
        assert!(p.starts_with("must be an AWS region, got \"us-west-9\", which aws does not have"), "{p}");
        assert!(p.contains("the nearest are us-west-1, us-west-2 ("), "{p}");
        assert!(p.contains("skipRegionValidation: true"), "{p}");
        let p = region_problem("cn-south-1", false).unwrap();
        assert!(p.contains("which aws-cn does not have; its regions are cn-north-1, cn-northwest-1"), "{p}");
        let p = region_problem("US-EAST-1", true).unwrap();
        assert!(
            p.contains("must be an AWS region name such as us-east-1") && p.contains("nearest known: us-east-1"),
            "{p}"
        );
        // The opt-in accepts the region form of a partition, nothing else.
        assert_eq!(region_problem("us-west-9", true), None);
        assert_eq!(region_problem("eusc-de-north-2", true), None);
        assert!(region_problem("eusc-fr-east-1", true).is_some());
        assert!(region_problem("Mars", true).is_some());
        assert!(is_region("eu-west-1", false) && !is_region("eu-west-4", false) && is_region("eu-west-4", true));
    }

    #[test]
    fn every_listed_region_has_its_partitions_form() {
        for p in PARTITIONS {
            assert!(p.regions.windows(2).all(|w| w[0] < w[1]), "{} sorted", p.id);
            for r in p.regions {
                assert_eq!(of_region(r), Some(p.id), "{r}");
            }
        }
    }

    /// The table above and the SDK's own endpoint metadata agree: every
    /// region resolves, through the SDK's endpoint resolver, to an endpoint
    /// under the DNS suffix of the partition the table gives it.
    #[tokio::test]
    async fn partition_table_agrees_with_the_sdk_endpoint_metadata() {
        use aws_sdk_ecr::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
        let resolver = DefaultResolver::new();
        for region in [
            "us-east-1",
            "eu-central-2",
            "cn-north-1",
            "us-gov-east-1",
            "us-iso-west-1",
            "us-isob-east-1",
            "eu-isoe-west-1",
            "us-isof-east-1",
            "eusc-de-east-1",
        ] {
            let partition = of_region(region).unwrap();
            let params = Params::builder().region(region).build().unwrap();
            let endpoint = resolver.resolve_endpoint(&params).await.unwrap();
            let suffix = dns_suffix(partition).unwrap();
            assert!(endpoint.url().ends_with(suffix), "{region} ({partition}): {}", endpoint.url());
        }
    }

    #[test]
    fn arns_split_into_parts() {
        let a = parse_arn("arn:aws-cn:kms:cn-north-1:123456789012:key/abc").unwrap();
        assert_eq!(
            a,
            Arn {
                partition: "aws-cn",
                service: "kms",
                region: "cn-north-1",
                account: "123456789012",
                resource: "key/abc"
            }
        );
        assert_eq!(parse_arn("arn:aws:iam::123456789012:role/a:b").unwrap().resource, "role/a:b");
        assert_eq!(parse_arn("not-an-arn"), None);
        assert_eq!(parse_arn("arn:aws:iam"), None);
    }
}
