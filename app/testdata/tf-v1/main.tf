variable "stage" {
  type = string
}

variable "width" {
  type    = number
  default = 4
}

locals {
  prefix = "SOURCE_SQL_STREAM"
  name   = "${local.base}-${var.stage}"
  base   = "tickers"
}

resource "aws_kinesis_analytics_application" "tickers" {
  name = local.name

  code = <<EOF
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(${var.width}), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "ticker_symbol", "price" FROM "SOURCE_SQL_STREAM_001";
EOF

  inputs {
    name_prefix = local.prefix

    kinesis_firehose {
      resource_arn = aws_kinesis_firehose_delivery_stream.in.arn
      role_arn     = data.aws_iam_role.kda.arn
    }

    processing_configuration {
      lambda {
        resource_arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
        role_arn     = "r"
      }
    }

    starting_position_configuration {
      starting_position = "LAST_STOPPED_POINT"
    }

    schema {
      record_columns {
        name     = "ticker_symbol"
        mapping  = "$.ticker_symbol"
        sql_type = "VARCHAR(${var.width})"
      }
      record_columns {
        name     = "price"
        mapping  = "$.price"
        sql_type = upper("double")
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

  outputs {
    name = "DESTINATION_SQL_STREAM"
    schema {
      record_format_type = "CSV"
    }
    lambda {
      resource_arn = "arn:aws:lambda:us-east-1:123456789012:function:out"
      role_arn     = "r"
    }
  }

  reference_data_sources {
    table_name = "companies"
    s3 {
      bucket_arn = "arn:aws:s3:::b"
      file_key   = "companies.csv"
      role_arn   = "r"
    }
    schema {
      record_columns {
        name     = "ticker"
        sql_type = "VARCHAR(4)"
      }
      record_format {
        mapping_parameters {
          csv {
            record_row_delimiter    = "\n"
            record_column_delimiter = ","
          }
        }
      }
    }
  }

  frobnicate = true
}
