resource "aws_kinesis_analytics_application" "a" {
  name = "app-a"
  code = "CREATE STREAM \"A\" (X INTEGER);"
}

resource "aws_kinesis_analytics_application" "b" {
  name = "app-b"
  code = "CREATE STREAM \"B\" (X INTEGER);"
}

resource "aws_kinesisanalyticsv2_application" "flink" {
  name                   = "flink"
  runtime_environment    = "FLINK-1_15"
  service_execution_role = "r"
}
