//! Identity providers: OpenID Connect (listed, then described one by one) and SAML.

use super::Collected;
use super::api::{error_gap, to_utc};
use super::progress::{Phase, count};
use crate::inventory::{Gap, OidcProvider, OidcProviderDetails, SamlProvider};
use futures::StreamExt;

const LIST_OIDC: &str = "ListOpenIDConnectProviders";
const GET_OIDC: &str = "GetOpenIDConnectProvider";
const LIST_SAML: &str = "ListSAMLProviders";

pub(crate) async fn oidc(
    client: &aws_sdk_iam::Client,
    concurrency: usize,
    phase: Phase,
) -> Collected<Option<Vec<OidcProvider>>> {
    let arns: Vec<String> = match client.list_open_id_connect_providers().send().await {
        Ok(output) => output
            .open_id_connect_provider_list()
            .iter()
            .filter_map(|entry| entry.arn())
            .map(str::to_owned)
            .collect(),
        Err(error) => {
            let gap = error_gap(LIST_OIDC, &error, None);
            phase.failed(&gap);
            return Collected::unseen(gap);
        }
    };
    let mut providers = Vec::with_capacity(arns.len());
    let mut gaps = Vec::new();
    let mut answers = futures::stream::iter(arns)
        .map(|arn| async move {
            let details = describe(client, &arn).await;
            (arn, details)
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((arn, details)) = answers.next().await {
        let details = match details {
            Ok(details) => Some(details),
            Err(gap) => {
                gaps.push(gap);
                None
            }
        };
        providers.push(OidcProvider { arn, details });
    }
    providers.sort_by(|a, b| a.arn.cmp(&b.arn));
    gaps.sort_by(|a, b| a.resource.cmp(&b.resource));
    phase.done(count(providers.len(), "provider", "providers"));
    Collected {
        value: Some(providers),
        gaps,
    }
}

async fn describe(client: &aws_sdk_iam::Client, arn: &str) -> Result<OidcProviderDetails, Gap> {
    let output = client
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(arn)
        .send()
        .await
        .map_err(|error| error_gap(GET_OIDC, &error, Some(arn.to_string())))?;
    Ok(OidcProviderDetails {
        url: output.url().unwrap_or_default().to_string(),
        client_ids: output.client_id_list().to_vec(),
        thumbprints: output.thumbprint_list().to_vec(),
        create_date: output.create_date().and_then(to_utc),
    })
}

pub(crate) async fn saml(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<Vec<SamlProvider>>> {
    match client.list_saml_providers().send().await {
        Ok(output) => {
            let providers: Vec<SamlProvider> = output
                .saml_provider_list()
                .iter()
                .filter_map(|entry| {
                    Some(SamlProvider {
                        arn: entry.arn()?.to_string(),
                        create_date: entry.create_date().and_then(to_utc),
                        valid_until: entry.valid_until().and_then(to_utc),
                    })
                })
                .collect();
            phase.done(count(providers.len(), "provider", "providers"));
            Collected::seen(providers)
        }
        Err(error) => {
            let gap = error_gap(LIST_SAML, &error, None);
            phase.failed(&gap);
            Collected::unseen(gap)
        }
    }
}
