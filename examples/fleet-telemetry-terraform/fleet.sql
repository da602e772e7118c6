-- Fleet telemetry. A vehicle sends a batch of samples per record; every
-- sample is a row (the $.samples[0:] mappings), with the vehicle's fields
-- repeated. Sensors are optional: coolant, fuel and trouble codes are
-- often missing, and older units send no fleet.

CREATE OR REPLACE STREAM "SAMPLES" (
    "vin"         VARCHAR(17),
    "fleet"       VARCHAR(12),
    "sampled_at"  TIMESTAMP,
    "delay_ms"    BIGINT,
    "delay_s"     BIGINT,
    "speed_kph"   DOUBLE,
    "lon"         DOUBLE,
    "lat"         DOUBLE,
    "coolant_c"   INTEGER,
    "fuel_pct"    INTEGER,
    "dtc"         VARCHAR(8),
    "odometer_km" DECIMAL(9,1));

-- Samples buffered for more than a minute (a unit that was offline) or
-- stamped ahead of their arrival are kept out of the live figures.
CREATE OR REPLACE PUMP "SAMPLES_PUMP" AS
  INSERT INTO "SAMPLES"
  SELECT STREAM
      UPPER(TRIM(BOTH ' ' FROM "vin")),
      COALESCE("fleet", 'unassigned'),
      TO_TIMESTAMP("t_ms"),
      UNIX_TIMESTAMP("TELEMETRY_001".ROWTIME) - "t_ms",
      CAST(("TELEMETRY_001".ROWTIME - TO_TIMESTAMP("t_ms")) SECOND AS BIGINT),
      "speed_kph",
      "lon",
      "lat",
      "coolant_c",
      "fuel_pct",
      "dtc",
      CAST("odometer" AS DECIMAL(9,1))
  FROM "TELEMETRY_001"
  WHERE "t_ms" IS NOT NULL
    AND TO_TIMESTAMP("t_ms") > "TELEMETRY_001".ROWTIME - INTERVAL '1' MINUTE
    AND TO_TIMESTAMP("t_ms") <= "TELEMETRY_001".ROWTIME + INTERVAL '5' SECOND;

-- A vehicle's diagnostic trouble code changed: a code appeared, cleared
-- or was replaced. Both NULL (no code before or now) is no change.
CREATE OR REPLACE STREAM "DTC_CHANGES" (
    "vin"        VARCHAR(17),
    "sampled_at" TIMESTAMP,
    "previous"   VARCHAR(8),
    "current"    VARCHAR(8),
    "lon"        DOUBLE,
    "lat"        DOUBLE);

CREATE OR REPLACE PUMP "DTC_PUMP" AS
  INSERT INTO "DTC_CHANGES"
  SELECT STREAM s."vin", s."sampled_at", s."prev_dtc", s."dtc", s."lon", s."lat"
  FROM (
      SELECT STREAM "vin", "sampled_at", "dtc", "lon", "lat",
          LAG("dtc") OVER (PARTITION BY "vin" ROWS 1 PRECEDING) AS "prev_dtc",
          COUNT(*) OVER (PARTITION BY "vin" ROWS 1 PRECEDING) AS "seen"
      FROM "SAMPLES") AS s
  WHERE s."seen" = 2 AND s."dtc" IS DISTINCT FROM s."prev_dtc";

-- Per fleet and minute: samples, how many carried a fuel reading, the
-- lowest fuel level and hottest coolant (NULL when no vehicle reported
-- one), samples with a trouble code, the worst delay (in milliseconds and
-- in whole seconds) and top speed.
CREATE OR REPLACE STREAM "FLEET_MINUTE" (
    "fleet"         VARCHAR(12),
    "minute"        TIMESTAMP,
    "samples"       BIGINT,
    "fuel_reports"  BIGINT,
    "lowest_fuel"   INTEGER,
    "hottest"       INTEGER,
    "with_dtc"      INTEGER,
    "max_delay_ms"  BIGINT,
    "max_delay_s"   BIGINT,
    "top_speed"     DOUBLE,
    "max_odometer"  DECIMAL(9,1));

CREATE OR REPLACE PUMP "FLEET_PUMP" AS
  INSERT INTO "FLEET_MINUTE"
  SELECT STREAM
      "fleet",
      FLOOR("SAMPLES".ROWTIME TO MINUTE),
      COUNT(*),
      COUNT("fuel_pct"),
      MIN("fuel_pct"),
      MAX("coolant_c"),
      SUM(CASE WHEN "dtc" IS NOT NULL THEN 1 ELSE 0 END),
      MAX("delay_ms"),
      MAX("delay_s"),
      MAX("speed_kph"),
      MAX("odometer_km")
  FROM "SAMPLES"
  GROUP BY "fleet", FLOOR("SAMPLES".ROWTIME TO MINUTE);
