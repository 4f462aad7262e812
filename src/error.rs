//! The provider's error type and its one conversion to a gRPC status.
//! User mistakes and AWS refusals get fitting codes (never Unknown/Internal,
//! which the engine reads as "state may be corrupt"); a create that failed
//! after the repository exists carries ErrorResourceInitFailed so the engine
//! records the repository instead of orphaning it.

use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use prost::Message;
use tonic::Code;

use crate::property::{Map, encode_struct};
use crate::proto::pulumirpc;

#[derive(Debug, Clone, PartialEq)]
pub enum ProviderError {
    /// A clear, complete sentence for the user, with a gRPC code.
    User { code: Code, message: String },
    /// Creation failed after the repository came to exist.
    InitFailed { id: String, properties: Map, inputs: Map, reason: String, code: Code },
}

pub type Result<T> = std::result::Result<T, ProviderError>;

impl ProviderError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ProviderError::User { code, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
    pub fn message(&self) -> &str {
        match self {
            ProviderError::User { message, .. } => message,
            ProviderError::InitFailed { reason, .. } => reason,
        }
    }
    /// The same error with every secret string taken out of what it says.
    pub fn redacted(self, secrets: &[String]) -> Self {
        if secrets.is_empty() {
            return self;
        }
        match self {
            ProviderError::User { code, message } => {
                ProviderError::User { code, message: crate::validate::redact_text(&message, secrets) }
            }
            ProviderError::InitFailed { id, properties, inputs, reason, code } => ProviderError::InitFailed {
                id,
                properties,
                inputs,
                reason: crate::validate::redact_text(&reason, secrets),
                code,
            },
        }
    }
    pub fn code(&self) -> Code {
        match self {
            ProviderError::User { code, .. } | ProviderError::InitFailed { code, .. } => *code,
        }
    }
}

impl std::fmt::Display for ProviderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ProviderError {}

/// google.rpc.Status, the envelope gRPC uses for error details.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_types::Any>,
}

impl From<ProviderError> for tonic::Status {
    fn from(e: ProviderError) -> Self {
        match e {
            ProviderError::User { code, message } => tonic::Status::new(code, message),
            ProviderError::InitFailed { id, properties, inputs, reason, code } => {
                let detail = pulumirpc::ErrorResourceInitFailed {
                    id,
                    properties: Some(encode_struct(&properties)),
                    reasons: vec![reason.clone()],
                    inputs: Some(encode_struct(&inputs)),
                    ..Default::default()
                };
                let status = RpcStatus {
                    code: code as i32,
                    message: reason.clone(),
                    details: vec![prost_types::Any {
                        type_url: "type.googleapis.com/pulumirpc.ErrorResourceInitFailed".into(),
                        value: detail.encode_to_vec(),
                    }],
                };
                tonic::Status::with_details(code, reason, status.encode_to_vec().into())
            }
        }
    }
}

/// Decodes the ErrorResourceInitFailed detail of a status, if it has one.
pub fn init_failure_of(status: &tonic::Status) -> Option<pulumirpc::ErrorResourceInitFailed> {
    let s = RpcStatus::decode(status.details()).ok()?;
    s.details
        .iter()
        .find(|a| a.type_url.ends_with("pulumirpc.ErrorResourceInitFailed"))
        .and_then(|a| pulumirpc::ErrorResourceInitFailed::decode(a.value.as_slice()).ok())
}

/// Codes AWS uses for throttling.
const THROTTLING: &[&str] =
    &["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ThrottledException"];

/// What an AWS call was about, for the sentence the user reads.
pub struct Call<'a> {
    /// The IAM action, e.g. `ecr:CreateRepository`.
    pub action: &'a str,
    /// What the call is on.
    pub subject: Subject<'a>,
    /// The Pulumi resource name, for the `pulumi import` suggestion.
    pub resource_name: &'a str,
    pub max_retries: u32,
    /// The shared-config profile the provider was told to use, if any.
    pub profile: Option<&'a str>,
    /// The role the provider assumes, if any.
    pub role_arn: Option<&'a str>,
}

/// Translates an AWS SDK error into one sentence that says what to do.
pub fn aws_error<E, R>(call: &Call<'_>, err: &SdkError<E, R>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let repo = call.subject.name();
    let target = call.subject.to_string();
    crate::log::log(crate::log::Level::Debug, || format!("{} failed: {}", call.action, chain(err, false)));
    if let Some(sentence) = credentials_problem(err, call) {
        return ProviderError::new(Code::Unauthenticated, sentence);
    }
    if let Some(error) = transport_error(call, err, &target) {
        return error;
    }
    let code = err.code().unwrap_or("");
    let aws_message = err.message().unwrap_or("").trim_end_matches('.');
    let (grpc, sentence) = action_sentence(call, code, aws_message, repo, &target)
        .unwrap_or_else(|| code_sentence(call, code, aws_message, repo, &target));
    ProviderError::new(grpc, sentence)
}

/// The sentence of an error that left no answer from ECR (the network,
/// a timeout, an unreadable answer); `None` when ECR answered.
fn transport_error<E, R>(call: &Call<'_>, err: &SdkError<E, R>, target: &str) -> Option<ProviderError> {
    match err {
        SdkError::DispatchFailure(d) => {
            let detail = if d.is_timeout() { "the connection timed out" } else { "the connection failed" };
            Some(ProviderError::new(
                Code::Unavailable,
                format!(
                    "could not reach ECR for {} on {target} ({detail}); check the network, awsecr:region and awsecr:endpoint, then run again",
                    call.action
                ),
            ))
        }
        SdkError::TimeoutError(_) => Some(ProviderError::new(
            Code::DeadlineExceeded,
            format!("ECR did not answer {} on {target} in time; run again", call.action),
        )),
        SdkError::ResponseError(_) => Some(ProviderError::new(
            Code::Unavailable,
            format!("ECR sent an unreadable answer to {} on {target}; run again", call.action),
        )),
        _ => None,
    }
}

/// The sentence of an error code that means something particular for one
/// action (scanning's Amazon Inspector, a repository policy's principals,
/// the signing profiles); `None` when the code's general sentence applies.
fn action_sentence(call: &Call<'_>, code: &str, aws_message: &str, repo: &str, target: &str) -> Option<(Code, String)> {
    match code {
        "AccessDeniedException" | "AccessDenied" if call.action == "ecr:PutRegistryScanningConfiguration" => Some((
            Code::PermissionDenied,
            format!(
                "the AWS credentials in use may not change the scanning configuration of {target} ({aws_message}); ENHANCED scanning is Amazon Inspector's, which ECR turns on (and, back to BASIC, off) with the caller's permissions: grant ecr:PutRegistryScanningConfiguration, inspector2:Enable, inspector2:Disable, inspector2:ListAccountPermissions and iam:CreateServiceLinkedRole (for inspector2.amazonaws.com), or keep scanning.type BASIC"
            ),
        )),
        "InvalidParameterException" if call.action == "ecr:SetRepositoryPolicy" => Some((
            Code::InvalidArgument,
            format!(
                "ECR refused the repository policy of repository \"{repo}\" ({aws_message}); every role and user in pullPrincipals and pushPrincipals must exist, since ECR checks them when the policy is set"
            ),
        )),
        "InvalidParameterException" if call.action == "ecr:PutSigningConfiguration" => Some((
            Code::InvalidArgument,
            format!(
                "ECR refused the signing rules of {target} ({aws_message}); every signingProfileArn must name an Active AWS Signer signing profile of the registry's account and region, made for container images (platform Notation-OCI-SHA384-ECDSA): create it (aws signer put-signing-profile --profile-name <name> --platform-id Notation-OCI-SHA384-ECDSA) or correct the ARN, then run `pulumi up` again"
            ),
        )),
        "BlockedByOrganizationPolicyException" if call.action == "ecr:PutRegistryScanningConfiguration" => Some((
            Code::FailedPrecondition,
            format!(
                "an AWS Organizations policy of this account blocks the scanning configuration of {target} ({aws_message}); ENHANCED scanning needs Amazon Inspector, which the organization manages here: ask its administrator to activate Amazon Inspector's ECR scanning for this account and region, or set scanning.type BASIC"
            ),
        )),
        "InvalidParameterException" | "ValidationException"
            if call.action == "ecr:PutRegistryScanningConfiguration"
                && aws_message.to_ascii_lowercase().contains("inspector") =>
        {
            Some((
                Code::FailedPrecondition,
                format!(
                    "ECR could not use Amazon Inspector for the scanning configuration of {target} ({aws_message}); ENHANCED scanning is Amazon Inspector's: activate its ECR scanning for this account and region (`aws inspector2 enable --resource-types ECR`), or set scanning.type BASIC"
                ),
            ))
        }
        _ => None,
    }
}

/// The sentence of an AWS error code, whatever the action.
fn code_sentence(call: &Call<'_>, code: &str, aws_message: &str, repo: &str, target: &str) -> (Code, String) {
    match code {
        "RepositoryAlreadyExistsException" => (
            Code::AlreadyExists,
            format!(
                "ECR repository \"{repo}\" already exists; to manage it with Pulumi, import it: pulumi import awsecr:index:Repository {} {repo}",
                call.resource_name
            ),
        ),
        "RepositoryNotEmptyException" => (
            Code::FailedPrecondition,
            format!(
                "ECR repository \"{repo}\" still holds images, so it was not deleted (and nothing in it was); to delete it together with its images, set only forceDelete: true, with no other change (undo a rename or an encryption change for now), run `pulumi up`, then make the change or the deletion again; or delete the images first"
            ),
        ),
        "RepositoryNotFoundException" => (
            Code::NotFound,
            format!("ECR repository \"{repo}\" does not exist; run `pulumi refresh` to bring the stack up to date"),
        ),
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => (
            Code::PermissionDenied,
            format!(
                "the AWS credentials in use may not call {} on {target}; grant the IAM action {} to them",
                call.action, call.action
            ),
        ),
        "UnrecognizedClientException" | "InvalidClientTokenId" | "InvalidSignatureException" | "ExpiredTokenException" => (
            Code::Unauthenticated,
            "AWS did not accept the credentials in use (unknown, expired or mistyped keys); check awsecr:accessKey/secretKey/token, awsecr:profile or the AWS environment".to_string(),
        ),
        "KmsException" => (
            Code::InvalidArgument,
            format!("KMS refused the key for {target} ({aws_message}); check kmsKey and the key policy"),
        ),
        "LimitExceededException" => (
            Code::ResourceExhausted,
            format!("an ECR limit was reached for {target} ({aws_message}); raise the quota or remove unused repositories"),
        ),
        "TooManyTagsException" => (Code::InvalidArgument, format!("repository \"{repo}\" would carry more than 50 tags; remove some tags")),
        "InvalidTagParameterException" | "InvalidParameterException" | "ValidationException" => {
            (Code::InvalidArgument, format!("ECR refused {} for {target}: {aws_message}", call.action))
        }
        "ServerException" | "InternalFailure" | "ServiceUnavailable" => (
            Code::Unavailable,
            format!(
                "ECR failed on its side for {} on {target} after {} retries; run again later",
                call.action, call.max_retries
            ),
        ),
        c if THROTTLING.contains(&c) => (
            Code::Unavailable,
            format!(
                "ECR kept throttling {} on {target} after {} retries; run again later, lower --parallel, or raise awsecr:maxRetries",
                call.action, call.max_retries
            ),
        ),
        _ => (
                Code::FailedPrecondition,
                format!(
                    "ECR refused {} on {target}{}{}",
                    call.action,
                    if code.is_empty() { String::new() } else { format!(" with {code}") },
                    if aws_message.is_empty() { String::new() } else { format!(": {aws_message}") }
                ),
        ),
    }
}

/// The sentence for a registry policy ECR refused (PutRegistryPolicy's
/// InvalidParameterException) while it names `actions` that only the
/// registry policy scope V2 allows; `scope` is the account's
/// REGISTRY_POLICY_SCOPE when it could be read. `None` when the scope is
/// V2 (then the scope is not the cause, and the plain sentence applies).
pub fn policy_scope_refused(aws_message: &str, actions: &[String], scope: Option<&str>) -> Option<ProviderError> {
    let aws_message = aws_message.trim_end_matches('.');
    let named = actions.join(", ");
    let v1 = "ecr:ReplicateImage, ecr:BatchImportUpstreamImage and ecr:CreateRepository";
    let fix = "set the account setting REGISTRY_POLICY_SCOPE to V2 (an awsecr:index:AccountSetting with name: REGISTRY_POLICY_SCOPE and value: V2, or `aws ecr put-account-setting --name REGISTRY_POLICY_SCOPE --value V2`), then run `pulumi up` again";
    let sentence = match scope {
        Some("V2") => return None,
        Some(scope) => format!(
            "ECR refused the registry policy ({aws_message}): it names {named}, which only registry policy scope V2 allows, and this account's REGISTRY_POLICY_SCOPE is {scope} (only {v1} then); {fix}, or name only those three actions"
        ),
        None => format!(
            "ECR refused the registry policy ({aws_message}); it names {named}, which only registry policy scope V2 allows: if this account's REGISTRY_POLICY_SCOPE is V1 (only {v1} then; the credentials could not read it with ecr:GetAccountSetting), {fix}, or name only those three actions"
        ),
    };
    Some(ProviderError::new(Code::FailedPrecondition, sentence))
}

/// What a call is on, carried by the call context and named in its
/// sentences: `repository "name"`, `the registry`, `pull-through cache rule
/// "quay"`, `repository creation template "team"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    Repository(&'a str),
    Registry,
    /// A pull-through cache rule, by its ECR repository prefix.
    Rule(&'a str),
    /// A repository creation template, by its prefix.
    Template(&'a str),
}

impl Subject<'_> {
    /// Its name: the repository's name or the prefix; empty for the registry.
    pub fn name(&self) -> &str {
        match self {
            Subject::Repository(n) | Subject::Rule(n) | Subject::Template(n) => n,
            Subject::Registry => "",
        }
    }
}

impl std::fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Repository(n) => write!(f, "repository \"{n}\""),
            Subject::Registry => f.write_str("the registry"),
            Subject::Rule(p) => write!(f, "pull-through cache rule \"{p}\""),
            Subject::Template(p) => write!(f, "repository creation template \"{p}\""),
        }
    }
}

/// Where the default credential chain looks, for the sentence that says
/// none was found.
const CHAIN_PLACES: &str = "awsecr:accessKey/secretKey, the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), the shared files ~/.aws/credentials and ~/.aws/config (profile default, or AWS_PROFILE), web identity (AWS_WEB_IDENTITY_TOKEN_FILE), the ECS container and the EC2 instance metadata";

/// One sentence for a call that failed because no usable credentials could
/// be had, telling the causes apart: none found, a profile that does not
/// exist, an SSO session that expired, a role that could not be assumed.
/// `None` when the failure is not about credentials.
fn credentials_problem(err: &(dyn std::error::Error + 'static), call: &Call<'_>) -> Option<String> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut current = Some(err);
    let cause = loop {
        let e = current?;
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            break c;
        }
        current = e.source();
    };
    let detail = chain(cause, true);
    let lower = detail.to_ascii_lowercase();
    let env_profile = std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let profile = call.profile.map(str::to_string).or(env_profile);
    let profile_words = |p: &str| format!("the AWS profile \"{p}\"");
    if lower.contains("sso") {
        let p = profile.as_deref().unwrap_or("default");
        return Some(format!(
            "the AWS SSO (IAM Identity Center) session of {} has expired or was never started, so {} could not be signed; run `aws sso login --profile {p}`, then run again",
            profile_words(p),
            call.action
        ));
    }
    if lower.contains("was not defined") || lower.contains("no profiles") {
        let p = profile.as_deref().unwrap_or("default");
        return Some(format!(
            "{} does not exist in the shared AWS config files (~/.aws/config and ~/.aws/credentials, or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE); check awsecr:profile (or AWS_PROFILE) and the files",
            profile_words(p)
        ));
    }
    if let CredentialsError::CredentialsNotLoaded(_) = cause {
        if let Some(p) = &profile {
            return Some(format!(
                "{} was not found or holds no credentials (the shared AWS config files ~/.aws/config and ~/.aws/credentials were read); check awsecr:profile (or AWS_PROFILE) and the files",
                profile_words(p)
            ));
        }
        return Some(format!(
            "no AWS credentials were found for {}; the provider looked in {CHAIN_PLACES}: set one of them (for example `pulumi config set --secret awsecr:accessKey ...`), then run again",
            call.action
        ));
    }
    if let Some(role) = call.role_arn {
        if lower.contains("accessdenied") || lower.contains("not authorized") {
            return Some(format!(
                "AWS refused to let the provider assume the role {role} (awsecr:assumeRole); check that the role's trust policy allows the caller and that the caller may call sts:AssumeRole, then run again"
            ));
        }
        if lower.contains("dispatch failure") || lower.contains("connect") {
            return Some(format!(
                "could not reach AWS STS to assume the role {role} (the connection failed); check the network (and AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, which route STS, if set), then run again"
            ));
        }
    }
    if lower.contains("expired") {
        return Some(
            "the AWS credentials in use have expired; refresh them (a new session token, `aws sso login`, or the CI's credentials step), then run again".to_string(),
        );
    }
    let innermost = std::iter::successors(Some(cause as &(dyn std::error::Error + 'static)), |e| e.source())
        .last()
        .map(|e| e.to_string())
        .unwrap_or_default();
    Some(format!(
        "the AWS credentials could not be loaded for {} ({innermost}); check awsecr:profile, awsecr:assumeRole and the AWS environment",
        call.action
    ))
}

/// An error and every source below it: as they display themselves (for the
/// diagnostic log), or with their debug form too (for telling causes apart;
/// never logged).
fn chain(err: &(dyn std::error::Error + 'static), debug: bool) -> String {
    let mut out = if debug { format!("{err} [{err:?}]") } else { err.to_string() };
    let mut source = err.source();
    while let Some(e) = source {
        out.push_str(" <- ");
        out.push_str(&if debug { format!("{e} [{e:?}]") } else { e.to_string() });
        source = e.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Subject;

    #[test]
    fn messages_name_what_a_call_was_on() {
        assert_eq!(Subject::Repository("team/api").to_string(), "repository \"team/api\"");
        assert_eq!(Subject::Registry.to_string(), "the registry");
        assert_eq!(Subject::Rule("quay").to_string(), "pull-through cache rule \"quay\"");
        assert_eq!(Subject::Template("team").to_string(), "repository creation template \"team\"");
        // A name with a space is still a repository's (or a rule's) name,
        // not words to print as they are.
        assert_eq!(Subject::Rule("a b").name(), "a b");
        assert_eq!(Subject::Registry.name(), "");
    }
}
