# A generic Kinesis Data Analytics for SQL application, in the style of
# the community modules: a create switch, dynamic blocks for the columns
# and the destinations.

variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

variable "description" {
  type    = string
  default = null
}

variable "code" {
  type = string
}

variable "input" {
  type = object({
    name_prefix = optional(string, "SOURCE_SQL_STREAM")
    stream_arn  = string
    columns = list(object({
      name    = string
      type    = string
      mapping = optional(string)
    }))
  })
}

variable "outputs" {
  description = "in-application stream name => Kinesis stream ARN"
  type        = map(string)
}

variable "error_destination" {
  type    = string
  default = null
}

variable "role_arn" {
  type = string
}

variable "log_stream_arn" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_kinesis_analytics_application" "this" {
  count = var.create ? 1 : 0

  name        = var.name
  description = var.description
  code        = var.code

  dynamic "cloudwatch_logging_options" {
    for_each = var.log_stream_arn == null ? [] : [var.log_stream_arn]
    content {
      log_stream_arn = cloudwatch_logging_options.value
      role_arn       = var.role_arn
    }
  }

  inputs {
    name_prefix = var.input.name_prefix

    kinesis_stream {
      resource_arn = var.input.stream_arn
      role_arn     = var.role_arn
    }

    schema {
      dynamic "record_columns" {
        for_each = var.input.columns
        iterator = column
        content {
          name     = column.value.name
          sql_type = column.value.type
          mapping  = coalesce(column.value.mapping, "$.${column.value.name}")
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

  dynamic "outputs" {
    for_each = var.outputs
    content {
      name = outputs.key

      schema {
        record_format_type = "JSON"
      }

      kinesis_stream {
        resource_arn = outputs.value
        role_arn     = var.role_arn
      }
    }
  }

  tags = merge(var.tags, { module = "kda-sql-app" })
}

output "name" {
  value = one(aws_kinesis_analytics_application.this[*].name)
}

output "arn" {
  value = try(aws_kinesis_analytics_application.this[0].arn, null)
}
