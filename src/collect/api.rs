//! What every collector shares about calling the IAM API: failures as gaps, dates, and
//! pagination.

use crate::aws::describe_error;
use crate::inventory::Gap;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use chrono::{DateTime, Utc};
use std::future::Future;

/// A failed call as a gap. The code is the service's (`AccessDenied`, `Throttling`) or, for
/// a call that got no service answer, the kind of failure (`DispatchFailure`,
/// `TimeoutError`).
pub(crate) fn error_gap<E>(operation: &str, error: &SdkError<E>, resource: Option<String>) -> Gap
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let error_code = match error {
        SdkError::ServiceError(context) => context.err().code().unwrap_or("ServiceError"),
        SdkError::TimeoutError(_) => "TimeoutError",
        SdkError::DispatchFailure(_) => "DispatchFailure",
        SdkError::ResponseError(_) => "ResponseError",
        SdkError::ConstructionFailure(_) => "ConstructionFailure",
        _ => "Unknown",
    };
    let mut message = match error
        .as_service_error()
        .and_then(ProvideErrorMetadata::message)
    {
        Some(message) => message.to_string(),
        None => describe_error(error),
    };
    if let Some(response) = error.raw_response() {
        message.push_str(&format!(" (HTTP {})", response.status().as_u16()));
    }
    tracing::debug!(
        operation,
        error_code,
        resource = resource.as_deref(),
        "{message}"
    );
    Gap {
        operation: operation.to_string(),
        error_code: error_code.to_string(),
        message,
        resource,
    }
}

/// A gap for an answer that arrived but cannot be used.
pub(crate) fn invalid_gap(
    operation: &str,
    error_code: &str,
    message: String,
    resource: Option<String>,
) -> Gap {
    Gap {
        operation: operation.to_string(),
        error_code: error_code.to_string(),
        message,
        resource,
    }
}

pub(crate) fn to_utc(date: &aws_sdk_iam::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(date.secs(), date.subsec_nanos())
}

/// An output of a paginated IAM operation.
pub(crate) trait Page {
    fn truncated(&self) -> bool;
    fn next_marker(&self) -> Option<&str>;
}

macro_rules! paginated {
    ($($output:ty),* $(,)?) => {$(
        impl Page for $output {
            fn truncated(&self) -> bool {
                self.is_truncated()
            }
            fn next_marker(&self) -> Option<&str> {
                self.marker()
            }
        }
    )*};
}

paginated!(
    aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput,
    aws_sdk_iam::operation::list_virtual_mfa_devices::ListVirtualMfaDevicesOutput,
    aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput,
    aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput,
    aws_sdk_iam::operation::list_server_certificates::ListServerCertificatesOutput,
);

/// Calls `fetch` with each page's marker (none for the first) and hands every page to
/// `on_page`, until a page is not truncated. Returns the number of pages. Any failure is
/// the whole listing's: a partial list would let checks pass on what they could not see.
pub(crate) async fn for_each_page<O, E, Fut>(
    operation: &str,
    mut fetch: impl FnMut(Option<String>) -> Fut,
    mut on_page: impl FnMut(O),
) -> Result<u32, Gap>
where
    O: Page,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    Fut: Future<Output = Result<O, SdkError<E>>>,
{
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let output = fetch(marker.clone())
            .await
            .map_err(|error| error_gap(operation, &error, None))?;
        pages += 1;
        let next = output
            .truncated()
            .then(|| output.next_marker().map(str::to_owned));
        on_page(output);
        match next {
            None => return Ok(pages),
            Some(None) => {
                return Err(invalid_gap(
                    operation,
                    "PaginationError",
                    format!("page {pages} is truncated but has no Marker"),
                    None,
                ));
            }
            Some(Some(next)) if marker.as_deref() == Some(next.as_str()) => {
                return Err(invalid_gap(
                    operation,
                    "PaginationError",
                    format!("page {pages} repeats the previous Marker"),
                    None,
                ));
            }
            Some(next) => marker = next,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::operation::list_access_keys::{ListAccessKeysError, ListAccessKeysOutput};
    use aws_sdk_iam::types::AccessKeyMetadata;

    fn page(id: &str, marker: Option<&str>) -> ListAccessKeysOutput {
        ListAccessKeysOutput::builder()
            .access_key_metadata(AccessKeyMetadata::builder().access_key_id(id).build())
            .is_truncated(marker.is_some())
            .set_marker(marker.map(str::to_owned))
            .build()
            .expect("a valid output")
    }

    async fn list(
        pages: Vec<ListAccessKeysOutput>,
    ) -> (Result<u32, Gap>, Vec<Option<String>>, Vec<String>) {
        let mut pages = pages.into_iter();
        let mut markers = Vec::new();
        let mut ids = Vec::new();
        let result = for_each_page(
            "ListAccessKeys",
            |marker| {
                markers.push(marker);
                let next = pages.next().expect("no call past the last page");
                async move { Ok::<_, SdkError<ListAccessKeysError>>(next) }
            },
            |output: ListAccessKeysOutput| {
                ids.extend(
                    output
                        .access_key_metadata()
                        .iter()
                        .filter_map(|key| key.access_key_id().map(str::to_owned)),
                )
            },
        )
        .await;
        (result, markers, ids)
    }

    #[tokio::test]
    async fn pages_are_followed_by_marker_until_one_is_not_truncated() {
        let (result, markers, ids) = list(vec![
            page("A", Some("m1")),
            page("B", Some("m2")),
            page("C", None),
        ])
        .await;
        assert_eq!(result, Ok(3));
        assert_eq!(markers, vec![None, Some("m1".into()), Some("m2".into())]);
        assert_eq!(ids, vec!["A", "B", "C"]);
    }

    #[tokio::test]
    async fn a_repeated_marker_is_a_gap_not_an_endless_loop() {
        let (result, _, _) = list(vec![page("A", Some("m1")), page("B", Some("m1"))]).await;
        let gap = result.unwrap_err();
        assert_eq!(
            (gap.operation.as_str(), gap.error_code.as_str()),
            ("ListAccessKeys", "PaginationError")
        );
    }

    #[test]
    fn smithy_dates_convert_to_utc() {
        let date = aws_sdk_iam::primitives::DateTime::from_secs_and_nanos(1_700_000_000, 5);
        assert_eq!(
            to_utc(&date).map(|date| date.timestamp_nanos_opt()),
            Some(Some(1_700_000_000_000_000_005))
        );
    }
}
