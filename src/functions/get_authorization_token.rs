//! `awsecr:index:getAuthorizationToken`: the credentials of a `docker login`
//! to an ECR registry (user name, password, proxy endpoint, expiry). The
//! password comes back secret.

use aws_smithy_types::date_time::Format;
use tonic::Code;

use super::{reader, registry_id, secret};
use crate::call::{Ctx, Kind};
use crate::error::Subject;
use crate::error::{ProviderError, Result};
use crate::names::*;
use crate::property::{Map, Value};
use crate::validate::Failure;

pub const TOKEN: &str = "awsecr:index:getAuthorizationToken";
/// The function's arguments.
pub const ARGS: &[&str] = &[REGISTRY_ID];
/// What it returns.
pub const RESULTS: &[&str] = &[USER_NAME, PASSWORD, PROXY_ENDPOINT, EXPIRES_AT];
/// Results that are always secret.
pub const SECRET_RESULTS: &[&str] = &[PASSWORD];

super::typed_function!(GetAuthorizationToken, Option<String>, RESULTS.to_vec(), SECRET_RESULTS);

/// One GetAuthorizationToken call; the token is `user:password` in base64.
async fn call(ctx: &Ctx<'_>, registry_id: Option<String>) -> Result<Map> {
    let action = "ecr:GetAuthorizationToken";
    // The token works for every registry the caller may use; the registry id
    // only chooses whose proxy endpoint comes back. AWS marks the field
    // deprecated for that reason, and still honours it.
    #[allow(deprecated)]
    let req = ctx.client.get_authorization_token().set_registry_ids(registry_id.clone().map(|id| vec![id]));
    let resp = ctx.send(Kind::Read, action, Subject::Registry, req.send()).await?;
    let unreadable = |what: &str| {
        ProviderError::new(Code::Unavailable, format!("ECR answered {action} without a usable {what}; run again"))
    };
    let data = resp.authorization_data().first().ok_or_else(|| unreadable("authorization data"))?;
    let (user, password) = decode_token(data.authorization_token().unwrap_or_default())
        .ok_or_else(|| unreadable("authorization token"))?;
    let expires_at =
        data.expires_at().and_then(|t| t.fmt(Format::DateTime).ok()).ok_or_else(|| unreadable("expiry time"))?;
    let mut out = Map::new();
    out.insert(USER_NAME.into(), user.into());
    out.insert(PASSWORD.into(), secret(password));
    out.insert(PROXY_ENDPOINT.into(), data.proxy_endpoint().unwrap_or_default().into());
    out.insert(EXPIRES_AT.into(), Value::from(expires_at));
    Ok(out)
}

/// Checks the arguments: the registry id if one is given, or the failures.
pub fn check(args: &Map) -> std::result::Result<Option<String>, Vec<Failure>> {
    let mut r = reader(args, TOKEN, ARGS);
    let id = registry_id(&mut r);
    if r.failures.is_empty() { Ok(id) } else { Err(r.failures) }
}

/// Splits a base64 `user:password` token.
fn decode_token(token: &str) -> Option<(String, String)> {
    let bytes = aws_smithy_types::base64::decode(token).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    (!user.is_empty() && !password.is_empty()).then(|| (user.to_string(), password.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_decode_into_user_and_password() {
        let token = aws_smithy_types::base64::encode("AWS:eyJwYXlsb2FkIjoi:with:colons");
        assert_eq!(decode_token(&token), Some(("AWS".into(), "eyJwYXlsb2FkIjoi:with:colons".into())));
        for bad in
            ["", "not base64!", &aws_smithy_types::base64::encode("nocolon"), &aws_smithy_types::base64::encode(":x")]
        {
            assert_eq!(decode_token(bad), None, "{bad}");
        }
    }

    #[test]
    fn arguments_are_checked_by_name() {
        let map = |pairs: &[(&str, Value)]| -> Map { pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect() };
        assert_eq!(check(&Map::new()), Ok(None));
        assert_eq!(check(&map(&[("registryId", "123456789012".into())])), Ok(Some("123456789012".into())));
        let cases: Vec<(Map, &str, &str)> = vec![
            (map(&[("registryId", "1234".into())]), "registryId", "must be a 12-digit AWS account id"),
            (map(&[("registryId", Value::Bool(true))]), "registryId", "must be a string"),
            (map(&[("registryId", Value::Unknown)]), "registryId", "is not known yet"),
            (map(&[("registry", "123456789012".into())]), "registry", "allowed: registryId"),
        ];
        for (args, path, reason) in cases {
            let failures = check(&args).unwrap_err();
            assert!(failures.iter().any(|f| f.property == path && f.reason.contains(reason)), "{args:?}: {failures:?}");
        }
    }
}
