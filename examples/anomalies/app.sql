-- Machine anomalies: RANDOM_CUT_FOREST with its defaults scores every
-- reading; readings scoring above 2 are reported.
CREATE OR REPLACE STREAM "TEMP_STREAM" (
    machine       VARCHAR(8),
    temperature   DOUBLE,
    vibration     DOUBLE,
    ANOMALY_SCORE DOUBLE);

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    machine     VARCHAR(8),
    temperature DOUBLE,
    vibration   DOUBLE);

CREATE OR REPLACE PUMP "SCORE_PUMP" AS
  INSERT INTO "TEMP_STREAM"
    SELECT STREAM "machine", "temperature", "vibration", ANOMALY_SCORE
    FROM TABLE(RANDOM_CUT_FOREST(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));

CREATE OR REPLACE PUMP "ALERT_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM machine, temperature, vibration
    FROM "TEMP_STREAM"
    WHERE ANOMALY_SCORE > 2;
