"""One cited table of the quotas, limits and prices that the lessons state.

Every number a lesson quotes about AWS (a quota, a price, a size limit) should be the value
of one row here, so that prose cannot drift from its source and a price change is fixed in
one place. Each row names its unit, the primary source it was read from and the day it was
checked. Prices are list prices in us-east-1 (N. Virginia), USD, first pricing tier.

``tests/test_lesson_quality.py`` reads :data:`FACTS`: a lesson whose markdown talks about
one of these quantities (a paragraph matching every regex of :attr:`Fact.mention`) must
state the table's value in that paragraph (:attr:`Fact.says`).

Use it in a lesson::

    from mastery import facts
    facts.value("s3_standard_gb_month_usd")      # 0.023
    facts.table()                                # a pandas DataFrame of every row
"""

from __future__ import annotations

from dataclasses import dataclass

CHECKED = "2026-12-01"

S3_PRICING = "https://aws.amazon.com/s3/pricing/"
S3_LIFECYCLE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html"
LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
SFN_QUOTAS = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
SFN_PRICING = "https://aws.amazon.com/step-functions/pricing/"
SQS_PRICING = "https://aws.amazon.com/sqs/pricing/"
SQS_QUOTAS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"
DDB_PARTITIONS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
APIGW_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
BUDGETS_PRICING = "https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/"
FOCUS_SPEC = "https://focus.finops.org/focus-specification/v1-2/"
KINESIS_QUOTAS = "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"
KINESIS_RETENTION = "https://docs.aws.amazon.com/streams/latest/dev/kinesis-extended-retention.html"
ESM_KINESIS = "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html"
ESM_PARAMS = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html"
DDB_STREAMS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html"
SDK_RETRIES = "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html"
SFN_ERRORS = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"
POWERTOOLS_IDEMPOTENCY = "https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/"
LAMBDA_RUNTIME_ENV = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html"
LAMBDA_EXTENSIONS = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-extensions.html"
OPERATING_LAMBDA = "https://aws.amazon.com/blogs/compute/operating-lambda-performance-optimization-part-1/"
INIT_BILLING = "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/"
CFN_QUOTAS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
DDB_QUOTAS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
DDB_QUERY = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html"
DDB_TABLE_DESIGN = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-table-design.html"
SESSION_TAGS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
APIGW_WS_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html"
APIGW_PRICING = "https://aws.amazon.com/api-gateway/pricing/"
EVENTBRIDGE_PRICING = "https://aws.amazon.com/eventbridge/pricing/"
LAMBDA_RESERVED = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"
SSM_TIERS = "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
SSM_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/ssm.html"
POWERTOOLS_PARAMETERS = "https://docs.powertools.aws.dev/lambda/python/latest/utilities/parameters/"
FIS_LAMBDA_ACTIONS = "https://docs.aws.amazon.com/fis/latest/userguide/use-lambda-actions.html"
SQS_MOVE_TASK = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html"
KINESIS_WINDOWS = "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html"
DDB_PRICING_ONDEMAND = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
APIGW_THROTTLING = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html"
APIGW_USAGE_PLANS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"
SQS_FIFO_DEDUP = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html"
SAGEMAKER_CONTAINER = "https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html"
SEC_17A4 = "https://www.ecfr.gov/current/title-17/chapter-II/part-240/section-240.17a-4"
MIFID2_DELEGATED = "https://eur-lex.europa.eu/eli/reg_del/2017/565/oj"
MIFIR = "https://eur-lex.europa.eu/eli/reg/2014/600/oj"
S3_OBJECT_LOCK = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html"
KINESIS_PRICING = "https://aws.amazon.com/kinesis/data-streams/pricing/"
FIREHOSE_PRICING = "https://aws.amazon.com/firehose/pricing/"
FIREHOSE_BUFFERING = "https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html"
FIREHOSE_PREFIXES = "https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html"
FIREHOSE_LIMITS = "https://docs.aws.amazon.com/firehose/latest/dev/limits.html"
ATHENA_PRICING = "https://aws.amazon.com/athena/pricing/"
S3_LIST = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"


@dataclass(frozen=True)
class Fact:
    """One quota or price: ``value`` in ``unit``, read from ``source`` on ``checked``.

    ``mention``: regexes that together recognise a paragraph talking about this quantity;
    ``unless``: a regex that marks a paragraph about a neighbouring quantity instead (provisioned
    concurrency's own GB-second price, Express's own request price);
    ``says``: a regex for the value as prose writes it (all optional)."""

    name: str
    value: float | int | str
    unit: str
    source: str
    checked: str = CHECKED
    note: str = ""
    mention: tuple[str, ...] = ()
    says: str = ""
    unless: str = ""


_ROWS = [
    # ---- Step Functions
    Fact("sfn_state_machines_per_region", 100_000,
         "registered state machines per account and Region (default quota)", SFN_QUOTAS,
         mention=(r"(?i)registered state machines|state machines per account"
                  r"|quota of (?:registered )?state machines",),
         says=r"100,000|100 000|100000"),
    Fact("sfn_express_memory_chunk_mb", 64, "MB: Express workflow memory is billed in 64 MB chunks",
         SFN_PRICING, mention=(r"\bExpress\b", r"(?i)Step Functions|workflow", r"(?i)\bmemory|\bMB\b",
                  r"(?i)\bbill|\bcharge|\bround"),
         says=r"\b64 ?MB"),
    Fact("sfn_express_duration_step_ms", 100, "ms: Express workflow duration is rounded up to 100 ms",
         SFN_PRICING),
    # ---- Lambda (us-east-1, first tier)
    Fact("lambda_x86_gb_second_usd", 0.0000166667, "USD per GB-second, x86_64", LAMBDA_PRICING,
         mention=(r"(?i)per GB-s(?:econd)?\b", r"\$0\.0000|0\.0000\d+ ?USD", r"(?i)x86"),
         says=r"0\.0000166667", unless=r"(?i)provisioned"),
    Fact("lambda_arm_gb_second_usd", 0.0000133334, "USD per GB-second, arm64 (Graviton)", LAMBDA_PRICING,
         mention=(r"(?i)per GB-s(?:econd)?\b", r"\$0\.0000|0\.0000\d+ ?USD", r"(?i)arm64|graviton"),
         says=r"0\.0000133334", unless=r"(?i)provisioned"),
    Fact("lambda_request_usd_per_million", 0.20, "USD per 1 million requests (x86_64 and arm64)",
         LAMBDA_PRICING,
         mention=(r"(?i)per GB-s(?:econd)?\b", r"(?i)requests?\b[^\n]*per (?:1M|million|1 million)"),
         says=r"0\.20", unless=r"(?i)\bExpress\b|Step Functions"),
    Fact("lambda_default_concurrency", 1_000,
         "concurrent executions per account and Region (default quota)", LAMBDA_QUOTAS),
    Fact("lambda_max_timeout_s", 900, "seconds: the longest function timeout", LAMBDA_QUOTAS),
    Fact("lambda_default_timeout_s", 3, "seconds: the timeout when none is set",
         "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"),
    Fact("lambda_async_retries", 2, "retries of an asynchronous invocation after the first attempt fails",
         "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html"),
    # ---- Lambda packaging and lifecycle, CloudFormation (week 14; checked 2026-12-02)
    Fact("lambda_layers_per_function", 5, "layers a function can use at most", LAMBDA_QUOTAS,
         checked="2026-12-02"),
    Fact("lambda_unzipped_package_mb", 250,
         "MB: the largest deployment package unzipped, its layers and custom runtime included",
         LAMBDA_QUOTAS, checked="2026-12-02"),
    Fact("lambda_zipped_upload_mb", 50, "MB: the largest .zip uploaded directly (larger ones go through S3)",
         LAMBDA_QUOTAS, checked="2026-12-02"),
    Fact("lambda_init_phase_limit_s", 10,
         "seconds the Init phase (extensions, runtime, function init) may take before Lambda retries it "
         "with the function's timeout at the first invocation", LAMBDA_RUNTIME_ENV, checked="2026-12-02"),
    Fact("lambda_shutdown_internal_ext_ms", 500, "ms: the Shutdown phase with internal extensions only",
         LAMBDA_RUNTIME_ENV, checked="2026-12-02"),
    Fact("lambda_shutdown_external_ext_ms", 2_000,
         "ms: the Shutdown phase with one or more external extensions",
         LAMBDA_RUNTIME_ENV, checked="2026-12-02"),
    Fact("lambda_extensions_max", 10, "extensions a function can use at most", LAMBDA_EXTENSIONS,
         checked="2026-12-02"),
    Fact("lambda_cold_start_share_pct", 1,
         "percent: cold starts 'typically occur in under 1% of invocations' (AWS's figure)",
         OPERATING_LAMBDA, checked="2026-12-02"),
    Fact("lambda_init_billed_from", "2025-08-01",
         "the day the Init phase became billed for on-demand functions with managed runtimes (zip packages)",
         INIT_BILLING, checked="2026-12-02"),
    Fact("cfn_resources_per_template", 500, "resources declared in one template at most", CFN_QUOTAS,
         checked="2026-12-02"),
    Fact("cfn_template_body_bytes", 51_200,
         "bytes: the largest TemplateBody passed in a request (1 MB through an S3 TemplateURL)", CFN_QUOTAS,
         checked="2026-12-02"),
    # ---- Kinesis Data Streams, DynamoDB Streams and Lambda's event source mappings
    Fact("kinesis_shard_write_mb_s", 1, "MB per second written per shard (or 1,000 records per second)",
         KINESIS_QUOTAS),
    Fact("kinesis_shard_write_records_s", 1_000, "records per second written per shard", KINESIS_QUOTAS),
    Fact("kinesis_shard_read_mb_s", 2, "MB per second read per shard, shared by GetRecords consumers",
         KINESIS_QUOTAS),
    Fact("kinesis_getrecords_tps", 5, "GetRecords calls per second per shard", KINESIS_QUOTAS),
    Fact("kinesis_getrecords_max_records", 10_000, "records returned by one GetRecords call at most",
         KINESIS_QUOTAS),
    Fact("kinesis_default_retention_h", 24, "hours a record is kept by default", KINESIS_RETENTION),
    Fact("kinesis_max_retention_h", 8_760, "hours a record can be kept at most (365 days)",
         KINESIS_RETENTION),
    Fact("dynamodb_streams_retention_h", 24, "hours a stream record is kept", DDB_STREAMS),
    Fact("esm_stream_batch_max", 10_000, "records per batch at most (Kinesis, DynamoDB Streams)",
         ESM_PARAMS),
    Fact("esm_stream_batch_default", 100, "records per batch by default (Kinesis, DynamoDB Streams)",
         ESM_PARAMS),
    Fact("esm_batching_window_max_s", 300, "seconds: the longest batching window", ESM_PARAMS),
    Fact("esm_max_retry_attempts", 10_000,
         "retries at most (-1, the default, retries until the records expire)", ESM_PARAMS),
    Fact("esm_max_record_age_s", 604_800, "seconds: the largest maximum record age (7 days; -1 is no limit)",
         ESM_PARAMS),
    Fact("esm_parallelization_max", 10, "concurrent batches per shard at most (ParallelizationFactor)",
         ESM_PARAMS),
    Fact("lambda_sync_payload_mb", 6, "MB: the largest synchronous invocation payload (a batch's event)",
         LAMBDA_QUOTAS),
    Fact("esm_tumbling_window_max_s", 900,
         "seconds: the longest tumbling window (TumblingWindowInSeconds; 0 is no window)", ESM_PARAMS,
         checked="2026-12-02"),
    Fact("esm_tumbling_state_mb", 1,
         "MB of tumbling-window state per shard; a larger state ends the window early", KINESIS_WINDOWS,
         checked="2026-12-02"),
    # ---- retries (week 21)
    Fact("sdk_standard_max_attempts", 3,
         "attempts per request (the first included) in the SDKs' standard retry mode, unless configured",
         SDK_RETRIES, checked="2026-12-02"),
    Fact("sfn_retry_default_max_attempts", 3, "retries a Retrier makes when MaxAttempts is omitted",
         SFN_ERRORS, checked="2026-12-02"),
    Fact("sfn_retry_default_interval_s", 1, "seconds before a Retrier's first retry (IntervalSeconds)",
         SFN_ERRORS, checked="2026-12-02"),
    Fact("sfn_retry_default_backoff_rate", 2.0, "multiplier of the retry interval per attempt (default)",
         SFN_ERRORS, checked="2026-12-02"),
    Fact("powertools_idempotency_expiry_s", 3600,
         "seconds an idempotency record is honoured by default (expires_after_seconds)",
         POWERTOOLS_IDEMPOTENCY, checked="2026-12-02"),
    # ---- SQS
    Fact("sqs_request_chunk_kb", 64, "KB: each 64 KB chunk of a payload is billed as one request",
         SQS_PRICING, mention=(r"(?i)\bchunk", r"(?i)SQS|queue"), says=r"\b64 ?KB"),
    Fact("sqs_default_retention_days", 4, "days a message is kept by default", SQS_QUOTAS),
    Fact("sqs_max_retention_days", 14, "days a message can be kept at most", SQS_QUOTAS),
    Fact("sqs_default_visibility_timeout_s", 30, "seconds",
         "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html"),
    Fact("sqs_lambda_visibility_factor", 6, "x the function timeout: recommended queue visibility timeout",
         "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"),
    # ---- containing failure (week 22; checked 2026-12-02)
    Fact("lambda_unreserved_concurrency_min", 100,
         "concurrency units Lambda keeps unreserved for functions without reserved concurrency "
         "(reserve at most the account's limit minus this)", LAMBDA_RESERVED, checked="2026-12-02",
         mention=(r"(?i)reserved concurrency", r"(?i)\bunreserved\b"), says=r"\b100\b"),
    Fact("sqs_move_task_max_messages_per_second", 500,
         "messages per second at most a StartMessageMoveTask moves (MaxNumberOfMessagesPerSecond)",
         SQS_MOVE_TASK, checked="2026-12-02",
         mention=(r"MaxNumberOfMessagesPerSecond",), says=r"\b500\b"),
    Fact("sqs_move_tasks_per_queue", 1, "active message movement tasks per queue at a time", SQS_MOVE_TASK,
         checked="2026-12-02"),
    # ---- chaos experiments (week 23; checked 2026-12-02)
    Fact("ssm_standard_parameter_max_kb", 4, "KB: the largest value of a Standard-tier SSM parameter "
         "(8 KB Advanced)", SSM_TIERS, checked="2026-12-02"),
    Fact("ssm_get_parameter_default_tps", 40,
         "GetParameter(s) transactions per second by default, shared per account and Region "
         "(higher throughput is a paid setting)", SSM_QUOTAS, checked="2026-12-02"),
    Fact("powertools_parameters_max_age_s", 5,
         "seconds Powertools' parameters utility caches a value by default", POWERTOOLS_PARAMETERS,
         checked="2026-12-02"),
    Fact("fis_lambda_default_invocation_percentage", 100,
         "percent of invocations a FIS Lambda action faults when invocationPercentage is omitted",
         FIS_LAMBDA_ACTIONS, checked="2026-12-02"),
    Fact("fis_lambda_default_startup_delay_ms", 1_000,
         "ms of delay aws:lambda:invocation-add-delay adds when startupDelayMilliseconds is omitted",
         FIS_LAMBDA_ACTIONS, checked="2026-12-02"),
    # ---- DynamoDB
    Fact("dynamodb_partition_rcu", 3_000, "read capacity units per second per partition", DDB_PARTITIONS,
         mention=(r"(?i)\bpartition", r"\bRCU"), says=r"3,000 RCU|3000 RCU|3,000 read"),
    Fact("dynamodb_partition_wcu", 1_000, "write capacity units per second per partition", DDB_PARTITIONS,
         mention=(r"(?i)\bpartition", r"\bWCU"), says=r"1,000 WCU|1000 WCU|1,000 write"),
    Fact("dynamodb_query_page_mb", 1,
         "MB of data one Query (or Scan) call reads at most; the rest is the next page", DDB_QUERY,
         checked="2026-12-02"),
    Fact("dynamodb_item_max_kb", 400, "KB: the largest item, attribute names and values together", DDB_QUOTAS,
         checked="2026-12-02"),
    Fact("dynamodb_ondemand_table_rru", 40_000,
         "read request units per second per on-demand table (default quota)", DDB_QUOTAS,
         checked="2026-12-02"),
    Fact("dynamodb_ondemand_table_wru", 40_000,
         "write request units per second per on-demand table (default quota)", DDB_QUOTAS,
         checked="2026-12-02"),
    Fact("dynamodb_max_tables_per_account", 10_000,
         "tables per account and Region at most, even after a quota increase", DDB_TABLE_DESIGN,
         checked="2026-12-02"),
    # ---- IAM and STS (multi-tenant isolation, week 13)
    Fact("sts_session_tags_max", 50, "session tags one AssumeRole call may pass", SESSION_TAGS,
         checked="2026-12-02"),
    Fact("sts_session_tag_key_chars", 128, "characters in a session tag key at most", SESSION_TAGS,
         checked="2026-12-02"),
    Fact("sts_session_tag_value_chars", 256, "characters in a session tag value at most", SESSION_TAGS,
         checked="2026-12-02"),
    Fact("iam_roles_per_account", 1_000, "IAM roles per account (default quota; adjustable)", IAM_QUOTAS,
         checked="2026-12-02"),
    Fact("iam_managed_policy_chars", 6_144,
         "characters in one customer managed policy (whitespace not counted)",
         IAM_QUOTAS, checked="2026-12-02"),
    # ---- API Gateway
    Fact("apigw_rest_integration_timeout_s", 29,
         "seconds: REST API integration timeout (default; raisable for Regional and private APIs "
         "since June 2024)", APIGW_QUOTAS),
    Fact("apigw_http_integration_timeout_s", 30, "seconds: HTTP API integration timeout",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"),
    # ---- API Gateway WebSocket APIs, DynamoDB Streams readers, EventBridge (week 15; checked 2026-12-02)
    Fact("apigw_ws_connection_max_h", 2, "hours a WebSocket connection lasts at most", APIGW_WS_QUOTAS,
         checked="2026-12-02"),
    Fact("apigw_ws_idle_timeout_min", 10, "minutes an idle WebSocket connection is kept", APIGW_WS_QUOTAS,
         checked="2026-12-02"),
    Fact("apigw_ws_frame_kb", 32, "KB: the largest WebSocket frame", APIGW_WS_QUOTAS, checked="2026-12-02"),
    Fact("apigw_ws_message_kb", 128, "KB: the largest WebSocket message payload", APIGW_WS_QUOTAS,
         checked="2026-12-02"),
    Fact("apigw_ws_new_connections_s", 500, "new WebSocket connections per second per account and Region "
         "(default quota)", APIGW_WS_QUOTAS, checked="2026-12-02"),
    Fact("apigw_ws_message_usd_per_million", 1.00, "USD per million WebSocket messages (first 1 billion a "
         "month; metered in 32 KB increments)", APIGW_PRICING, checked="2026-12-02"),
    Fact("apigw_ws_connection_minutes_usd_per_million", 0.25, "USD per million connection minutes",
         APIGW_PRICING, checked="2026-12-02"),
    Fact("dynamodb_streams_readers_per_shard", 2, "processes that should read one stream shard at the "
         "same time at most (more are throttled)", DDB_STREAMS, checked="2026-12-02"),
    Fact("eventbridge_custom_event_usd_per_million", 1.00, "USD per million custom events published "
         "(each 64 KB chunk is one event)", EVENTBRIDGE_PRICING, checked="2026-12-02"),
    # ---- per-tenant metering, throttling and cost (week 16; us-east-1, checked 2026-12-02)
    Fact("dynamodb_ondemand_wru_usd_per_million", 0.625, "USD per million write request units, on-demand, "
         "Standard table class", DDB_PRICING_ONDEMAND, checked="2026-12-02"),
    Fact("dynamodb_ondemand_rru_usd_per_million", 0.125, "USD per million read request units, on-demand, "
         "Standard table class", DDB_PRICING_ONDEMAND, checked="2026-12-02"),
    Fact("apigw_http_request_usd_per_million", 1.00, "USD per million HTTP API requests (first 300 million "
         "a month; metered in 512 KB increments)", APIGW_PRICING, checked="2026-12-02"),
    Fact("apigw_account_rps", 10_000, "requests per second per account and Region across REST, HTTP and "
         "WebSocket APIs (default quota; token bucket)", APIGW_THROTTLING, checked="2026-12-02"),
    Fact("apigw_account_burst", 5_000, "requests: the account-level token bucket's burst (default quota)",
         APIGW_THROTTLING, checked="2026-12-02"),
    # ---- S3 storage and lifecycle (us-east-1, first 50 TB)
    Fact("s3_lifecycle_min_transition_kib", 128,
         "KiB: by default (since September 2024) lifecycle does not transition smaller objects",
         S3_LIFECYCLE,
         mention=(r"(?i)lifecycle", r"(?i)smaller than|minimum object size|minimum size"),
         says=r"128 ?Ki?B"),
    Fact("s3_min_days_before_ia", 30,
         "days an object stays in its class before a lifecycle transition to Standard-IA", S3_LIFECYCLE),
    Fact("s3_ia_min_storage_days", 30, "days: minimum storage duration billed by Standard-IA", S3_PRICING),
    Fact("s3_glacier_flexible_min_storage_days", 90,
         "days: minimum storage duration billed by Glacier Flexible Retrieval", S3_PRICING),
    Fact("s3_standard_gb_month_usd", 0.023, "USD per GB-month, S3 Standard, first 50 TB", S3_PRICING,
         mention=(r"(?i)S3 Standard\b[^\n]*GB-month|GB-month[^\n]*S3 Standard\b",), says=r"0\.023\b"),
    Fact("s3_standard_ia_gb_month_usd", 0.0125, "USD per GB-month, S3 Standard-IA", S3_PRICING),
    Fact("s3_glacier_flexible_gb_month_usd", 0.0036, "USD per GB-month, S3 Glacier Flexible Retrieval",
         S3_PRICING),
    Fact("s3_transition_to_ia_per_1000_usd", 0.01,
         "USD per 1,000 lifecycle transition requests into Standard-IA", S3_PRICING,
         mention=(r"(?i)transition requests?", r"(?i)Standard-IA"), says=r"0\.01\b"),
    Fact("s3_transition_to_glacier_flexible_per_1000_usd", 0.03,
         "USD per 1,000 lifecycle transition requests into Glacier Flexible Retrieval", S3_PRICING,
         mention=(r"(?i)transition requests?", r"(?i)Glacier Flexible"), says=r"0\.03\b"),
    Fact("s3_glacier_object_overhead_kb", 40,
         "KB of metadata billed per archived object (8 KB at Standard, 32 KB at Glacier Flexible "
         "Retrieval rates)", S3_PRICING),
    # ---- Budgets and Cost Anomaly Detection
    Fact("budgets_free_action_budgets", 2,
         "action-enabled budgets free per month; each further one costs 0.10 USD a day", BUDGETS_PRICING),
    Fact("budgets_action_budget_usd_per_day", 0.10,
         "USD per day per action-enabled budget beyond the free two", BUDGETS_PRICING),
    # ---- FinOps
    Fact("focus_version", "1.2",
         "FOCUS version the course's billing data follows (data/cost_analytics, data/finops_estate)",
         FOCUS_SPEC),
    # ---- week 19: alerts and a model behind an endpoint
    Fact("sqs_fifo_dedup_interval_s", 300,
         "seconds: a FIFO queue drops a message whose deduplication id it saw within this interval",
         SQS_FIFO_DEDUP, mention=(r"(?i)deduplication interval",), says=r"5 minutes|300 s"),
    Fact("sagemaker_container_response_s", 60,
         "seconds a real-time endpoint's model container has to answer an invocation", SAGEMAKER_CONTAINER),
    # ---- week 24: record keeping for a trading workflow
    Fact("sec_17a4_blotter_retention_years", 6,
         "years a broker-dealer preserves its blotters and ledgers (SEC Rule 17a-4(a)), "
         "the first 2 easily accessible",
         SEC_17A4, checked="2026-12-02"),
    Fact("sec_17a4_order_ticket_retention_years", 3,
         "years a broker-dealer preserves order tickets and communications (SEC Rule 17a-4(b)), "
         "the first 2 easily accessible",
         SEC_17A4, checked="2026-12-02"),
    Fact("mifid2_record_retention_years", 5,
         "years an investment firm keeps the data of all its orders and transactions at the competent "
         "authority's disposal (MiFIR, Regulation (EU) No 600/2014, Art. 25(1))",
         MIFIR, checked="2026-12-02"),
    # ---- week 20: the cold path (prices us-east-1, checked 2026-12-02)
    Fact("kinesis_provisioned_shard_hour_usd", 0.015, "USD per shard-hour, provisioned mode", KINESIS_PRICING,
         checked="2026-12-02", mention=(r"(?i)shard-hour", r"(?i)provisioned"), says=r"0\.015\b"),
    Fact("kinesis_put_payload_unit_per_million_usd", 0.014,
         "USD per million PUT payload units (each record rounded up to 25 KB units), provisioned mode",
         KINESIS_PRICING, checked="2026-12-02", mention=(r"(?i)PUT payload units?",), says=r"0\.014\b"),
    Fact("kinesis_put_payload_unit_kb", 25, "KB: one PUT payload unit (a record's size rounded up to it)",
         KINESIS_PRICING, checked="2026-12-02"),
    Fact("kinesis_ondemand_stream_hour_usd", 0.04, "USD per stream-hour, on-demand mode", KINESIS_PRICING,
         checked="2026-12-02", mention=(r"(?i)stream-hour",), says=r"0\.04\b"),
    Fact("kinesis_ondemand_ingest_gb_usd", 0.08,
         "USD per GB written, on-demand mode (each record rounded up to 1 KB)", KINESIS_PRICING,
         checked="2026-12-02",
         mention=(r"(?i)on-demand", r"(?i)per GB (?:written|ingested)|data-in"),
         says=r"0\.08\b"),
    Fact("kinesis_ondemand_retrieval_gb_usd", 0.04, "USD per GB read, on-demand mode", KINESIS_PRICING,
         checked="2026-12-02"),
    Fact("kinesis_ondemand_initial_write_mb_s", 4,
         "MB per second a new on-demand stream takes before it scales (4,000 records/s)", KINESIS_QUOTAS,
         checked="2026-12-02"),
    Fact("firehose_ingest_gb_usd", 0.029,
         "USD per GB ingested by Direct PUT, first 500 TB a month (each record rounded up to 5 KB)",
         FIREHOSE_PRICING, checked="2026-12-02",
         mention=(r"(?i)Firehose", r"(?i)per GB (?:ingested|of ingestion)|ingestion price"),
         says=r"0\.029\b"),
    Fact("firehose_record_rounding_kb", 5, "KB: Firehose bills each record's size rounded up to 5 KB",
         FIREHOSE_PRICING, checked="2026-12-02"),
    Fact("firehose_format_conversion_gb_usd", 0.018, "USD per GB converted to Parquet/ORC by Firehose",
         FIREHOSE_PRICING, checked="2026-12-02",
         mention=(r"(?i)Firehose", r"(?i)format conversion", r"(?i)\bper GB\b"),
         says=r"0\.018\b"),
    Fact("firehose_buffer_default_mib", 5, "MiB: default S3 buffering size (1 to 128 MiB)",
         FIREHOSE_BUFFERING, checked="2026-12-02"),
    Fact("firehose_buffer_default_s", 300, "seconds: default S3 buffering interval (0 to 900 s)",
         FIREHOSE_BUFFERING, checked="2026-12-02"),
    Fact("firehose_max_record_kib", 1000, "KiB: largest record Firehose accepts (before base64)",
         FIREHOSE_LIMITS, checked="2026-12-02"),
    Fact("s3_put_per_1000_usd", 0.005, "USD per 1,000 PUT, COPY, POST or LIST requests, S3 Standard",
         S3_PRICING, checked="2026-12-02"),
    Fact("s3_get_per_1000_usd", 0.0004, "USD per 1,000 GET requests, S3 Standard", S3_PRICING,
         checked="2026-12-02"),
    Fact("s3_list_max_keys", 1000, "keys returned by one ListObjectsV2 call at most", S3_LIST,
         checked="2026-12-02"),
    Fact("athena_tb_scanned_usd", 5.0, "USD per TB scanned by an Athena SQL query", ATHENA_PRICING,
         checked="2026-12-02", mention=(r"(?i)Athena", r"(?i)per TB(?: of data)? scanned"),
         says=r"5(?:\.00?)?\b"),
    Fact("athena_min_scan_mb", 10, "MB: the least an Athena query is billed for", ATHENA_PRICING,
         checked="2026-12-02"),
]

FACTS: dict[str, Fact] = {f.name: f for f in _ROWS}


def value(name: str):
    """The value of one fact, by name (KeyError names the known facts)."""
    try:
        return FACTS[name].value
    except KeyError:
        raise KeyError(f"no fact {name!r}; known: {', '.join(sorted(FACTS))}") from None


def table():
    """Every fact as a pandas DataFrame: name, value, unit, source, checked."""
    import pandas as pd

    return pd.DataFrame([{"name": f.name, "value": f.value, "unit": f.unit, "source": f.source,
                          "checked": f.checked} for f in _ROWS]).set_index("name")
