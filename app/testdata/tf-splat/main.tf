# Attributes of resources streamsql does not model, reached through count
# and for_each instances, splats, for expressions and functions: unknown
# values, accepted where only AWS uses them (ARNs, names).
variable "streams" {
  type    = set(string)
  default = ["in", "out"]
}

resource "aws_kinesis_stream" "s" {
  for_each = var.streams
  name     = each.key
}

resource "aws_iam_role" "kda" {
  count = 1
  name  = "kda"
}

data "aws_caller_identity" "me" {}

locals {
  arns    = { for k, s in aws_kinesis_stream.s : k => s.arn }
  columns = [for i in range(3) : { name = format("C%d", i), type = i == 0 ? "VARCHAR(8)" : "INTEGER" }]
}

resource "aws_kinesis_analytics_application" "a" {
  name = "splat-${data.aws_caller_identity.me.account_id}"
  code = <<-EOT
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (%{ for i, c in local.columns }${i > 0 ? ", " : ""}${c.name} ${c.type}%{ endfor });
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM ${join(", ", local.columns[*].name)} FROM "SOURCE_SQL_STREAM_001";
  EOT

  inputs {
    name_prefix = "SOURCE_SQL_STREAM"

    kinesis_stream {
      resource_arn = local.arns["in"]
      role_arn     = one(aws_iam_role.kda[*].arn)
    }

    schema {
      dynamic "record_columns" {
        for_each = local.columns
        content {
          name     = record_columns.value.name
          sql_type = record_columns.value.type
          mapping  = "$.${lower(record_columns.value.name)}"
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
  }

  dynamic "outputs" {
    for_each = setsubtract(var.streams, ["in"])
    content {
      name = "DESTINATION_SQL_STREAM"
      schema {
        record_format_type = "JSON"
      }
      kinesis_stream {
        resource_arn = local.arns[outputs.value]
        role_arn     = aws_iam_role.kda[0].arn
      }
    }
  }
}
