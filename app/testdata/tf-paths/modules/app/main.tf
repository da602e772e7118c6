variable "prefix" {
  type = string
}

variable "sql_dir" {
  type = string
}

locals {
  code = file("${path.module}/sql/app.sql")
}

resource "aws_kinesis_analytics_application" "a" {
  name        = "paths"
  description = "${path.module} ${fileexists("${var.sql_dir}/app.sql")}"
  code        = local.code

  inputs {
    name_prefix = var.prefix
    schema {
      record_columns {
        name     = "X"
        sql_type = "INTEGER"
        mapping  = "$.x"
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
}

output "code_length" {
  value = length(local.code)
}
