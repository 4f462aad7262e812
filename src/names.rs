//! Every property name of the package's resources, written once. The
//! property tables, the readers of inputs and outputs and the messages that
//! name a property use these constants, so a name is spelled in one place
//! (plus schema.json, which tests/schema.rs holds to the tables).

pub const ADOPT: &str = "adopt";
pub const APPLIED_FOR: &str = "appliedFor";
pub const ARN: &str = "arn";
pub const AWS_TAGS: &str = "awsTags";
pub const CREATED_AT: &str = "createdAt";
pub const CREDENTIAL_ARN: &str = "credentialArn";
pub const CUSTOM_ROLE_ARN: &str = "customRoleArn";
pub const DESCRIPTION: &str = "description";
pub const ECR_REPOSITORY_PREFIX: &str = "ecrRepositoryPrefix";
pub const ENCRYPTION_TYPE: &str = "encryptionType";
pub const FORCE_DELETE: &str = "forceDelete";
pub const IMAGE_TAG_MUTABILITY: &str = "imageTagMutability";
pub const IMMUTABLE_TAG_EXCLUSIONS: &str = "immutableTagExclusions";
pub const IMMUTABLE_TAGS: &str = "immutableTags";
pub const KMS_KEY: &str = "kmsKey";
pub const LAMBDA_PULL: &str = "lambdaPull";
pub const LIFECYCLE_POLICY: &str = "lifecyclePolicy";
pub const LIFECYCLE_POLICY_DOCUMENT: &str = "lifecyclePolicyDocument";
pub const LIFECYCLE_POLICY_TEXT: &str = "lifecyclePolicyText";
pub const MUTABLE_TAG_EXCLUSIONS: &str = "mutableTagExclusions";
pub const NAME: &str = "name";
pub const POLICY_STATEMENTS: &str = "policyStatements";
pub const PREFIX: &str = "prefix";
pub const PREVIOUS_VALUE: &str = "previousValue";
pub const PRINCIPAL_ARN: &str = "principalArn";
pub const PULL_ORGANIZATION_PATHS: &str = "pullOrganizationPaths";
pub const PULL_ORGANIZATIONS: &str = "pullOrganizations";
pub const PULL_POLICY_DOCUMENT: &str = "pullPolicyDocument";
pub const PULL_PRINCIPALS: &str = "pullPrincipals";
pub const PUSH_POLICY_DOCUMENT: &str = "pushPolicyDocument";
pub const PUSH_PRINCIPALS: &str = "pushPrincipals";
pub const REGION: &str = "region";
pub const REGISTRY_ID: &str = "registryId";
pub const REGISTRY_POLICY_TEXT: &str = "registryPolicyText";
pub const REPLICATION: &str = "replication";
pub const REPLICATION_BACKFILLS: &str = "replicationBackfills";
pub const REPLICATION_SOURCE_ACCOUNTS: &str = "replicationSourceAccounts";
pub const REPOSITORY_NAME: &str = "repositoryName";
pub const REPOSITORY_POLICY_DOCUMENT: &str = "repositoryPolicyDocument";
pub const REPOSITORY_POLICY_TEXT: &str = "repositoryPolicyText";
pub const REPOSITORY_URL: &str = "repositoryUrl";
pub const SCANNING: &str = "scanning";
pub const SCAN_ON_PUSH: &str = "scanOnPush";
pub const SIGNING: &str = "signing";
pub const TAGS: &str = "tags";
pub const TAGS_ALL: &str = "tagsAll";
pub const UPSTREAM: &str = "upstream";
pub const UPSTREAM_REGISTRY_URL: &str = "upstreamRegistryUrl";
pub const UPSTREAM_REPOSITORY_PREFIX: &str = "upstreamRepositoryPrefix";
pub const VALUE: &str = "value";

/// The provider's configuration keys (`awsecr:<key>` in stack config), and
/// the keys of `assumeRole`.
pub mod config {
    pub use super::REGION;
    pub const PROFILE: &str = "profile";
    pub const ACCESS_KEY: &str = "accessKey";
    pub const SECRET_KEY: &str = "secretKey";
    pub const TOKEN: &str = "token";
    pub const ASSUME_ROLE: &str = "assumeRole";
    pub const ENDPOINT: &str = "endpoint";
    pub const MAX_RETRIES: &str = "maxRetries";
    pub const DEFAULT_TAGS: &str = "defaultTags";
    pub const ORGANIZATION: &str = "organization";
    pub const ENVIRONMENT: &str = "environment";
    pub const IAM_PROPAGATION_TIMEOUT: &str = "iamPropagationTimeout";
    pub const SKIP_REGION_VALIDATION: &str = "skipRegionValidation";
    pub const LIFECYCLE_PREVIEW_TIMEOUT: &str = "lifecyclePreviewTimeout";
    pub const PROTECTED_TAGS: &str = "protectedTags";
    pub const ROLE_ARN: &str = "roleArn";
    pub const SESSION_NAME: &str = "sessionName";
    pub const EXTERNAL_ID: &str = "externalId";
    pub const DURATION_SECONDS: &str = "durationSeconds";
}
