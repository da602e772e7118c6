# examples/spend as a team deploys it: a root module that calls local
# modules, one for the streams and one for the analytics.

variable "environment" {
  type    = string
  default = "prod"
}

variable "window_seconds" {
  type    = number
  default = 15
}

locals {
  tags = {
    team        = "analytics"
    environment = var.environment
  }
  # The input columns, as the producers document them.
  columns = jsondecode(file("${path.module}/columns.json"))
}

module "streams" {
  source = "./modules/kinesis-streams"
  names  = ["purchases", "spend"]
  suffix = var.environment
  shards = { purchases = 2 }
}

resource "aws_kinesis_stream" "errors" {
  count = 1
  name  = "spend-errors-${var.environment}"
}

resource "aws_iam_role" "analytics" {
  name = "spend-analytics-${var.environment}"
}

module "spend" {
  source         = "./modules/spend-analytics"
  name           = "spend-per-block-${var.environment}"
  columns        = local.columns
  window_seconds = var.window_seconds
  input_arn      = module.streams.arns["purchases"]
  output_arn     = module.streams.arns["spend"]
  error_arns     = aws_kinesis_stream.errors[*].arn
  role_arn       = aws_iam_role.analytics.arn
  tags           = local.tags
}

output "application" {
  value = module.spend.application_name
}
