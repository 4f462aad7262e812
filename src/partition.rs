//! AWS partitions and regions: which partition a region belongs to (the
//! region patterns of the AWS SDK's endpoint metadata, checked against the
//! SDK's own endpoint resolver by a test), and the pieces of an ARN that the
//! checks compare with the provider's region. Pure: no AWS calls.

/// One partition: its id and the form of its region names,
/// `<leading tokens>-<word>-<number>`.
struct Partition {
    id: &'static str,
    /// The first tokens of a region name; any one of them for `aws`, all of
    /// them in order otherwise.
    leading: &'static [&'static str],
    any_leading: bool,
    /// The DNS suffix of the partition's endpoints.
    dns_suffix: &'static str,
}

/// Every partition the SDK's endpoint metadata knows, with its region form.
const PARTITIONS: &[Partition] = &[
    Partition {
        id: "aws",
        leading: &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"],
        any_leading: true,
        dns_suffix: "amazonaws.com",
    },
    Partition { id: "aws-cn", leading: &["cn"], any_leading: false, dns_suffix: "amazonaws.com.cn" },
    Partition { id: "aws-eusc", leading: &["eusc", "de"], any_leading: false, dns_suffix: "amazonaws.eu" },
    Partition { id: "aws-iso", leading: &["us", "iso"], any_leading: false, dns_suffix: "c2s.ic.gov" },
    Partition { id: "aws-iso-b", leading: &["us", "isob"], any_leading: false, dns_suffix: "sc2s.sgov.gov" },
    Partition { id: "aws-iso-e", leading: &["eu", "isoe"], any_leading: false, dns_suffix: "cloud.adc-e.uk" },
    Partition { id: "aws-iso-f", leading: &["us", "isof"], any_leading: false, dns_suffix: "csp.hci.ic.gov" },
    Partition { id: "aws-us-gov", leading: &["us", "gov"], any_leading: false, dns_suffix: "amazonaws.com" },
];

impl Partition {
    fn matches(&self, region: &str) -> bool {
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
/// the form of no partition's regions.
pub fn of_region(region: &str) -> Option<&'static str> {
    PARTITIONS.iter().find(|p| p.matches(region)).map(|p| p.id)
}

/// True for a name of the form of some partition's regions.
pub fn is_region(region: &str) -> bool {
    of_region(region).is_some()
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
