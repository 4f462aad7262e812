//! The gRPC test bench shared by the resource tests: a fake engine that
//! records what the provider logs, the real provider binary configured
//! against a fresh emulator, one method per RPC, and independent looks at
//! what ECR holds (through the AWS SDK, never through the provider).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use pulumi_resource_awsecr::property::{Map, Value, encode_struct};
use pulumi_resource_awsecr::proto::pulumirpc::{self, engine_server};
use serde_json::Value as Json;

use super::{Moto, ProviderProcess, decode};

/// The Repository resource's type token.
pub const TYPE: &str = "awsecr:index:Repository";

/// A stand-in for the engine's logging service that records what it is sent.
#[derive(Clone, Default)]
pub struct FakeEngine {
    pub logs: Arc<Mutex<Vec<pulumirpc::LogRequest>>>,
}

#[tonic::async_trait]
impl engine_server::Engine for FakeEngine {
    async fn log(&self, req: tonic::Request<pulumirpc::LogRequest>) -> Result<tonic::Response<()>, tonic::Status> {
        self.logs.lock().unwrap().push(req.into_inner());
        Ok(tonic::Response::new(()))
    }
}

impl FakeEngine {
    /// Serves the fake engine on a free loopback port; returns it and its address.
    pub async fn start() -> (FakeEngine, String) {
        let engine = FakeEngine::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(engine_server::EngineServer::new(engine.clone()))
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        (engine, addr)
    }

    /// The messages logged at `severity`.
    pub fn messages(&self, severity: pulumirpc::LogSeverity) -> Vec<String> {
        self.logs.lock().unwrap().iter().filter(|l| l.severity == severity as i32).map(|l| l.message.clone()).collect()
    }
}

/// A provider configured against an emulator, with a fake engine listening
/// for Engine.Log.
pub struct Env {
    pub moto: Moto,
    pub p: ProviderProcess,
    pub engine: FakeEngine,
    /// The resource type the RPCs are about (the Repository unless changed).
    pub ty: &'static str,
}

impl Env {
    /// A fresh emulator and a provider configured against it.
    pub async fn new() -> Env {
        Env::with_config(Moto::start(), &[]).await
    }

    /// A provider configured against `moto`, reaching it at `endpoint` when
    /// given (a fault proxy in front of it, say).
    pub async fn with_endpoint(moto: Moto, endpoint: Option<String>) -> Env {
        let extra: Vec<(&str, Value)> = endpoint.into_iter().map(|e| ("endpoint", Value::from(e))).collect();
        Env::with_config(moto, &extra).await
    }

    /// A provider configured against `moto` with extra configuration keys.
    pub async fn with_config(moto: Moto, extra: &[(&str, Value)]) -> Env {
        let (engine, addr) = FakeEngine::start().await;
        let mut p = ProviderProcess::start(&[&addr]).await;
        p.configure(&moto, extra).await.expect("Configure");
        Env { moto, p, engine, ty: TYPE }
    }

    /// The same bench for another resource type.
    pub fn of_type(mut self, ty: &'static str) -> Env {
        self.ty = ty;
        self
    }

    fn urn(&self, name: &str) -> String {
        format!("urn:pulumi:test::awsecr-tests::{}::{name}", self.ty)
    }

    pub async fn check(&mut self, name: &str, news: &Map, olds: &Map) -> (Map, Vec<pulumirpc::CheckFailure>) {
        let resp = self
            .p
            .client
            .check(pulumirpc::CheckRequest {
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                random_seed: name.as_bytes().to_vec(),
                ..Default::default()
            })
            .await
            .expect("Check")
            .into_inner();
        (decode(&resp.inputs), resp.failures)
    }

    /// Check of new inputs that must pass.
    pub async fn checked(&mut self, name: &str, news: &Map) -> Map {
        self.checked_with(name, news, &Map::new()).await
    }

    /// Check against old inputs that must pass.
    pub async fn checked_with(&mut self, name: &str, news: &Map, olds: &Map) -> Map {
        let (inputs, failures) = self.check(name, news, olds).await;
        assert!(failures.is_empty(), "{failures:?}");
        inputs
    }

    pub async fn create(&mut self, name: &str, inputs: &Map, preview: bool) -> Result<(String, Map), tonic::Status> {
        self.p
            .client
            .create(pulumirpc::CreateRequest {
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                properties: Some(encode_struct(inputs)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|r| {
                let r = r.into_inner();
                (r.id, decode(&r.properties))
            })
    }

    pub async fn diff(&mut self, name: &str, id: &str, olds: &Map, news: &Map) -> pulumirpc::DiffResponse {
        self.p
            .client
            .diff(pulumirpc::DiffRequest {
                id: id.into(),
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                ..Default::default()
            })
            .await
            .expect("Diff")
            .into_inner()
    }

    pub async fn update(
        &mut self,
        name: &str,
        id: &str,
        olds: &Map,
        news: &Map,
        preview: bool,
    ) -> Result<Map, tonic::Status> {
        self.p
            .client
            .update(pulumirpc::UpdateRequest {
                id: id.into(),
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                olds: Some(encode_struct(olds)),
                news: Some(encode_struct(news)),
                preview,
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|r| decode(&r.into_inner().properties))
    }

    /// An update that must succeed.
    pub async fn updated(&mut self, name: &str, id: &str, olds: &Map, news: &Map, preview: bool) -> Map {
        self.update(name, id, olds, news, preview).await.expect("Update")
    }

    pub async fn read(&mut self, name: &str, id: &str, olds: &Map, inputs: &Map) -> pulumirpc::ReadResponse {
        self.try_read(name, id, olds, inputs).await.expect("Read")
    }

    pub async fn try_read(
        &mut self,
        name: &str,
        id: &str,
        olds: &Map,
        inputs: &Map,
    ) -> Result<pulumirpc::ReadResponse, tonic::Status> {
        self.p
            .client
            .read(pulumirpc::ReadRequest {
                id: id.into(),
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                properties: Some(encode_struct(olds)),
                inputs: Some(encode_struct(inputs)),
                ..Default::default()
            })
            .await
            .map(|r| r.into_inner())
    }

    /// A read that finds the repository: its outputs and inputs.
    pub async fn read_found(&mut self, name: &str, id: &str, olds: &Map, inputs: &Map) -> (Map, Map) {
        let r = self.read(name, id, olds, inputs).await;
        assert_eq!(r.id, id);
        (decode(&r.properties), decode(&r.inputs))
    }

    pub async fn delete(&mut self, name: &str, id: &str, olds: &Map) -> Result<(), tonic::Status> {
        self.p
            .client
            .delete(pulumirpc::DeleteRequest {
                id: id.into(),
                urn: self.urn(name),
                name: name.into(),
                r#type: self.ty.into(),
                properties: Some(encode_struct(olds)),
                timeout: 60.0,
                ..Default::default()
            })
            .await
            .map(|_| ())
    }

    pub async fn invoke(&mut self, tok: &str, args: &Map) -> Result<pulumirpc::InvokeResponse, tonic::Status> {
        self.p
            .client
            .invoke(pulumirpc::InvokeRequest { tok: tok.into(), args: Some(encode_struct(args)), preview: false })
            .await
            .map(|r| r.into_inner())
    }

    /// The repository as ECR describes it; `None` only when ECR says it does
    /// not exist (any other failure fails the test).
    pub async fn describe(&self, name: &str) -> Option<aws_sdk_ecr::types::Repository> {
        self.moto.describe(name).await
    }

    /// The lifecycle policy text ECR holds, or `None` when it has none.
    pub async fn lifecycle_policy(&self, name: &str) -> Option<String> {
        self.moto.lifecycle_policy(name).await
    }

    /// The repository policy ECR holds, parsed, or `None` when it has none.
    pub async fn repository_policy(&self, name: &str) -> Option<Json> {
        self.moto.repository_policy(name).await
    }

    /// Writes a repository policy behind the provider's back.
    pub async fn set_policy_by_hand(&self, name: &str, policy: &Json) {
        let ecr = self.moto.ecr().await;
        ecr.set_repository_policy().repository_name(name).policy_text(policy.to_string()).send().await.unwrap();
    }

    /// The tags ECR holds on a resource.
    pub async fn tags(&self, arn: &str) -> BTreeMap<String, String> {
        self.moto.tags(arn).await
    }

    /// The warnings the provider sent the engine.
    pub fn warnings(&self) -> Vec<String> {
        self.engine.messages(pulumirpc::LogSeverity::Warning)
    }
}
