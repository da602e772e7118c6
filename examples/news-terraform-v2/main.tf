# News personalization (examples/news) with aws_kinesisanalyticsv2_application.

variable "clicks_stream_arn" {
  type = string
}

variable "reference_bucket" {
  type = string
}

variable "user_columns" {
  type = list(object({ name = string, type = string }))
  default = [
    { name = "USER_ID", type = "VARCHAR(16)" },
    { name = "GENDER", type = "VARCHAR(8)" },
    { name = "SEGMENT_ID", type = "INTEGER" },
  ]
}

data "aws_iam_role" "kda" {
  name = "kda-news"
}

resource "aws_kinesisanalyticsv2_application" "news" {
  name                   = "news"
  runtime_environment    = "SQL-1_0"
  service_execution_role = data.aws_iam_role.kda.arn

  application_configuration {
    application_code_configuration {
      code_content {
        text_content = <<-EOT
          -- News personalization: enrich clicks with the users reference table,
          -- then count impressions and clicks per minute by audience and article.
          CREATE OR REPLACE STREAM "TMP_SQL_STREAM" (
              USER_ID    VARCHAR(16),
              GENDER     VARCHAR(8),
              SEGMENT_ID INTEGER,
              ARTICLE_ID VARCHAR(16),
              ACTION     VARCHAR(16));

          CREATE OR REPLACE PUMP "ENRICH_PUMP" AS
            INSERT INTO "TMP_SQL_STREAM"
              SELECT STREAM c.USER_ID, u.GENDER, u.SEGMENT_ID, c.ARTICLE_ID, c.ACTION
              FROM "SOURCE_SQL_STREAM_001" AS c
              LEFT JOIN "users" AS u ON c.USER_ID = u.USER_ID;

          CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
              GENDER      VARCHAR(8),
              SEGMENT_ID  INTEGER,
              ARTICLE_ID  VARCHAR(16),
              IMPRESSIONS INTEGER,
              CLICKS      INTEGER);

          CREATE OR REPLACE PUMP "AGGREGATE_PUMP" AS
            INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM GENDER, SEGMENT_ID, ARTICLE_ID,
                     SUM(CASE ACTION WHEN 'impression' THEN 1 ELSE 0 END) AS IMPRESSIONS,
                     SUM(CASE ACTION WHEN 'click' THEN 1 ELSE 0 END) AS CLICKS
              FROM "TMP_SQL_STREAM"
              GROUP BY GENDER, SEGMENT_ID, ARTICLE_ID, FLOOR("TMP_SQL_STREAM".ROWTIME TO MINUTE);
        EOT
      }

      code_content_type = "PLAINTEXT"
    }

    sql_application_configuration {
      input {
        name_prefix = "SOURCE_SQL_STREAM"

        input_parallelism {
          count = 1
        }

        input_schema {
          record_column {
            name     = "USER_ID"
            sql_type = "VARCHAR(16)"
            mapping  = "$.USER_ID"
          }
          record_column {
            name     = "ARTICLE_ID"
            sql_type = "VARCHAR(16)"
            mapping  = "$.ARTICLE_ID"
          }
          record_column {
            name     = "ACTION"
            sql_type = "VARCHAR(16)"
            mapping  = "$.ACTION"
          }
          record_column {
            name     = "DEVICE_OS"
            sql_type = "VARCHAR(16)"
            mapping  = "$.DEVICE.os"
          }

          record_encoding = "UTF-8"

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
          resource_arn = var.clicks_stream_arn
        }
      }

      output {
        name = "DESTINATION_SQL_STREAM"

        destination_schema {
          record_format_type = "JSON"
        }

        kinesis_firehose_output {
          resource_arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/news"
        }
      }

      reference_data_source {
        table_name = "users"

        reference_schema {
          dynamic "record_column" {
            for_each = var.user_columns
            iterator = col
            content {
              name     = col.value.name
              sql_type = col.value.type
            }
          }

          record_encoding = "UTF-8"

          record_format {
            record_format_type = "CSV"

            mapping_parameters {
              csv_mapping_parameters {
                record_column_delimiter = ","
                record_row_delimiter    = "\n"
              }
            }
          }
        }

        s3_reference_data_source {
          bucket_arn = "arn:aws:s3:::${var.reference_bucket}"
          file_key   = "users.csv"
        }
      }
    }
  }

  cloudwatch_logging_options {
    log_stream_arn = "arn:aws:logs:us-east-1:123456789012:log-group:kda:log-stream:news"
  }
}
