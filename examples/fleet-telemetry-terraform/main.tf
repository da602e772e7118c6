# Fleet telemetry on Kinesis Data Analytics for SQL (the v1 API), with the
# SQL kept in its own file and the input columns listed once in a local.

variable "environment" {
  type    = string
  default = "production"
}

variable "telemetry_shards" {
  type    = number
  default = 4
}

locals {
  prefix = "fleet-${var.environment}"

  # name, SQL type, JSONPath; a sample's fields are under $.samples[0:].
  telemetry_columns = [
    ["vin", "VARCHAR(24)", "$.vehicle.vin"],
    ["fleet", "VARCHAR(12)", "$.vehicle.fleet"],
    ["t_ms", "BIGINT", "$.samples[0:].t"],
    ["lon", "DOUBLE", "$.samples[0:].pos[0]"],
    ["lat", "DOUBLE", "$.samples[0:].pos[1]"],
    ["speed_kph", "DOUBLE", "$.samples[0:].speed"],
    ["coolant_c", "INTEGER", "$.samples[0:].engine.coolant_c"],
    ["dtc", "VARCHAR(8)", "$.samples[0:].engine.dtc[0]"],
    ["fuel_pct", "INTEGER", "$.samples[0:].fuel.pct"],
    ["odometer", "VARCHAR(12)", "$.samples[0:].odo"],
  ]
}

resource "aws_kinesis_stream" "telemetry" {
  name             = "${local.prefix}-telemetry"
  shard_count      = var.telemetry_shards
  retention_period = 48
}

resource "aws_kinesis_stream" "diagnostics" {
  name        = "${local.prefix}-diagnostics"
  shard_count = 1
}

resource "aws_kinesis_firehose_delivery_stream" "minutes" {
  name        = "${local.prefix}-minutes"
  destination = "extended_s3"

  extended_s3_configuration {
    role_arn   = aws_iam_role.analytics.arn
    bucket_arn = "arn:aws:s3:::${local.prefix}-minutes"
  }
}

resource "aws_iam_role" "analytics" {
  name = "${local.prefix}-analytics"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = ["kinesisanalytics.amazonaws.com", "firehose.amazonaws.com"] }
    }]
  })
}

resource "aws_kinesis_analytics_application" "fleet" {
  name        = "${local.prefix}-telemetry"
  description = "Trouble-code changes and per-fleet minute figures from vehicle telemetry"
  code        = file("${path.module}/fleet.sql")

  start_application = true

  inputs {
    name_prefix = "TELEMETRY"

    kinesis_stream {
      resource_arn = aws_kinesis_stream.telemetry.arn
      role_arn     = aws_iam_role.analytics.arn
    }

    parallelism {
      count = 1
    }

    schema {
      record_encoding = "UTF-8"

      dynamic "record_columns" {
        for_each = local.telemetry_columns
        content {
          name     = record_columns.value[0]
          sql_type = record_columns.value[1]
          mapping  = record_columns.value[2]
        }
      }

      record_format {
        mapping_parameters {
          json {
            record_row_path = "$"
          }
        }
      }
    }

    starting_position_configuration {
      starting_position = "TRIM_HORIZON"
    }
  }

  outputs {
    name = "DTC_CHANGES"
    schema {
      record_format_type = "JSON"
    }
    kinesis_stream {
      resource_arn = aws_kinesis_stream.diagnostics.arn
      role_arn     = aws_iam_role.analytics.arn
    }
  }

  outputs {
    name = "FLEET_MINUTE"
    schema {
      record_format_type = "JSON"
    }
    kinesis_firehose {
      resource_arn = aws_kinesis_firehose_delivery_stream.minutes.arn
      role_arn     = aws_iam_role.analytics.arn
    }
  }
}
