# Device monitoring for a fleet of temperature/humidity sensors, deployed
# the way a platform team wires it: the root module owns the streams, the
# S3 bucket with the device registry and the role, and passes them to a
# local module that builds the analytics application.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "environment" {
  type    = string
  default = "prod"
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod"
  }
}

variable "anomaly_threshold" {
  description = "RANDOM_CUT_FOREST score above which a reading raises an alert"
  type        = number
  default     = 2.3
}

variable "monitored_statuses" {
  description = "registry statuses whose devices are monitored"
  type        = list(string)
  default     = ["ACTIVE", "MAINTENANCE"]
}

locals {
  prefix = "iot-${var.environment}"
  streams = {
    telemetry = "${local.prefix}-telemetry"
    alerts    = "${local.prefix}-alerts"
    rooms     = "${local.prefix}-room-stats"
  }
  registry_key = "registry/devices.csv"
}

resource "aws_kinesis_stream" "this" {
  for_each    = local.streams
  name        = each.value
  shard_count = each.key == "telemetry" ? 4 : 1
}

resource "aws_s3_bucket" "registry" {
  bucket = "${local.prefix}-device-registry"
}

resource "aws_s3_object" "devices" {
  bucket = aws_s3_bucket.registry.id
  key    = local.registry_key
  source = "${path.module}/devices.csv"
}

resource "aws_iam_role" "analytics" {
  name = "${local.prefix}-analytics"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "kinesisanalytics.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

module "monitor" {
  source = "./modules/device-monitor"

  name               = "${local.prefix}-device-monitor"
  telemetry_arn      = aws_kinesis_stream.this["telemetry"].arn
  alerts_arn         = aws_kinesis_stream.this["alerts"].arn
  room_stats_arn     = aws_kinesis_stream.this["rooms"].arn
  registry_bucket    = aws_s3_bucket.registry.arn
  registry_key       = local.registry_key
  role_arn           = aws_iam_role.analytics.arn
  anomaly_threshold  = var.anomaly_threshold
  monitored_statuses = var.monitored_statuses
}

output "application_name" {
  value = module.monitor.application_name
}
