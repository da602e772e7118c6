-- Distinct bidders every 10 seconds.
-- (Runs when the analytic table functions land; `streamsql check` validates it now.)
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (NUMBER_OF_DISTINCT_ITEMS BIGINT);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
    FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
        CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
        'Bidder',
        10));
