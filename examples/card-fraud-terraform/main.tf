# Card fraud rules on KDA for SQL (aws_kinesisanalyticsv2_application,
# SQL-1_0). The SQL lives beside this file as a template; the thresholds
# are variables so that the risk team can tune them per environment.

variable "env" {
  type    = string
  default = "prod"
}

variable "rules" {
  type = object({
    large_amount   = number
    reset_minutes  = number
    velocity_limit = number
  })
  default = {
    large_amount   = 500
    reset_minutes  = 10
    velocity_limit = 5
  }
}

locals {
  name = "card-fraud-${var.env}"
  event_columns = {
    eventId   = "VARCHAR(16)"
    kind      = "VARCHAR(16)"
    accountId = "VARCHAR(12)"
    amount    = "DECIMAL(10,2)"
    country   = "VARCHAR(2)"
    merchant  = "VARCHAR(24)"
  }
  outputs = {
    FRAUD_ALERTS  = aws_kinesis_stream.alerts.arn
    ALERT_SUMMARY = aws_kinesis_stream.alerts.arn
  }
}

resource "aws_kinesis_stream" "payments" {
  name        = "payment-events-${var.env}"
  shard_count = 2
}

resource "aws_kinesis_stream" "alerts" {
  name        = "fraud-alerts-${var.env}"
  shard_count = 1
}

resource "aws_s3_bucket" "reference" {
  bucket = "${local.name}-reference"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["kinesisanalytics.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "kda" {
  name               = local.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_kinesisanalyticsv2_application" "fraud" {
  name                   = local.name
  runtime_environment    = "SQL-1_0"
  service_execution_role = aws_iam_role.kda.arn
  start_application      = true

  application_configuration {
    application_code_configuration {
      code_content {
        text_content = templatefile("${path.module}/fraud.sql.tftpl", var.rules)
      }
      code_content_type = "PLAINTEXT"
    }

    sql_application_configuration {
      input {
        name_prefix = "PAYMENT_EVENTS"

        input_schema {
          dynamic "record_column" {
            for_each = local.event_columns
            content {
              name     = record_column.key
              sql_type = record_column.value
              mapping  = "$.${record_column.key}"
            }
          }

          record_format {
            record_format_type = "JSON"
            mapping_parameters {
              json_mapping_parameters {
                record_row_path = "$"
              }
            }
          }
        }

        kinesis_streams_input {
          resource_arn = aws_kinesis_stream.payments.arn
        }
      }

      dynamic "output" {
        for_each = local.outputs
        content {
          name = output.key
          destination_schema {
            record_format_type = "JSON"
          }
          kinesis_streams_output {
            resource_arn = output.value
          }
        }
      }

      reference_data_source {
        table_name = "ACCOUNTS"

        reference_schema {
          record_column {
            name     = "accountId"
            sql_type = "VARCHAR(12)"
            mapping  = "$.id"
          }
          record_column {
            name     = "tier"
            sql_type = "VARCHAR(8)"
            mapping  = "$.risk.tier"
          }
          record_format {
            record_format_type = "JSON"
            mapping_parameters {
              json_mapping_parameters {
                record_row_path = "$"
              }
            }
          }
        }

        s3_reference_data_source {
          bucket_arn = aws_s3_bucket.reference.arn
          file_key   = "accounts.json"
        }
      }
    }
  }
}
