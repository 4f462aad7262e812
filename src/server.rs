//! The gRPC face of the provider: the only module that knows tonic. Each RPC
//! decodes its request, dispatches by type token to a resource (or by
//! function token to a function), and turns the result into a response or a
//! status.

use std::sync::{Arc, RwLock};

use tokio::net::{TcpListener, TcpStream};
use tokio_stream::{Stream, StreamExt, wrappers::TcpListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::call::Ctx;
use crate::config::{self, ProviderConfig};
use crate::engine::EngineLog;
use crate::error::ProviderError;
use crate::functions::{self, Function, Invoked};
use crate::log::{self, Level, Redacted};
use crate::naming::{Autonaming, NamingContext};
use crate::property::{Map, decode_opt, encode_struct};
use crate::proto::pulumirpc::{self, resource_provider_server::ResourceProvider};
use crate::resource::{Claims, DiffKind, Resource, claimed_elsewhere};
use crate::resources;
use crate::validate::{Failure, redact, secret_strings};

/// Version of this provider, reported by GetPluginInfo and the schema.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The package contract, served by GetSchema.
pub const SCHEMA: &str = include_str!("../schema.json");

struct Configured {
    config: ProviderConfig,
    client: aws_sdk_ecr::Client,
}

impl Configured {
    /// What the calls about an existing resource go through: the client and
    /// configuration of the region its state records (`olds`), when that is
    /// not the provider's region in force. A refresh or a delete after
    /// `awsecr:region` changed then reads or deletes the resource where it
    /// is, never a namesake in the new region; creates (and imports, which
    /// have no state) use the provider's region.
    fn at_home_of(self: Arc<Self>, olds: &Map) -> Arc<Configured> {
        let home = crate::resource::home_of(olds);
        match home.region {
            Some(region) if Some(region.as_str()) != self.config.region_in_force() => {
                log::log(Level::Debug, || format!("calls go to the resource's own region {region}"));
                let client = aws_sdk_ecr::Client::from_conf(
                    self.client.config().to_builder().region(aws_sdk_ecr::config::Region::new(region.clone())).build(),
                );
                let config = ProviderConfig { resolved_region: Some(region), ..self.config.clone() };
                Arc::new(Configured { config, client })
            }
            _ => self,
        }
    }
}

/// The provider: configuration, the shared ECR client, cancellation and the
/// engine log.
#[derive(Clone)]
pub struct Provider {
    configured: Arc<RwLock<Option<Arc<Configured>>>>,
    cancel: CancellationToken,
    claims: Arc<Claims>,
    log: EngineLog,
}

impl Provider {
    pub fn new(log: EngineLog) -> Self {
        Provider { configured: Arc::default(), cancel: CancellationToken::new(), claims: Arc::default(), log }
    }

    /// Cancelled by the engine's Cancel RPC (or by SIGINT in main).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    fn configured(&self) -> Result<Arc<Configured>, Status> {
        self.configured.read().expect("config lock").clone().ok_or_else(|| {
            Status::failed_precondition(
                "the awsecr provider was used before it was configured (Configure was not called)",
            )
        })
    }

    fn config_or_default(&self) -> ProviderConfig {
        self.configured.read().expect("config lock").as_ref().map(|c| c.config.clone()).unwrap_or_default()
    }
}

fn unknown_type(token: &str) -> Status {
    Status::not_found(format!(
        "unknown resource type \"{token}\"; the awsecr provider serves: {}",
        resources::tokens().join(", ")
    ))
}

fn unknown_function(token: &str) -> Status {
    Status::not_found(format!(
        "unknown function \"{token}\"; the awsecr provider serves: {}",
        functions::tokens().join(", ")
    ))
}

/// The resource a request is about, by its type token (or its URN's).
fn resource_of(token: &str, urn: &str) -> Result<&'static dyn Resource, Status> {
    let token = type_of(token, urn);
    resources::find(&token).map(|r| r.handler).ok_or_else(|| unknown_type(&token))
}

/// The resource type of a request: its `type` field, or the URN's type part.
fn type_of(token: &str, urn: &str) -> String {
    if !token.is_empty() {
        return token.to_string();
    }
    // urn:pulumi:stack::project::[parent$]type::name
    urn.split("::").nth(2).map(|t| t.rsplit('$').next().unwrap_or(t).to_string()).unwrap_or_default()
}

/// The error of a failed RPC as the user sees it: with no value that arrived
/// as a secret in `inputs`, and logged at debug level.
fn failed(rpc: &str, urn: &str, inputs: &[&Map], e: ProviderError) -> ProviderError {
    let secrets: Vec<String> = inputs.iter().flat_map(|m| secret_strings(m)).collect();
    let e = e.redacted(&secrets);
    log::log(Level::Debug, || format!("{rpc} {urn} failed ({:?}): {}", e.code(), e.message()));
    e
}

/// Check failures as the engine shows them. Given a property, every CLI of
/// the supported range (v3.142 to v3.276; `issueCheckFailures` in the
/// engine's pkg/resource/deploy/step_generator.go) looks it up among the
/// top-level inputs and prints that whole value before the reason
/// ("property replication value {[...]} has a problem: ..."): a dump of a
/// list or object, `{<nil>}` for a path it cannot look up, and a secret as it
/// is. Given none, it prints the reason alone ("resource 'r' has a problem:
/// ..."). So only a failure about a short top-level scalar that is not
/// secret names its property; every other one (a path inside a value, a
/// list, an object, a long text, a secret, an absent value) names none and
/// its path leads the reason (`replication[2].destinations[0].region: must
/// be ...`), so the provider's sentence comes first and no dump follows.
fn check_failures(fs: Vec<Failure>, inputs: &Map) -> Vec<pulumirpc::CheckFailure> {
    use crate::property::Value;
    const SHORT: usize = 64;
    fs.into_iter()
        .map(|f| {
            let short_scalar = match inputs.get(&f.property) {
                Some(Value::String(s)) => s.chars().count() <= SHORT,
                Some(Value::Number(_) | Value::Bool(_)) => true,
                _ => false,
            };
            if short_scalar || f.property.is_empty() {
                pulumirpc::CheckFailure { property: f.property, reason: f.reason }
            } else {
                pulumirpc::CheckFailure { property: String::new(), reason: format!("{}: {}", f.property, f.reason) }
            }
        })
        .collect()
}

/// Failures of a function's arguments: the engine prints them with their path.
fn failures(fs: Vec<Failure>) -> Vec<pulumirpc::CheckFailure> {
    fs.into_iter().map(|f| pulumirpc::CheckFailure { property: f.property, reason: f.reason }).collect()
}

fn deadline(timeout: f64) -> Option<tokio::time::Instant> {
    (timeout > 0.0 && timeout.is_finite())
        .then(|| tokio::time::Instant::now() + std::time::Duration::from_secs_f64(timeout.min(86_400.0 * 7.0)))
}

fn kind(k: DiffKind) -> i32 {
    use pulumirpc::property_diff::Kind;
    (match k {
        DiffKind::Add => Kind::Add,
        DiffKind::AddReplace => Kind::AddReplace,
        DiffKind::Delete => Kind::Delete,
        DiffKind::DeleteReplace => Kind::DeleteReplace,
        DiffKind::Update => Kind::Update,
        DiffKind::UpdateReplace => Kind::UpdateReplace,
    }) as i32
}

#[tonic::async_trait]
impl ResourceProvider for Provider {
    async fn handshake(
        &self,
        req: Request<pulumirpc::ProviderHandshakeRequest>,
    ) -> Result<Response<pulumirpc::ProviderHandshakeResponse>, Status> {
        self.log.connect(&req.get_ref().engine_address);
        Ok(Response::new(pulumirpc::ProviderHandshakeResponse {
            accept_secrets: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: true,
        }))
    }

    async fn parameterize(
        &self,
        _: Request<pulumirpc::ParameterizeRequest>,
    ) -> Result<Response<pulumirpc::ParameterizeResponse>, Status> {
        Err(Status::unimplemented("the awsecr provider cannot be parameterized"))
    }

    async fn get_schema(
        &self,
        req: Request<pulumirpc::GetSchemaRequest>,
    ) -> Result<Response<pulumirpc::GetSchemaResponse>, Status> {
        if !req.get_ref().subpackage_name.is_empty() {
            return Err(Status::not_found(format!(
                "the awsecr provider has no subpackage \"{}\"",
                req.get_ref().subpackage_name
            )));
        }
        Ok(Response::new(pulumirpc::GetSchemaResponse { schema: SCHEMA.to_string() }))
    }

    async fn check_config(
        &self,
        req: Request<pulumirpc::CheckRequest>,
    ) -> Result<Response<pulumirpc::CheckResponse>, Status> {
        let news = decode_opt(req.get_ref().news.as_ref());
        let (checked, fs) = config::check_config(&news);
        // Logged after Check has marked the credentials secret, so keys
        // given without --secret never reach the log either.
        log::log(Level::Trace, || format!("CheckConfig checked={}", Redacted(&checked)));
        Ok(Response::new(pulumirpc::CheckResponse {
            failures: check_failures(fs, &checked),
            inputs: Some(encode_struct(&checked)),
        }))
    }

    async fn diff_config(
        &self,
        req: Request<pulumirpc::DiffRequest>,
    ) -> Result<Response<pulumirpc::DiffResponse>, Status> {
        let r = req.get_ref();
        let olds = decode_opt(r.old_inputs.as_ref().or(r.olds.as_ref()));
        let news = decode_opt(r.news.as_ref());
        // Never a replacement: each resource's own Diff decides whether the
        // new configuration moves it (config::diff_config).
        let changed = config::diff_config(&olds, &news);
        let detailed = changed
            .iter()
            .map(|k| (k.clone(), pulumirpc::PropertyDiff { kind: kind(DiffKind::Update), input_diff: true }))
            .collect();
        Ok(Response::new(pulumirpc::DiffResponse {
            changes: if changed.is_empty() {
                pulumirpc::diff_response::DiffChanges::DiffNone
            } else {
                pulumirpc::diff_response::DiffChanges::DiffSome
            } as i32,
            diffs: changed,
            detailed_diff: detailed,
            has_detailed_diff: true,
            ..Default::default()
        }))
    }

    async fn configure(
        &self,
        req: Request<pulumirpc::ConfigureRequest>,
    ) -> Result<Response<pulumirpc::ConfigureResponse>, Status> {
        let r = req.get_ref();
        let map: Map = match &r.args {
            Some(args) => decode_opt(Some(args)),
            None => r
                .variables
                .iter()
                .map(|(k, v)| {
                    (k.rsplit(':').next().unwrap_or(k).to_string(), crate::property::Value::String(v.clone()))
                })
                .collect(),
        };
        let (checked, _) = config::check_config(&map);
        let mut config = ProviderConfig::parse(&checked).map_err(|fs| {
            Status::invalid_argument(format!(
                "invalid awsecr provider configuration: {}",
                redact(fs, &checked).iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            ))
        })?;
        log::log(Level::Debug, || {
            let credentials = match (&config.credentials, &config.assume_role, &config.profile) {
                (Some(_), _, _) => "static keys",
                (None, Some(_), _) => "assumed role",
                (None, None, Some(_)) => "profile",
                _ => "default chain",
            };
            format!(
                "Configure region={:?} endpoint={:?} credentials={credentials} maxRetries={:?}",
                config.region, config.endpoint, config.max_retries
            )
        });
        let (client, region) = config.ecr_client().await.map_err(Status::failed_precondition)?;
        config.resolved_region = Some(region);
        *self.configured.write().expect("config lock") = Some(Arc::new(Configured { config, client }));
        Ok(Response::new(pulumirpc::ConfigureResponse {
            accept_secrets: true,
            supports_preview: true,
            accept_resources: true,
            accept_outputs: false,
            supports_autonaming_configuration: true,
        }))
    }

    async fn invoke(
        &self,
        req: Request<pulumirpc::InvokeRequest>,
    ) -> Result<Response<pulumirpc::InvokeResponse>, Status> {
        let r = req.get_ref();
        let function: &dyn Function = functions::find(&r.tok).ok_or_else(|| unknown_function(&r.tok))?;
        let c = self.configured()?;
        // Functions only read; the engine bounds them itself.
        let ctx = self.ctx(&c, "", 0.0);
        let args = decode_opt(r.args.as_ref());
        log::log(Level::Trace, || format!("Invoke {} args={}", r.tok, Redacted(&args)));
        let invoked = function.invoke(&ctx, &args).await.map_err(|e| failed("Invoke", &r.tok, &[&args], e))?;
        Ok(Response::new(match invoked {
            Invoked::Return(result) => {
                pulumirpc::InvokeResponse { r#return: Some(encode_struct(&result)), failures: Vec::new() }
            }
            Invoked::Failures(fs) => {
                pulumirpc::InvokeResponse { r#return: None, failures: failures(redact(fs, &args)) }
            }
        }))
    }

    type ListStream = tokio_stream::Empty<Result<pulumirpc::ListResponse, Status>>;

    async fn list(&self, _: Request<pulumirpc::ListRequest>) -> Result<Response<Self::ListStream>, Status> {
        Err(Status::unimplemented("the awsecr provider does not list resources"))
    }

    async fn call(&self, _: Request<pulumirpc::CallRequest>) -> Result<Response<pulumirpc::CallResponse>, Status> {
        Err(Status::unimplemented("the awsecr provider has no methods"))
    }

    async fn check(&self, req: Request<pulumirpc::CheckRequest>) -> Result<Response<pulumirpc::CheckResponse>, Status> {
        let r = req.get_ref();
        let resource = resource_of(&r.r#type, &r.urn)?;
        let news = decode_opt(r.news.as_ref());
        let olds = decode_opt(r.olds.as_ref());
        log::log(Level::Trace, || format!("Check {} news={} olds={}", r.urn, Redacted(&news), Redacted(&olds)));
        let resource_name =
            if r.name.is_empty() { r.urn.rsplit("::").next().unwrap_or_default().to_string() } else { r.name.clone() };
        let autonaming = r.autonaming.as_ref().map(|a| {
            use pulumirpc::check_request::autonaming_options::Mode;
            match Mode::try_from(a.mode).unwrap_or(Mode::Propose) {
                Mode::Propose => Autonaming::Propose(a.proposed_name.clone()),
                Mode::Enforce => Autonaming::Enforce(a.proposed_name.clone()),
                Mode::Disable => Autonaming::Disable,
            }
        });
        let naming = NamingContext { resource_name, random_seed: r.random_seed.clone(), autonaming };
        let config = self.config_or_default();
        let (checked, mut fs) = resource.check(&news, &olds, &naming, &config);
        if fs.is_empty() {
            let region = config.region_in_force().unwrap_or_default();
            for (claim, other) in self.claims.claim(region, &r.urn, &resource.claims(&checked)) {
                fs.push(Failure::new(claim.property, claimed_elsewhere(&claim, &other)));
            }
        }
        Ok(Response::new(pulumirpc::CheckResponse {
            failures: check_failures(fs, &checked),
            inputs: Some(encode_struct(&checked)),
        }))
    }

    async fn diff(&self, req: Request<pulumirpc::DiffRequest>) -> Result<Response<pulumirpc::DiffResponse>, Status> {
        let r = req.get_ref();
        let resource = resource_of(&r.r#type, &r.urn)?;
        let olds = decode_opt(r.olds.as_ref());
        let news = decode_opt(r.news.as_ref());
        let d = resource.diff(&olds, &news, &r.ignore_changes, &self.config_or_default());
        log::log(Level::Debug, || format!("Diff {} changes={:?} replaces={:?}", r.urn, d.diffs, d.replaces));
        if let Some(refusal) = &d.refusal {
            let e = ProviderError::new(tonic::Code::FailedPrecondition, refusal.clone());
            return Err(failed("Diff", &r.urn, &[&olds, &news], e).into());
        }
        for warning in &d.warnings {
            self.log.warn(&r.urn, warning.clone()).await;
        }
        use pulumirpc::diff_response::DiffChanges;
        Ok(Response::new(pulumirpc::DiffResponse {
            changes: if d.has_changes() { DiffChanges::DiffSome } else { DiffChanges::DiffNone } as i32,
            diffs: d.diffs.clone(),
            replaces: d.replaces.clone(),
            delete_before_replace: d.delete_before_replace,
            detailed_diff: d
                .detailed
                .iter()
                .map(|(k, v)| {
                    (k.clone(), pulumirpc::PropertyDiff { kind: kind(*v), input_diff: !d.output_diffs.contains(k) })
                })
                .collect(),
            has_detailed_diff: true,
            ..Default::default()
        }))
    }

    async fn create(
        &self,
        req: Request<pulumirpc::CreateRequest>,
    ) -> Result<Response<pulumirpc::CreateResponse>, Status> {
        let r = req.get_ref();
        let resource = resource_of(&r.r#type, &r.urn)?;
        let c = self.configured()?;
        let ctx = self.ctx(&c, &r.urn, r.timeout);
        let inputs = decode_opt(r.properties.as_ref());
        log::log(Level::Trace, || format!("Create {} preview={} inputs={}", r.urn, r.preview, Redacted(&inputs)));
        self.claim(&ctx, resource, &inputs).map_err(|e| failed("Create", &r.urn, &[&inputs], e))?;
        let (id, props) =
            resource.create(&ctx, &inputs, r.preview).await.map_err(|e| failed("Create", &r.urn, &[&inputs], e))?;
        Ok(Response::new(pulumirpc::CreateResponse {
            id,
            properties: Some(encode_struct(&props)),
            ..Default::default()
        }))
    }

    async fn read(&self, req: Request<pulumirpc::ReadRequest>) -> Result<Response<pulumirpc::ReadResponse>, Status> {
        let r = req.get_ref();
        let (resource, olds, c) = self.existing(&r.r#type, &r.urn, r.properties.as_ref())?;
        let ctx = self.ctx(&c, &r.urn, r.timeout);
        let old_inputs = decode_opt(r.inputs.as_ref());
        log::log(Level::Trace, || format!("Read {} id={} state={}", r.urn, r.id, Redacted(&olds)));
        let found = resource
            .read(&ctx, &r.id, &olds, &old_inputs)
            .await
            .map_err(|e| failed("Read", &r.urn, &[&olds, &old_inputs], e))?;
        Ok(Response::new(match found {
            Some(f) => pulumirpc::ReadResponse {
                id: f.id,
                properties: Some(encode_struct(&f.outputs)),
                inputs: Some(encode_struct(&f.inputs)),
                ..Default::default()
            },
            None => pulumirpc::ReadResponse::default(),
        }))
    }

    async fn update(
        &self,
        req: Request<pulumirpc::UpdateRequest>,
    ) -> Result<Response<pulumirpc::UpdateResponse>, Status> {
        let r = req.get_ref();
        let (resource, olds, c) = self.existing(&r.r#type, &r.urn, r.olds.as_ref())?;
        let ctx = self.ctx(&c, &r.urn, r.timeout);
        let news = decode_opt(r.news.as_ref());
        log::log(Level::Trace, || format!("Update {} preview={} news={}", r.urn, r.preview, Redacted(&news)));
        self.claim(&ctx, resource, &news).map_err(|e| failed("Update", &r.urn, &[&olds, &news], e))?;
        let props = resource
            .update(&ctx, &olds, &news, r.preview)
            .await
            .map_err(|e| failed("Update", &r.urn, &[&olds, &news], e))?;
        Ok(Response::new(pulumirpc::UpdateResponse { properties: Some(encode_struct(&props)), ..Default::default() }))
    }

    async fn delete(&self, req: Request<pulumirpc::DeleteRequest>) -> Result<Response<()>, Status> {
        let r = req.get_ref();
        let (resource, olds, c) = self.existing(&r.r#type, &r.urn, r.properties.as_ref())?;
        let ctx = self.ctx(&c, &r.urn, r.timeout);
        log::log(Level::Trace, || format!("Delete {} id={}", r.urn, r.id));
        resource.delete(&ctx, &r.id, &olds).await.map_err(|e| failed("Delete", &r.urn, &[&olds], e))?;
        Ok(Response::new(()))
    }

    async fn construct(
        &self,
        _: Request<pulumirpc::ConstructRequest>,
    ) -> Result<Response<pulumirpc::ConstructResponse>, Status> {
        Err(Status::unimplemented("the awsecr provider has no component resources"))
    }

    async fn cancel(&self, _: Request<()>) -> Result<Response<()>, Status> {
        self.cancel.cancel();
        Ok(Response::new(()))
    }

    async fn get_plugin_info(&self, _: Request<()>) -> Result<Response<pulumirpc::PluginInfo>, Status> {
        Ok(Response::new(pulumirpc::PluginInfo { version: VERSION.to_string() }))
    }

    async fn attach(&self, req: Request<pulumirpc::PluginAttach>) -> Result<Response<()>, Status> {
        self.log.connect(&req.get_ref().address);
        Ok(Response::new(()))
    }

    async fn get_mapping(
        &self,
        _: Request<pulumirpc::GetMappingRequest>,
    ) -> Result<Response<pulumirpc::GetMappingResponse>, Status> {
        Err(Status::unimplemented("the awsecr provider has no mappings"))
    }

    async fn get_mappings(
        &self,
        _: Request<pulumirpc::GetMappingsRequest>,
    ) -> Result<Response<pulumirpc::GetMappingsResponse>, Status> {
        Err(Status::unimplemented("the awsecr provider has no mappings"))
    }
}

impl Provider {
    fn ctx<'a>(&'a self, c: &'a Configured, urn: &'a str, timeout: f64) -> Ctx<'a> {
        Ctx {
            client: &c.client,
            config: &c.config,
            cancel: &self.cancel,
            deadline: deadline(timeout),
            log: &self.log,
            urn,
            claims: &self.claims,
        }
    }

    /// What an RPC about an existing resource works with: its handler, its
    /// state (`state`), and the configuration of its home region (see
    /// [`Configured::at_home_of`]).
    fn existing(
        &self,
        token: &str,
        urn: &str,
        state: Option<&prost_types::Struct>,
    ) -> Result<(&'static dyn Resource, Map, Arc<Configured>), Status> {
        let resource = resource_of(token, urn)?;
        let c = self.configured()?;
        let olds = decode_opt(state);
        let c = c.at_home_of(&olds);
        Ok((resource, olds, c))
    }

    /// Claims what a Create or Update is about to own account- and
    /// region-wide (Check claimed it already; a Create or Update that comes
    /// without, or concurrently with another, is held to the same rule).
    fn claim(&self, ctx: &Ctx<'_>, resource: &dyn Resource, inputs: &Map) -> Result<(), ProviderError> {
        let region = ctx.region();
        match self.claims.claim(region, ctx.urn, &resource.claims(inputs)).first() {
            None => Ok(()),
            Some((claim, other)) => Err(ProviderError::new(
                tonic::Code::FailedPrecondition,
                format!("{}: {}", claim.property, claimed_elsewhere(claim, other)),
            )),
        }
    }
}

/// The connections the engine opens, each with TCP_NODELAY: a reply written
/// in more than one segment then goes out at once instead of waiting for the
/// engine's delayed ACK (Nagle's algorithm), which would stall each such
/// call by tens of milliseconds.
pub fn incoming(listener: TcpListener) -> impl Stream<Item = std::io::Result<TcpStream>> {
    TcpListenerStream::new(listener).map(|conn| {
        let conn = conn?;
        conn.set_nodelay(true)?;
        Ok(conn)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::property::{Value, map_of};

    #[test]
    fn only_a_short_top_level_scalar_names_its_property() {
        let inputs = map_of(&[
            ("repositoryName", "Bad_Name".into()),
            ("replication", Value::Array(vec![Value::Object(map_of(&[("repositoryPrefixes", "x".into())]))])),
            ("tags", Value::Object(map_of(&[("a", "b".into())]))),
            ("repositoryPolicyDocument", "x".repeat(65).into()),
            ("kmsKey", Value::Secret(Box::new("alias/Bad Key".into()))),
            ("maxRetries", Value::Number(-1.0)),
        ]);
        let fs = vec![
            Failure::new("repositoryName", "must be lowercase"),
            Failure::new("maxRetries", "must be between 0 and 100"),
            Failure::new("replication[0].destinations[0].region", "must be an AWS region"),
            Failure::new("tags", "at most 50 tags"),
            Failure::new("repositoryPolicyDocument", "is not JSON"),
            Failure::new("kmsKey", "must be a key id"),
            Failure::new("forceDelete", "is required"),
            Failure::new("", "exactly one of a and b"),
        ];
        let got: Vec<(String, String)> =
            check_failures(fs, &inputs).into_iter().map(|f| (f.property, f.reason)).collect();
        let want = [
            ("repositoryName", "must be lowercase"),
            ("maxRetries", "must be between 0 and 100"),
            ("", "replication[0].destinations[0].region: must be an AWS region"),
            ("", "tags: at most 50 tags"),
            ("", "repositoryPolicyDocument: is not JSON"),
            ("", "kmsKey: must be a key id"),
            ("", "forceDelete: is required"),
            ("", "exactly one of a and b"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(p, r)| (p.to_string(), r.to_string())).collect();
        assert_eq!(got, want);
    }

    #[tokio::test]
    async fn every_accepted_connection_has_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut conns = Box::pin(incoming(listener));
        for _ in 0..2 {
            let client = TcpStream::connect(addr).await.unwrap();
            let accepted = conns.next().await.expect("a connection").expect("accepted");
            assert!(accepted.nodelay().unwrap(), "the provider's end has TCP_NODELAY");
            // The default the engine's end would otherwise meet.
            assert!(!client.nodelay().unwrap());
        }
    }
}
