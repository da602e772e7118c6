-- Spend per block: total purchase amount per "Block" every 15 seconds.
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    "Block"       VARCHAR(8),
    "TotalAmount" DECIMAL(12,2),
    "Purchases"   BIGINT,
    "WindowStart" TIMESTAMP);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM "Block",
                  SUM("Amount") AS "TotalAmount",
                  COUNT(*) AS "Purchases",
                  STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '15' SECOND) AS "WindowStart"
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY "Block", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '15' SECOND);
