//! SDK configuration: the standard credential chain, `--profile`, `--region`,
//! `--endpoint-url`, and retries set in code so that throttling slows a scan down instead of
//! breaking it.

use crate::collect::CallCounter;
use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::ProvideCredentials;
use std::time::Duration;

/// IAM is a global service; its endpoint lives in us-east-1 (in the commercial partition).
pub const DEFAULT_REGION: &str = "us-east-1";

/// The SDK's default connect timeout, kept when the attempt timeout is set.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

#[derive(Debug, Clone)]
pub struct AwsOptions {
    /// A profile from `~/.aws/config` and `~/.aws/credentials` (else `AWS_PROFILE`, else
    /// `default`).
    pub profile: Option<String>,
    /// Overrides the region the chain would resolve; `us-east-1` when none resolves.
    pub region: Option<String>,
    /// An explicit endpoint (an emulator, a VPC endpoint). Wins over `AWS_ENDPOINT_URL` and
    /// `AWS_ENDPOINT_URL_IAM`.
    pub endpoint_url: Option<String>,
    /// Attempts per request, the first included (at least 1).
    pub max_attempts: u32,
    /// The base of the SDK's exponential backoff between attempts.
    pub initial_backoff: Duration,
    /// How long one attempt may take, from sending the request to the end of the response.
    pub attempt_timeout: Duration,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            profile: None,
            region: None,
            endpoint_url: None,
            max_attempts: 10,
            initial_backoff: Duration::from_secs(1),
            // Generous: a 1,000-item authorization details page can be several megabytes.
            attempt_timeout: Duration::from_secs(60),
        }
    }
}

/// Loads the shared SDK configuration. Credentials are resolved lazily, on the first call;
/// `check_credentials` resolves them up front.
pub async fn sdk_config(options: &AwsOptions) -> SdkConfig {
    let mut region_chain = DefaultRegionChain::builder();
    if let Some(profile) = &options.profile {
        region_chain = region_chain.profile_name(profile);
    }
    let region = RegionProviderChain::first_try(options.region.clone().map(Region::new))
        .or_else(region_chain.build())
        .or_else(Region::from_static(DEFAULT_REGION));

    let retry = RetryConfig::standard()
        .with_max_attempts(options.max_attempts.max(1))
        .with_initial_backoff(options.initial_backoff);
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(options.attempt_timeout)
        .build();

    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(region)
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    // Set on the loader, the URL counts as programmatic configuration: the IAM client takes
    // it over AWS_ENDPOINT_URL and the service-specific AWS_ENDPOINT_URL_IAM.
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Builds clients of any service from the shared configuration, every one counting its
/// calls in the same counter, in the configured region or a given one.
#[derive(Debug, Clone)]
pub struct ClientFactory {
    config: SdkConfig,
    counter: CallCounter,
}

macro_rules! client_builders {
    ($($name:ident => $sdk:ident),* $(,)?) => {$(
        /// A client in `region`, or in the configured region when `None`.
        pub fn $name(&self, region: Option<&str>) -> $sdk::Client {
            let mut builder = $sdk::config::Builder::from(&self.config)
                .interceptor(self.counter.clone());
            if let Some(region) = region {
                builder = builder.region(Region::new(region.to_string()));
            }
            $sdk::Client::from_conf(builder.build())
        }
    )*};
}

impl ClientFactory {
    pub fn new(config: &SdkConfig, counter: &CallCounter) -> Self {
        ClientFactory {
            config: config.clone(),
            counter: counter.clone(),
        }
    }

    /// The region clients get when none is given.
    pub fn region(&self) -> Option<&str> {
        self.config.region().map(|region| region.as_ref())
    }

    client_builders!(
        iam => aws_sdk_iam,
        access_analyzer => aws_sdk_accessanalyzer,
        cloudtrail => aws_sdk_cloudtrail,
        logs => aws_sdk_cloudwatchlogs,
        cloudwatch => aws_sdk_cloudwatch,
        sns => aws_sdk_sns,
        sts => aws_sdk_sts,
        organizations => aws_sdk_organizations,
    );
}

/// The regions IAM Access Analyzer is checked in when `--regions` is not given: every
/// commercial region AWS enables by default (opt-in regions must be named).
pub const DEFAULT_ENABLED_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
];

/// The regions to check: those asked for (`none` for no region), else the SDK region's
/// partition's defaults: the list above in the commercial partition, the SDK region alone
/// in another (China, GovCloud).
pub fn scanned_regions(requested: &[String], sdk_region: Option<&str>) -> Vec<String> {
    let mut regions: Vec<String> = match requested {
        [] => match sdk_region {
            Some(region) if region.starts_with("cn-") || region.starts_with("us-gov-") => {
                vec![region.to_string()]
            }
            _ => DEFAULT_ENABLED_REGIONS
                .iter()
                .map(|region| region.to_string())
                .collect(),
        },
        [none] if none == "none" => Vec::new(),
        asked => asked
            .iter()
            .map(|region| region.trim().to_string())
            .collect(),
    };
    regions.sort();
    regions.dedup();
    regions
}

/// The configuration of a member account: the caller's (region, endpoint, retries,
/// timeouts) with the temporary credentials of a role assumed there.
pub fn with_credentials(
    config: &SdkConfig,
    credentials: aws_sdk_iam::config::Credentials,
) -> SdkConfig {
    config
        .to_builder()
        .credentials_provider(aws_sdk_iam::config::SharedCredentialsProvider::new(
            credentials,
        ))
        .build()
}

/// Resolves credentials through the chain once, so that a scan without any fails at once
/// with a message saying how to provide them, instead of as one gap per API call.
pub async fn check_credentials(config: &SdkConfig) -> Result<(), String> {
    let Some(provider) = config.credentials_provider() else {
        return Err(format!(
            "no AWS credential provider is configured. {HOW_TO_PROVIDE}"
        ));
    };
    match provider.provide_credentials().await {
        Ok(_) => Ok(()),
        Err(error) => Err(format!(
            "no AWS credentials: {}. {HOW_TO_PROVIDE}",
            describe_error(&error)
        )),
    }
}

/// An SDK error and its causes on one line, without the debug dump `DisplayErrorContext`
/// appends: "dispatch failure: io error: ...: Connection refused (os error 111)".
pub(crate) fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(error);
    while let Some(error) = cause {
        let text = error.to_string();
        // Some layers repeat their source's text in their own.
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        cause = error.source();
    }
    parts.join(": ")
}

const HOW_TO_PROVIDE: &str = "Provide credentials in one of these ways: \
    set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones); \
    pass --profile NAME (or set AWS_PROFILE) to use a profile from ~/.aws/config; \
    for IAM Identity Center, run `aws sso login --profile NAME` first; \
    or run where an instance, task or pod role is available";

#[cfg(test)]
mod tests {
    use super::*;

    fn offline(endpoint_url: Option<&str>) -> AwsOptions {
        AwsOptions {
            region: Some("eu-west-1".into()),
            endpoint_url: endpoint_url.map(str::to_owned),
            max_attempts: 0,
            ..AwsOptions::default()
        }
    }

    #[tokio::test]
    async fn an_explicit_region_endpoint_and_retry_policy_are_applied() {
        let config = sdk_config(&offline(Some("http://127.0.0.1:5000"))).await;
        assert_eq!(config.region().map(Region::as_ref), Some("eu-west-1"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:5000"));
        // Programmatic: the IAM client prefers it over AWS_ENDPOINT_URL_IAM.
        assert!(config.get_origin("endpoint_url").is_client_config());
        let retry = config.retry_config().expect("a retry config");
        assert_eq!(retry.max_attempts(), 1, "zero attempts is raised to one");
        assert_eq!(retry.initial_backoff(), Duration::from_secs(1));
        let timeouts = config.timeout_config().expect("a timeout config");
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(60))
        );
        assert_eq!(timeouts.connect_timeout(), Some(CONNECT_TIMEOUT));
    }

    /// Answers every request on a loopback port with an empty GetAccountSummary.
    async fn summary_server() -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = vec![0; 64 * 1024];
                let _ = socket.read(&mut request).await;
                let body = "<GetAccountSummaryResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
                    <GetAccountSummaryResult><SummaryMap/></GetAccountSummaryResult></GetAccountSummaryResponse>";
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
            }
        });
        url
    }

    #[tokio::test]
    async fn the_client_calls_the_explicit_endpoint_and_counts_its_calls() {
        use aws_sdk_iam::config::{Credentials, SharedCredentialsProvider};
        let url = summary_server().await;
        let config = sdk_config(&offline(Some(&url)))
            .await
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDTEST", "secret", None, None, "test",
            )))
            .build();
        check_credentials(&config)
            .await
            .expect("static credentials");
        let counter = CallCounter::default();
        let client = ClientFactory::new(&config, &counter).iam(None);
        client
            .get_account_summary()
            .send()
            .await
            .expect("the stub answers");
        let stats = counter.snapshot(crate::collect::CollectStats::default());
        assert_eq!(stats.operations.get("GetAccountSummary"), Some(&1));
        assert_eq!(stats.api_calls.get("GetAccountSummary"), Some(&1));
        assert_eq!(stats.retries, 0);
    }

    #[test]
    fn an_error_is_described_with_its_causes_once_each() {
        let error = std::io::Error::other("connection refused");
        assert_eq!(describe_error(&error), "connection refused");
        #[derive(Debug, thiserror::Error)]
        #[error("dispatch failure")]
        struct Outer(#[source] std::io::Error);
        assert_eq!(
            describe_error(&Outer(error)),
            "dispatch failure: connection refused"
        );
    }
}
