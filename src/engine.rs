//! User-visible messages: `Engine.Log` calls back to the Pulumi engine.
//! Anything printed to stdout/stderr after the port line is hidden by the
//! engine, so warnings meant for the user go through here.

use std::sync::{Arc, RwLock};

use tonic::transport::{Channel, Endpoint};

use crate::proto::pulumirpc::{LogRequest, LogSeverity, engine_client::EngineClient};

/// A handle to the engine's logging service; cheap to clone, silent until
/// the engine's address is known.
#[derive(Clone, Default)]
pub struct EngineLog {
    client: Arc<RwLock<Option<EngineClient<Channel>>>>,
}

impl EngineLog {
    /// Points the log at the engine (argv, Attach or Handshake). A bad
    /// address is reported once on stderr and leaves the log silent.
    pub fn connect(&self, address: &str) {
        if address.is_empty() {
            return;
        }
        let uri = if address.contains("://") { address.to_string() } else { format!("http://{address}") };
        match Endpoint::from_shared(uri) {
            Ok(ep) => {
                let client = EngineClient::new(ep.connect_lazy());
                *self.client.write().expect("engine log lock") = Some(client);
            }
            Err(e) => eprintln!("pulumi-resource-awsecr: ignoring engine address {address:?}: {e}"),
        }
    }

    pub async fn warn(&self, urn: &str, message: impl Into<String>) {
        self.log(LogSeverity::Warning, urn, message.into()).await
    }

    pub async fn info(&self, urn: &str, message: impl Into<String>) {
        self.log(LogSeverity::Info, urn, message.into()).await
    }

    async fn log(&self, severity: LogSeverity, urn: &str, message: String) {
        let client = self.client.read().expect("engine log lock").clone();
        let Some(mut client) = client else {
            eprintln!("{severity:?}: {message}");
            return;
        };
        let req =
            LogRequest { severity: severity as i32, message, urn: urn.to_string(), stream_id: 0, ephemeral: false };
        if let Err(e) = client.log(req).await {
            eprintln!("pulumi-resource-awsecr: could not send a log message to the engine: {}", e.message());
        }
    }
}
