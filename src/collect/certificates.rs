//! Server certificates stored in IAM: their names and expiry dates (ListServerCertificates
//! returns metadata only; the certificate bodies and private keys are never read).

use super::Collected;
use super::api::{for_each_page, to_utc};
use super::progress::{Phase, count};
use crate::inventory::ServerCertificate;

const LIST: &str = "ListServerCertificates";

pub(crate) async fn collect(
    client: &aws_sdk_iam::Client,
    phase: Phase,
) -> Collected<Option<Vec<ServerCertificate>>> {
    let mut certificates = Vec::new();
    let listed =
        for_each_page(
            LIST,
            |marker| {
                client
                    .list_server_certificates()
                    .set_marker(marker)
                    .max_items(1000)
                    .send()
            },
            |page| {
                certificates.extend(page.server_certificate_metadata_list().iter().map(
                    |certificate| ServerCertificate {
                        name: certificate.server_certificate_name().to_string(),
                        arn: certificate.arn().to_string(),
                        id: Some(certificate.server_certificate_id().to_string()),
                        upload_date: certificate.upload_date().and_then(to_utc),
                        expiration: certificate.expiration().and_then(to_utc),
                    },
                ))
            },
        )
        .await;
    match listed {
        Ok(_) => {
            phase.done(count(certificates.len(), "certificate", "certificates"));
            Collected::seen(certificates)
        }
        Err(gap) => {
            phase.failed(&gap);
            Collected::unseen(gap)
        }
    }
}
