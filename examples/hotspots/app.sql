-- Taxi pickup hotspots: dense regions among the last 1,000 pickups.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "pickup_longitude" DOUBLE,
    "pickup_latitude"  DOUBLE,
    HOTSPOTS_RESULT    VARCHAR(10000));

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT "pickup_longitude", "pickup_latitude", "HOTSPOTS_RESULT"
    FROM TABLE(HOTSPOTS(
        CURSOR(SELECT STREAM "pickup_longitude", "pickup_latitude" FROM "SOURCE_SQL_STREAM_001"),
        1000,
        0.013,
        20));
