# Spend per block (examples/spend) as it was deployed with Terraform's AWS
# provider.

variable "environment" {
  type    = string
  default = "prod"
}

variable "columns" {
  description = "input columns: name => [JSONPath, SQL type]"
  type        = map(list(string))
  default = {
    Block    = ["$.Block", "VARCHAR(8)"]
    Amount   = ["$.Amount", "DECIMAL(8,2)"]
    Customer = ["$.Customer", "VARCHAR(16)"]
  }
}

locals {
  name   = "spend-per-block-${var.environment}"
  column_order = ["Block", "Amount", "Customer"]
}

resource "aws_kinesis_stream" "purchases" {
  name        = "purchases-${var.environment}"
  shard_count = 2
}

resource "aws_kinesis_stream" "spend" {
  name        = "spend-${var.environment}"
  shard_count = 1
}

resource "aws_iam_role" "analytics" {
  name = "${local.name}-role"
}

resource "aws_kinesis_analytics_application" "spend" {
  name        = local.name
  description = "Total purchase amount per block every 15 seconds"
  code        = file("${path.module}/spend.sql")

  cloudwatch_logging_options {
    log_stream_arn = "arn:aws:logs:us-east-1:123456789012:log-group:kda:log-stream:spend"
    role_arn       = aws_iam_role.analytics.arn
  }

  inputs {
    name_prefix = "SOURCE_SQL_STREAM"

    kinesis_stream {
      resource_arn = aws_kinesis_stream.purchases.arn
      role_arn     = aws_iam_role.analytics.arn
    }

    parallelism {
      count = 1
    }

    schema {
      dynamic "record_columns" {
        for_each = local.column_order
        content {
          name     = record_columns.value
          mapping  = var.columns[record_columns.value][0]
          sql_type = var.columns[record_columns.value][1]
        }
      }

      record_encoding = "UTF-8"

      record_format {
        mapping_parameters {
          json {
            record_row_path = "$"
          }
        }
      }
    }
  }

  outputs {
    name = "DESTINATION_SQL_STREAM"

    schema {
      record_format_type = "JSON"
    }

    kinesis_stream {
      resource_arn = aws_kinesis_stream.spend.arn
      role_arn     = aws_iam_role.analytics.arn
    }
  }

  start_application = true

  tags = {
    team = "analytics"
  }
}
