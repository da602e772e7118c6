# The device-monitoring application: telemetry enriched from the device
# registry (S3), scored by RANDOM_CUT_FOREST, alerts above a threshold with
# the device's one-minute average temperature, and per-room minute stats.

variable "name" {
  type = string
}

variable "telemetry_arn" {
  type = string
}

variable "alerts_arn" {
  type = string
}

variable "room_stats_arn" {
  type = string
}

variable "registry_bucket" {
  type = string
}

variable "registry_key" {
  type = string
}

variable "role_arn" {
  type = string
}

variable "anomaly_threshold" {
  type = number
}

variable "monitored_statuses" {
  type = list(string)
}

locals {
  telemetry_columns = [
    { name = "deviceId", type = "VARCHAR(32)" },
    { name = "readingTime", type = "VARCHAR(23)" },
    { name = "temperature", type = "DOUBLE" },
    { name = "humidity", type = "DOUBLE" },
    { name = "batteryPct", type = "INTEGER" },
  ]
  registry_columns = [
    { name = "deviceId", type = "VARCHAR(32)" },
    { name = "model", type = "VARCHAR(16)" },
    { name = "room", type = "VARCHAR(16)" },
    { name = "status", type = "VARCHAR(12)" },
    { name = "maxTempC", type = "DOUBLE" },
  ]
  statuses = join(", ", formatlist("'%s'", var.monitored_statuses))

  sql = <<-SQL
    -- Stage 1: readings of registered, monitored devices, enriched from
    -- the registry. The site is the part of the device id before the '/';
    -- ingestDelayMs is how long a reading took from the device to KDA.
    CREATE OR REPLACE STREAM "READINGS" (
        "deviceId"      VARCHAR(32),
        "site"          VARCHAR(16),
        "room"          VARCHAR(16),
        "temperature"   DOUBLE,
        "humidity"      DOUBLE,
        "tempStatus"    VARCHAR(10),
        "ingestDelayMs" BIGINT);

    CREATE OR REPLACE PUMP "READINGS_PUMP" AS
      INSERT INTO "READINGS"
        SELECT STREAM t."deviceId",
               SUBSTRING(t."deviceId" FROM 1 FOR POSITION('/' IN t."deviceId") - 1),
               d."room",
               t."temperature",
               t."humidity",
               CASE WHEN t."temperature" >= d."maxTempC" THEN 'OVER_LIMIT'
                    WHEN t."temperature" >= d."maxTempC" - 5 THEN 'NEAR_LIMIT'
                    ELSE 'OK'
               END,
               TSDIFF(t.ROWTIME, CHAR_TO_TIMESTAMP('yyyy-MM-dd HH:mm:ss.SSS', t."readingTime"))
        FROM "SOURCE_SQL_STREAM_001" AS t
        JOIN "DEVICE_REGISTRY" AS d ON t."deviceId" = d."deviceId"
        WHERE d."status" IN (${local.statuses})
          AND t."batteryPct" >= 5; -- a dying battery gives garbage readings

    -- Stage 2: RANDOM_CUT_FOREST scores temperature and humidity together
    -- (the only numeric columns of the cursor); the text columns ride along.
    CREATE OR REPLACE STREAM "SCORED_READINGS" (
        "deviceId"      VARCHAR(32),
        "site"          VARCHAR(16),
        "room"          VARCHAR(16),
        "temperature"   DOUBLE,
        "humidity"      DOUBLE,
        "tempStatus"    VARCHAR(10),
        "ANOMALY_SCORE" DOUBLE);

    CREATE OR REPLACE PUMP "SCORE_PUMP" AS
      INSERT INTO "SCORED_READINGS"
        SELECT STREAM "deviceId", "site", "room", "temperature", "humidity", "tempStatus", ANOMALY_SCORE
        FROM TABLE(RANDOM_CUT_FOREST(
               CURSOR(SELECT STREAM "deviceId", "site", "room", "temperature", "humidity", "tempStatus"
                      FROM "READINGS")));

    -- Stage 3: alerts. The inner query keeps every scored reading so that
    -- the device's one-minute average covers its normal readings too; the
    -- threshold applies outside. Devices under maintenance do not alert.
    CREATE OR REPLACE STREAM "DEVICE_ALERTS" (
        "deviceId"    VARCHAR(32),
        "site"        VARCHAR(16),
        "room"        VARCHAR(16),
        "temperature" DOUBLE,
        "avgTemp1m"   DOUBLE,
        "tempStatus"  VARCHAR(10),
        "alertedAt"   TIMESTAMP);

    CREATE OR REPLACE PUMP "ALERT_PUMP" AS
      INSERT INTO "DEVICE_ALERTS"
        SELECT STREAM s."deviceId", s."site", s."room", s."temperature", s."avgTemp1m", s."tempStatus",
               CURRENT_ROW_TIMESTAMP
        FROM (SELECT STREAM "deviceId", "site", "room", "temperature", "tempStatus", ANOMALY_SCORE,
                     AVG("temperature") OVER (PARTITION BY "deviceId"
                                              RANGE INTERVAL '1' MINUTE PRECEDING) AS "avgTemp1m"
              FROM "SCORED_READINGS") AS s
        WHERE s.ANOMALY_SCORE > ${var.anomaly_threshold}
          AND NOT EXISTS (SELECT 1 FROM "DEVICE_REGISTRY" AS r
                          WHERE r."deviceId" = s."deviceId" AND r."status" = 'MAINTENANCE');

    /* Stage 4: per-room statistics for each minute of arrival. */
    CREATE OR REPLACE STREAM "ROOM_STATS" (
        "room"        VARCHAR(16),
        "minuteStart" TIMESTAMP,
        "readings"    BIGINT,
        "avgTemp"     DOUBLE,
        "maxHumidity" DOUBLE,
        "maxDelayMs"  BIGINT,
        "overLimit"   INTEGER);

    CREATE OR REPLACE PUMP "ROOM_STATS_PUMP" AS
      INSERT INTO "ROOM_STATS"
        SELECT STREAM r."room", FLOOR(r.ROWTIME TO MINUTE), COUNT(*), AVG(r."temperature"),
               MAX(r."humidity"), MAX(r."ingestDelayMs"),
               SUM(CASE WHEN r."tempStatus" = 'OVER_LIMIT' THEN 1 ELSE 0 END)
        FROM "READINGS" AS r
        GROUP BY r."room", FLOOR(r.ROWTIME TO MINUTE);
  SQL
}

resource "aws_kinesis_analytics_application" "monitor" {
  name        = var.name
  description = "Device telemetry anomalies and per-room statistics"
  code        = local.sql

  inputs {
    name_prefix = "SOURCE_SQL_STREAM"

    kinesis_stream {
      resource_arn = var.telemetry_arn
      role_arn     = var.role_arn
    }

    parallelism {
      count = 1
    }

    schema {
      record_encoding = "UTF-8"

      dynamic "record_columns" {
        for_each = local.telemetry_columns
        content {
          name     = record_columns.value.name
          sql_type = record_columns.value.type
          mapping  = "$.${record_columns.value.name}"
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

  reference_data_sources {
    table_name = "DEVICE_REGISTRY"

    s3 {
      bucket_arn = var.registry_bucket
      file_key   = var.registry_key
      role_arn   = var.role_arn
    }

    schema {
      record_encoding = "UTF-8"

      dynamic "record_columns" {
        for_each = local.registry_columns
        content {
          name     = record_columns.value.name
          sql_type = record_columns.value.type
        }
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

  outputs {
    name = "DEVICE_ALERTS"
    schema {
      record_format_type = "JSON"
    }
    kinesis_stream {
      resource_arn = var.alerts_arn
      role_arn     = var.role_arn
    }
  }

  outputs {
    name = "ROOM_STATS"
    schema {
      record_format_type = "JSON"
    }
    kinesis_stream {
      resource_arn = var.room_stats_arn
      role_arn     = var.role_arn
    }
  }
}

output "application_name" {
  value = aws_kinesis_analytics_application.monitor.name
}
